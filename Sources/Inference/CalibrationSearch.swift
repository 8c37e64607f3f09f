import Foundation
import Model

/// What calibration aims for. Quality is measured against the unskipped model: the mean over
/// answer tokens of KL(p_unskipped ‖ p_skipped), in nats, and "quality kept" is exp(−KL), which
/// is 1 with nothing skipped and does not depend on how well the model fits the answers.
public enum SkipGoal: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Skip at least this fraction of the selected (token, expert) pairs, at the least KL.
    case skipAtLeast(Double)
    /// Skip the most while keeping quality exp(−KL) ≥ this value, i.e. KL ≤ −ln Q.
    case keepAtLeast(Double)

    enum CodingKeys: String, CodingKey { case skipAtLeast, keepAtLeast }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let r = try c.decodeIfPresent(Double.self, forKey: .skipAtLeast) {
            self = .skipAtLeast(r)
        } else {
            self = .keepAtLeast(try c.decode(Double.self, forKey: .keepAtLeast))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .skipAtLeast(let r): try c.encode(r, forKey: .skipAtLeast)
        case .keepAtLeast(let q): try c.encode(q, forKey: .keepAtLeast)
        }
    }

    public var description: String {
        switch self {
        case .skipAtLeast(let r): "skip ratio ≥ \(r)"
        case .keepAtLeast(let q): "quality kept exp(−KL) ≥ \(q)"
        }
    }

    func validate() throws {
        switch self {
        case .skipAtLeast(let r) where !(0...1).contains(r):
            throw CalibrationError("target skip ratio \(r) is outside [0, 1]")
        case .keepAtLeast(let q) where !(q > 0 && q <= 1):
            throw CalibrationError("quality to keep \(q) is outside (0, 1]")
        default: break
        }
    }
}

/// How the threshold grids are built.
public struct GridOptions: Sendable, Equatable {
    /// Thresholds per axis before repeats are dropped (at least 2).
    public var textPoints: Int
    public var mediaPoints: Int
    /// Separate image and audio thresholds (on one media axis, at matching quantiles).
    public var splitMedia: Bool

    public init(textPoints: Int = 16, mediaPoints: Int = 16, splitMedia: Bool = false) {
        self.textPoints = textPoints
        self.mediaPoints = mediaPoints
        self.splitMedia = splitMedia
    }
}

extension Calibration {
    /// The frontier walk over `grid` with rules `α[ℓ]` and the grid's thresholds in every MoE
    /// layer. Each grid point costs one pass over the calibration data, made at most once
    /// (the skip ratio and the KL come from the same pass).
    /// - `skipAtLeast(R)`: least KL among frontier points whose measured skip ratio is ≥ R.
    /// - `keepAtLeast(Q)`: most skipping among frontier points with KL ≤ −ln Q.
    public func search(_ goal: SkipGoal, alpha: [[Float]], grid: ThresholdGrid) throws
        -> (chosen: SkippingFile.WalkPoint, walk: [SkippingFile.WalkPoint]) {
        try goal.validate()
        var measured: [Int: Measurement] = [:], order: [(Int, Int)] = []
        func at(_ i: Int, _ j: Int) -> Measurement {
            let key = i * grid.mediaCount + j
            if let m = measured[key] { return m }
            let tau = grid.tau(text: i, media: j)
            let m = measure(SkipSetup(name: "modes", rules: alpha.map { SkipRule(alpha: $0, tau: tau) }))
            measured[key] = m
            order.append((i, j))
            return m
        }
        let frontier = FrontierSearch(textCount: grid.textCount, mediaCount: grid.mediaCount)
        let result: FrontierSearch.Result
        switch goal {
        case .skipAtLeast(let r):
            // The staircase assumes the skip ratio rises with both thresholds; a point whose own
            // pass falls short (routing shifts under skipping) is rejected rather than trusted.
            result = frontier.minimiseLoss(skipAtLeast: r, skipRatio: { at($0, $1).skipRatio }, loss: {
                let m = at($0, $1)
                return m.skipRatio >= r ? m.kl : .infinity
            })
        case .keepAtLeast(let q):
            result = frontier.maximiseSkip(lossAtMost: -Foundation.log(q), skipRatio: { at($0, $1).skipRatio },
                                           loss: { at($0, $1).kl })
        }
        let onFrontier = Set(result.frontier.map { $0.textIndex * grid.mediaCount + $0.mediaIndex })
        let walk = order.map { i, j in
            SkippingFile.WalkPoint(textIndex: i, mediaIndex: j, onFrontier: onFrontier.contains(i * grid.mediaCount + j),
                                   measured[i * grid.mediaCount + j]!)
        }
        guard let best = result.best else {
            let most = measured.values.map(\.skipRatio).max() ?? 0
            throw CalibrationError("no thresholds on the \(grid.textCount)×\(grid.mediaCount) grid reach \(goal) on the calibration data (most skipped: \(most))")
        }
        return (walk.first { $0.textIndex == best.textIndex && $0.mediaIndex == best.mediaIndex }!, walk)
    }

    /// The whole calibration: importance α, scores and grids, the frontier search for `goal`,
    /// as the contents of `skipping.json`.
    public func calibrate(_ goal: SkipGoal, grid options: GridOptions = GridOptions()) throws -> SkippingFile {
        try goal.validate()
        guard options.textPoints >= 2 && options.mediaPoints >= 2 else {
            throw CalibrationError("threshold grids need at least 2 points per axis, got \(options.textPoints) and \(options.mediaPoints)")
        }
        let alpha = importance()
        let grid = ThresholdGrid(scores: scores(alpha: alpha), textPoints: options.textPoints,
                                 mediaPoints: options.mediaPoints, splitMedia: options.splitMedia)
        let (chosen, walk) = try search(goal, alpha: alpha, grid: grid)
        return SkippingFile(
            moeLayers: model.blocks.indices.filter { model.blocks[$0].moe != nil },
            alpha: alpha,
            tau: SkippingFile.Thresholds(grid.tau(text: chosen.textIndex, media: chosen.mediaIndex), splitMedia: options.splitMedia),
            grids: grid, goal: goal, chosen: chosen, walk: walk,
            calibration: SkippingFile.Summary(examples: exampleCount, answerTokens: answerTokens, batchSize: batchSize,
                                              unskippedCrossEntropy: unskipped.crossEntropy))
    }
}
