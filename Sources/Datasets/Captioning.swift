import Kernels

/// Caption and sentence templates. Captions are short and regular so a small model can learn
/// them, and each picture gets several paraphrases (different templates and object orders)
/// so that CIDEr and BLEU, which reward agreement with any reference, mean something.
public enum Captioning {
    /// Names that take "an"/"a" against the first-letter rule, and names that read as plural
    /// or uncountable and so take "some".
    static let anWords: Set<String> = ["hourglass"]
    static let aWords: Set<String> = ["unicorn", "ewe", "one-piece swimsuit", "european"]
    static let massNouns: Set<String> = [
        "spaghetti", "popcorn", "bacon", "butter", "salt", "ice", "cooked rice", "curry rice", "bread",
        "broccoli", "oden", "dango", "sushi", "sake", "custard", "shaved ice", "falafel", "fondue",
        "mate", "green salad", "leafy green", "bubble tea", "soft ice cream", "ice cream", "garlic",
        "ginger root", "honey pot", "shortcake", "cheese wedge", "luggage",
    ]
    static let singularS: Set<String> = ["skis"]

    /// Whether the name is a plural noun ("grapes", "french fries"): it takes "are".
    public static func isPlural(_ name: String) -> Bool {
        let last = name.split(separator: " ").last.map(String.init) ?? name
        if singularS.contains(last) { return true }
        return last.hasSuffix("s") && !last.hasSuffix("ss") && !last.hasSuffix("us") && !last.hasSuffix("is")
            && last != "rhinoceros"
    }

    /// "a", "an" or "some" for a name.
    public static func article(for name: String) -> String {
        if isPlural(name) || massNouns.contains(name) { return "some" }
        if anWords.contains(name) { return "an" }
        if aWords.contains(where: { name.hasPrefix($0) }) { return "a" }
        return "aeiou".contains(name.first ?? "x") ? "an" : "a"
    }

    static func verb(for name: String) -> String { isPlural(name) ? "are" : "is" }

    /// "a", "a and b", "a, b and c".
    static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
        }
    }

    static let numbers = ["none", "one", "two", "three", "four", "five"]
    public static func number(_ n: Int) -> String { n < numbers.count ? numbers[n] : String(n) }

    /// Five distinct paraphrases of `scene` (three when it holds one object, where some
    /// templates coincide), e.g. "a dog on the left and a pizza on the right on a blue background".
    /// Templates that list objects use `Place` order or its reverse, so references differ in order too.
    public static func references(for scene: Scene, names: [String]) -> [String] {
        let items = scene.placements.map { (name: names[$0.object], place: $0.place) }
        let colour = scene.background.name
        let placed = items.map { Captioning.article(for: $0.name) + " " + $0.name + " " + $0.place.phrase }
        let reversed = Array(placed.reversed())
        let bare = items.map { Captioning.article(for: $0.name) + " " + $0.name }
        let stated = items.map { "the \($0.name) \(verb(for: $0.name)) \($0.place.phrase)" }
        var refs = [
            "\(list(placed)) on a \(colour) background",
            "a \(colour) background with \(list(reversed))",
            "there \(verb(for: items[0].name)) \(list(placed)), the background is \(colour)",
            "\(list(bare)) on \(colour), \(list(stated))",
            "\(list(stated.reversed())) on a \(colour) background",
        ]
        if items.count == 1 {
            refs = [refs[0], refs[2], refs[4]]
        }
        var seen: Set<String> = []
        return refs.filter { seen.insert($0).inserted }
    }

    /// A sentence spoken for transcription: a caption of `scene` (one of its references) or,
    /// a third of the time, just the object names ("dog, pizza and rocket").
    public static func spokenSentence(for scene: Scene, names: [String], rng: inout SplitMix) -> String {
        if rng.next() % 3 == 0 {
            return list(scene.placements.map { names[$0.object] })
        }
        let refs = references(for: scene, names: names)
        return refs[Int(rng.next() % UInt64(refs.count))]
    }
}
