import Inputs

/// The thresholds the frontier search walks (DESIGN §4): one axis for text, one for media.
///
/// Built from quantiles of the observed scores of each modality class, so the grid follows the
/// model rather than fixed numbers. Index 0 of each axis is τ = 0 (nothing skipped); the last
/// skips every pair. With `splitMedia` the media axis carries separate image and audio
/// thresholds, each at the same quantile of its own modality's scores; otherwise image and
/// audio share the quantiles of their pooled scores.
public struct ThresholdGrid: Codable, Sendable, Equatable {
    public let text: [Float]
    /// The media axis: image and audio thresholds per index (equal unless split).
    public let image: [Float]
    public let audio: [Float]
    public let splitMedia: Bool

    /// A threshold above every score: scores are α·g with α ≤ 1 and g ≤ 1.
    public static let skipAll = Float(1).nextUp

    public init(text: [Float], image: [Float], audio: [Float], splitMedia: Bool) {
        precondition(!text.isEmpty && !image.isEmpty && image.count == audio.count, "threshold grid axes must be non-empty and image/audio equal in length")
        self.text = text
        self.image = image
        self.audio = audio
        self.splitMedia = splitMedia
    }

    /// Grids of at most `textPoints` × `mediaPoints` thresholds at evenly spaced quantiles of
    /// `scores` (per modality raw value, sorted ascending); repeated thresholds are dropped. A
    /// class without scores gets the single threshold 0.
    public init(scores: [[Float]], textPoints: Int, mediaPoints: Int, splitMedia: Bool) {
        precondition(textPoints >= 2 && mediaPoints >= 2, "threshold grids need at least 2 points per axis")
        let text = ThresholdGrid.quantileThresholds(scores[Modality.text.rawValue], points: textPoints)
        let image: [Float], audio: [Float]
        if splitMedia {
            let im = ThresholdGrid.quantileThresholds(scores[Modality.image.rawValue], points: mediaPoints, keepRepeats: true)
            let au = ThresholdGrid.quantileThresholds(scores[Modality.audio.rawValue], points: mediaPoints, keepRepeats: true)
            let pairs = zip(im, au).enumerated().filter { k, p in k == 0 || p != (im[k - 1], au[k - 1]) }.map(\.element)
            image = pairs.map(\.0)
            audio = pairs.map(\.1)
        } else {
            let pooled = (scores[Modality.image.rawValue] + scores[Modality.audio.rawValue]).sorted()
            image = ThresholdGrid.quantileThresholds(pooled, points: mediaPoints)
            audio = image
        }
        self.init(text: text, image: image, audio: audio, splitMedia: splitMedia)
    }

    // JSON: `text` and `media`, or `text`, `image` and `audio` when split.
    enum CodingKeys: String, CodingKey { case text, media, image, audio }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let text = try c.decode([Float].self, forKey: .text)
        let split = !c.contains(.media)
        let image = try c.decode([Float].self, forKey: split ? .image : .media)
        let audio = split ? try c.decode([Float].self, forKey: .audio) : image
        for (name, axis) in [("text", text), ("image", image), ("audio", audio)] {
            guard !axis.isEmpty, axis.allSatisfy({ $0.isFinite && $0 >= 0 }), zip(axis, axis.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                throw DecodingError.dataCorruptedError(forKey: .text, in: c, debugDescription: "the \(name) grid must be non-empty, finite, ≥ 0 and ascending")
            }
        }
        guard image.count == audio.count else {
            throw DecodingError.dataCorruptedError(forKey: .audio, in: c, debugDescription: "image and audio grids differ in length (\(image.count), \(audio.count))")
        }
        self.init(text: text, image: image, audio: audio, splitMedia: split)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(text, forKey: .text)
        if splitMedia {
            try c.encode(image, forKey: .image)
            try c.encode(audio, forKey: .audio)
        } else {
            try c.encode(image, forKey: .media)
        }
    }

    public var textCount: Int { text.count }
    public var mediaCount: Int { image.count }

    /// The thresholds at grid point (i, j), indexed by modality raw value (text, image, audio).
    public func tau(text i: Int, media j: Int) -> [Float] { [text[i], image[j], audio[j]] }

    /// Thresholds that leave out fractions 0, 1/(points−1), …, 1 of `sorted` scores.
    static func quantileThresholds(_ sorted: [Float], points: Int, keepRepeats: Bool = false) -> [Float] {
        guard !sorted.isEmpty else { return [Float](repeating: 0, count: keepRepeats ? points : 1) }
        let all = (0..<points).map { k in
            threshold(sorted, below: Int((Double(k) / Double(points - 1) * Double(sorted.count)).rounded()))
        }
        return keepRepeats ? all : all.enumerated().filter { $0.offset == 0 || $0.element != all[$0.offset - 1] }.map(\.element)
    }

    /// A threshold with at least the `count` smallest of `sorted` below it (more where scores
    /// tie with the last of them): 0 for none, `skipAll` for all, else halfway between the last
    /// one left out and the next larger score.
    static func threshold(_ sorted: [Float], below count: Int) -> Float {
        if count <= 0 || sorted.isEmpty { return 0 }
        let a = sorted[min(count, sorted.count) - 1]
        guard let b = sorted[min(count, sorted.count)...].first(where: { $0 > a }) else { return skipAll }
        let mid = (a + b) / 2
        return mid > a ? mid : b
    }
}
