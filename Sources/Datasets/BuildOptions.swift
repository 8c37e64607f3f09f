/// How many samples each part of the bundled data gets, per split. Every size lives here.
public struct SplitSizes: Sendable, Equatable, Codable {
    public var train: Int
    public var val: Int
    public var test: Int

    public init(train: Int, val: Int, test: Int) {
        self.train = train
        self.val = val
        self.test = test
    }

    public subscript(split: Split) -> Int {
        switch split {
        case .train: train
        case .val: val
        case .test: test
        }
    }
}

/// Everything `data build` needs to know; the same options and seed give byte-identical files.
public struct BuildOptions: Sendable, Equatable {
    public enum Size: String, CaseIterable, Sendable {
        case tiny, full
    }

    public var seed: UInt64
    /// Vocabulary size: `EmojiCatalog.subset(count:)` objects, or nil for every concrete object.
    public var objectCount: Int?
    public var scenes: SplitSizes
    public var speech: SplitSizes
    public var avqa: SplitSizes
    /// Lines of held-out caption-like text.
    public var heldoutText: Int
    /// Side of the square scene pictures, in pixels.
    public var imageSide: Int
    /// Longest spoken clip; configs/tiny.yaml's audio encoder reads at most 4 s.
    public var maxSpeechSeconds: Double = 4.0

    public init(seed: UInt64, objectCount: Int?, scenes: SplitSizes, speech: SplitSizes, avqa: SplitSizes,
                heldoutText: Int, imageSide: Int = 64) {
        self.seed = seed
        self.objectCount = objectCount
        self.scenes = scenes
        self.speech = speech
        self.avqa = avqa
        self.heldoutText = heldoutText
        self.imageSide = imageSide
    }

    /// Sized for a small model's 20 minutes on two cores. configs/tiny.yaml still sees each
    /// picture about 10 times and each clip about 8; half the scenes and a third of the clips
    /// (the sizes until the evening of 3 December) named fewer objects at unseen places (docs/HISTORY.md).
    public static func tiny(seed: UInt64 = 0) -> BuildOptions {
        BuildOptions(seed: seed, objectCount: 100,
                     scenes: SplitSizes(train: 18000, val: 200, test: 400),
                     speech: SplitSizes(train: 7500, val: 100, test: 200),
                     avqa: SplitSizes(train: 2000, val: 100, test: 200),
                     heldoutText: 300)
    }

    /// Every concrete object and several times the samples.
    public static func full(seed: UInt64 = 0) -> BuildOptions {
        BuildOptions(seed: seed, objectCount: nil,
                     scenes: SplitSizes(train: 60000, val: 1000, test: 2000),
                     speech: SplitSizes(train: 12000, val: 500, test: 1000),
                     avqa: SplitSizes(train: 10000, val: 500, test: 1000),
                     heldoutText: 2000)
    }

    public static func preset(_ size: Size, seed: UInt64) -> BuildOptions {
        switch size {
        case .tiny: tiny(seed: seed)
        case .full: full(seed: seed)
        }
    }

    /// A few dozen samples in all, for tests.
    public static func micro(seed: UInt64 = 0) -> BuildOptions {
        BuildOptions(seed: seed, objectCount: 10,
                     scenes: SplitSizes(train: 40, val: 5, test: 10),
                     speech: SplitSizes(train: 4, val: 1, test: 2),
                     avqa: SplitSizes(train: 4, val: 1, test: 2),
                     heldoutText: 8)
    }

    /// Throws when a size is negative or the vocabulary too small to draw scenes from.
    public func validate() throws {
        if let n = objectCount, n < Place.allCases.count {
            throw DatasetError("the vocabulary needs at least \(Place.allCases.count) objects, got \(n)")
        }
        for (part, sizes) in [("scenes", scenes), ("speech", speech), ("avqa", avqa)] {
            for split in Split.allCases where sizes[split] < 0 {
                throw DatasetError("\(part) \(split.rawValue) size must not be negative, got \(sizes[split])")
            }
        }
        guard heldoutText >= 0 else { throw DatasetError("held-out text size must not be negative") }
        guard maxSpeechSeconds >= 1 else { throw DatasetError("the longest clip must be at least 1 s, got \(maxSpeechSeconds)") }
        guard (16...1024).contains(imageSide) else { throw DatasetError("image side must be 16...1024, got \(imageSide)") }
    }
}
