import Kernels

/// Where an object sits on the canvas. The order is the order captions list objects in.
public enum Place: Int, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    case left, middle, right, top, bottom

    /// How a caption says it: "on the left", "in the middle", "at the top".
    public var phrase: String {
        switch self {
        case .left: "on the left"
        case .middle: "in the middle"
        case .right: "on the right"
        case .top: "at the top"
        case .bottom: "at the bottom"
        }
    }

    /// The word a question uses: "what is on the left" / "where is the dog" → "left".
    public var description: String {
        switch self {
        case .left: "left"
        case .middle: "middle"
        case .right: "right"
        case .top: "top"
        case .bottom: "bottom"
        }
    }

    /// The centre on a `side`×`side` canvas, as fractions chosen so that any three places hold
    /// objects of up to a third of the side with only their transparent corners overlapping.
    func centre(side: Int) -> (x: Float, y: Float) {
        let s = Float(side)
        switch self {
        case .left: return (0.18 * s, 0.5 * s)
        case .middle: return (0.5 * s, 0.5 * s)
        case .right: return (0.82 * s, 0.5 * s)
        case .top: return (0.5 * s, 0.18 * s)
        case .bottom: return (0.5 * s, 0.82 * s)
        }
    }

    public static func < (a: Place, b: Place) -> Bool { a.rawValue < b.rawValue }
}

/// One object at one place; `object` indexes the build's vocabulary.
public struct Placement: Sendable, Equatable, Hashable {
    public let object: Int
    public let place: Place
    public init(object: Int, place: Place) {
        self.object = object
        self.place = place
    }
}

/// What a picture shows: a background colour and one to three objects at distinct places,
/// kept in `Place` order so captions and questions read them in a fixed order.
public struct Scene: Sendable, Equatable {
    public let background: NamedColor
    public let placements: [Placement]

    public init(background: NamedColor, placements: [Placement]) {
        self.background = background
        self.placements = placements.sorted { $0.place < $1.place }
    }

    public func object(at place: Place) -> Int? { placements.first { $0.place == place }?.object }

    /// The scene in a form easy to parse back: "left=dog|right=pizza|background=blue".
    public func layout(names: [String]) -> String {
        (placements.map { "\($0.place)=\(names[$0.object])" } + ["background=\(background.name)"]).joined(separator: "|")
    }
}

/// Draws scenes under the compositional split: every object has one reserved place it is never
/// shown at in train or val; every test scene shows at least one object at its reserved place.
/// So each test picture holds an (object, place) pair that training never saw.
public struct SceneSampler: Sendable {
    public let objectCount: Int
    /// The place each object keeps for the test split.
    public let reserved: [Place]

    /// Reserved places are dealt out evenly (each place held back for a fifth of the objects)
    /// in an order shuffled by `seed`.
    public init(objectCount: Int, seed: UInt64) {
        // Five objects give every place one reserved object, so a test scene can always be drawn.
        precondition(objectCount >= Place.allCases.count, "scenes need at least five objects, got \(objectCount)")
        self.objectCount = objectCount
        var rng = SplitMix(seed: seed ^ 0x5EED_0F_9ACE)
        var order = Array(0..<objectCount)
        order.shuffle(using: &rng)
        var reserved = [Place](repeating: .left, count: objectCount)
        for (i, o) in order.enumerated() { reserved[o] = Place.allCases[i % Place.allCases.count] }
        self.reserved = reserved
    }

    /// Whether training may show `object` at `place`.
    public func isSeen(_ object: Int, at place: Place) -> Bool { reserved[object] != place }

    /// A scene for `split`: 1, 2 or 3 objects (30%, 40%, 30%) at distinct places, distinct objects.
    public func scene(for split: Split, rng: inout SplitMix) -> Scene {
        let background = Palette.backgrounds[Int(rng.next() % UInt64(Palette.backgrounds.count))]
        let u = rng.uniform()
        let count = u < 0.3 ? 1 : (u < 0.7 ? 2 : 3)
        var places = Place.allCases
        places.shuffle(using: &rng)
        places = Array(places.prefix(count))
        // In test, the first drawn place holds an object reserved for it; the rest are free.
        let novel = split == .test ? 0 : -1
        var used: Set<Int> = []
        var placements: [Placement] = []
        for (i, place) in places.enumerated() {
            var object: Int
            repeat {
                object = Int(rng.next() % UInt64(objectCount))
            } while used.contains(object)
                || (i == novel && isSeen(object, at: place))
                || (split != .test && !isSeen(object, at: place))
            used.insert(object)
            placements.append(Placement(object: object, place: place))
        }
        return Scene(background: background, placements: placements)
    }
}

/// The three splits; test is the held-out one (unseen object–place pairs, unseen voices).
public enum Split: String, CaseIterable, Sendable {
    case train, val, test
}

