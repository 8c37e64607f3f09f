import Kernels

/// A question about a scene, to be spoken, with its answer in a few words.
public struct Question: Sendable, Equatable {
    public let kind: Kind
    public let text: String
    public let answer: String

    public enum Kind: String, CaseIterable, Sendable {
        /// "what is on the left" → "dog" (or "nothing")
        case whatIsAt
        /// "what colour is the background" → "blue"
        case background
        /// "how many things are there" → "two"
        case count
        /// "where is the dog" → "on the left"
        case whereIs
        /// "is there a dog" → "yes" / "no"
        case isThere
    }

    /// Draws a kind uniformly, then its subject: for `whatIsAt` an occupied place three times in
    /// four, for `isThere` an object in the scene half the time (else one from `objectCount`).
    public static func draw(for scene: Scene, names: [String], objectCount: Int, rng: inout SplitMix) -> Question {
        let kinds = Kind.allCases
        let kind = kinds[Int(rng.next() % UInt64(kinds.count))]
        let present = scene.placements
        func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
        switch kind {
        case .whatIsAt:
            let empty = Place.allCases.filter { scene.object(at: $0) == nil }
            let place = rng.uniform() < 0.75 || empty.isEmpty ? pick(present).place : pick(empty)
            let answer = scene.object(at: place).map { names[$0] } ?? "nothing"
            return Question(kind: kind, text: "what is \(place.phrase)", answer: answer)
        case .background:
            return Question(kind: kind, text: "what colour is the background", answer: scene.background.name)
        case .count:
            return Question(kind: kind, text: "how many things are there", answer: Captioning.number(present.count))
        case .whereIs:
            let p = pick(present)
            return Question(kind: kind, text: "where is the \(names[p.object])", answer: p.place.phrase)
        case .isThere:
            let inScene = Set(present.map(\.object))
            let object: Int
            if rng.uniform() < 0.5 {
                object = pick(present).object
            } else {
                var o: Int
                repeat { o = Int(rng.next() % UInt64(objectCount)) } while inScene.contains(o)
                object = o
            }
            let name = names[object]
            let phrase = Captioning.isPlural(name) ? "are there \(name)" : "is there \(Captioning.article(for: name)) \(name)"
            return Question(kind: kind, text: phrase, answer: inScene.contains(object) ? "yes" : "no")
        }
    }
}
