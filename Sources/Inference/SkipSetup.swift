import Foundation
import Model

/// One way of leaving routed experts out, as installed on a model: a skip rule per MoE layer
/// and/or a reduced top-k. MoDES thresholds and the baselines all take this form, so one
/// evaluation path measures them alike.
public struct SkipSetup: Sendable, Equatable {
    public var name: String
    /// One entry per MoE layer, in decoder order; nil leaves that layer unskipped.
    public var rules: [SkipRule?]
    /// Route every token to this many experts per group instead of the group's top-k.
    public var topK: Int?

    public init(name: String, rules: [SkipRule?], topK: Int? = nil) {
        self.name = name
        self.rules = rules
        self.topK = topK
    }

    /// Nothing skipped: the model as trained.
    public static func unskipped(layers: Int) -> SkipSetup {
        SkipSetup(name: "none", rules: Array(repeating: nil, count: layers))
    }

    /// Sets every MoE layer's `skip` and `topKOverride`.
    public func install(into model: MultimodalMoE) {
        let layers = model.moeLayers
        precondition(rules.count == layers.count, "skip setup '\(name)' has \(rules.count) rules for \(layers.count) MoE layers")
        for (layer, rule) in zip(layers, rules) {
            layer.skip = rule
            layer.topKOverride = topK
        }
    }
}

/// What a pass over the calibration data measured under one skip setup.
public struct Measurement: Codable, Sendable, Equatable {
    /// Fraction of the unskipped model's routed-expert rows that were not computed. For skip
    /// rules this is skipped / selected (token, expert) pairs; for a reduced top-k, 1 − k'/k.
    public var skipRatio: Double
    /// Rows the routed experts' GEMMs ran on, over all MoE layers and batches.
    public var computedRows: Int
    /// Pairs the skip rules left out.
    public var skippedPairs: Int
    /// Mean over answer tokens of KL(p_unskipped ‖ p_this), in nats.
    public var kl: Double
    /// Mean answer-token cross-entropy, in nats.
    public var crossEntropy: Double

    public init(skipRatio: Double, computedRows: Int, skippedPairs: Int, kl: Double, crossEntropy: Double) {
        self.skipRatio = skipRatio
        self.computedRows = computedRows
        self.skippedPairs = skippedPairs
        self.kl = kl
        self.crossEntropy = crossEntropy
    }

    /// The quality kept relative to the unskipped model, exp(−KL): 1 when nothing changed.
    public var qualityKept: Double { Foundation.exp(-kl) }
}
