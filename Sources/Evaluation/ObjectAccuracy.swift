/// Whether captions of scene pictures name the right objects, and put them in the right place.
///
/// The vocabulary is every object name in the scored items' scenes (for a whole benchmark, the
/// benchmark's scenes). For each picture, T is the set of names in its scene and P the set of
/// vocabulary names its caption mentions: whole words, case-insensitive, longest names matched
/// first and each occurrence consumed once, so "mantelpiece clock" is not also "clock", and a
/// name said twice counts once.
/// - `objects` = Σ|P ∩ T| / Σ|P ∪ T| over the items: each object in the picture is right when
///   the caption names it, and each name the caption gives that is not in the picture counts as
///   one more wrong.
/// - `places` = the share of the pictures' objects (Σ|scene objects|) that the caption names
///   with the object's place word (left, middle, right, top, bottom) in a clause that names it.
///   Clauses end at `, ; . : ! ?` and at an "and" outside a name; a place word inside a name
///   (the "top" of "top hat") does not count. Every caption template of the bundled data puts
///   each object's place in its own clause ("a dog on the left and a cat at the top", "the dog
///   is on the left", "a blue background with a cat at the top").
public enum ObjectAccuracy {
    public struct Scores: Sendable, Equatable {
        public var objects: Double
        public var places: Double
    }

    /// The two accuracies over `items`; nil when there are none.
    public static func score(_ items: [(prediction: String, scene: SceneLayout)]) -> Scores? {
        guard !items.isEmpty else { return nil }
        let matcher = NameMatcher(vocabulary: items.lazy.flatMap { $0.scene.objects.map(\.name) })
        var right = 0, judged = 0, placed = 0, objects = 0
        for item in items {
            let said = matcher.read(item.prediction)
            let truth = Set(item.scene.objects.map { NameMatcher.key($0.name) })
            right += said.mentioned.intersection(truth).count
            judged += said.mentioned.union(truth).count
            for object in item.scene.objects where said.placesNear[NameMatcher.key(object.name)]?.contains(object.place) == true {
                placed += 1
            }
            objects += item.scene.objects.count
        }
        return Scores(objects: Double(right) / Double(judged), places: Double(placed) / Double(objects))
    }
}
