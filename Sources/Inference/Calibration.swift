import Foundation
import Inputs
import Kernels
import Model

/// Calibration for expert skipping (DESIGN §4, after MoDES) on a set of examples.
///
/// Building one packs the examples into batches and runs the unskipped model once, keeping its
/// answer-token log-probabilities (the reference every later pass is compared with) and the gate
/// of every selected (token, expert) pair per MoE layer and modality (the raw material of scores
/// and threshold grids). Every later pass installs a `SkipSetup` for its duration and then puts
/// back whatever the model had installed before.
public final class Calibration {
    public let model: MultimodalMoE
    public let exampleCount: Int
    public let batchSize: Int
    /// Answer positions over all examples (targets ≠ ignoreIndex): what KL and CE average over.
    public let answerTokens: Int
    /// Modalities that occur in the calibration data.
    public let modalities: Set<Modality>
    /// The gates of the unskipped pass's selected pairs, [MoE layer][modality raw value].
    public let gates: [[[Float]]]
    /// The unskipped model's own measurement (skip ratio 0, KL 0).
    public let unskipped: Measurement

    private let batches: [Batch]
    private let answerRows: [[Int]]
    private let answerTargets: [[Int32]]
    private let batchModalities: [Set<Modality>]
    /// Per batch, [answers, vocab] log-probabilities of the unskipped model.
    private let reference: [Tensor]

    /// Packs `examples` (`batchSize` per forward) and runs the unskipped pass.
    public init(model: MultimodalMoE, examples: [Example], batchSize: Int = 8) throws {
        guard !examples.isEmpty else { throw CalibrationError("calibration needs at least one example") }
        guard batchSize >= 1 else { throw CalibrationError("calibration batch size must be at least 1, got \(batchSize)") }
        guard !model.moeLayers.isEmpty else { throw CalibrationError("the model has no MoE layers, so no experts to skip") }
        try Calibration.validate(examples, model.config)
        self.model = model
        self.batchSize = batchSize
        exampleCount = examples.count
        batches = stride(from: 0, to: examples.count, by: batchSize).map {
            Batch(Array(examples[$0..<min($0 + batchSize, examples.count)]), config: model.config)
        }
        answerRows = batches.map { b in b.targets.indices.filter { b.targets[$0] != ignoreIndex } }
        answerTargets = zip(batches, answerRows).map { b, rows in rows.map { b.targets[$0] } }
        answerTokens = answerRows.reduce(0) { $0 + $1.count }
        batchModalities = batches.map { Set($0.modality) }
        modalities = batchModalities.reduce(into: Set()) { $0.formUnion($1) }

        // The unskipped pass: reference log-probabilities and every selected pair's gate.
        let saved = Calibration.installed(model)
        SkipSetup.unskipped(layers: model.moeLayers.count).install(into: model)
        defer { Calibration.restore(model, saved) }
        var gates = [[[Float]]](repeating: [[], [], []], count: model.moeLayers.count)
        var reference: [Tensor] = [], computed = 0, ce = 0.0
        for (b, batch) in batches.enumerated() {
            let logP = Calibration.answerLogProbabilities(model, batch, answerRows[b])
            ce += crossEntropySum(logP, answerTargets[b])
            reference.append(logP)
            for (l, layer) in model.moeLayers.enumerated() {
                computed += layer.computedRows
                for group in layer.groups {
                    guard let r = group.last else { continue }
                    let k = r.tokens.isEmpty ? 0 : r.gates.count / r.tokens.count
                    for (pair, gate) in r.gates.enumerated() { gates[l][r.modality[pair / k].rawValue].append(gate) }
                }
            }
        }
        self.gates = gates
        self.reference = reference
        unskipped = Measurement(skipRatio: 0, computedRows: computed, skippedPairs: 0, kl: 0,
                                crossEntropy: ce / Double(answerTokens))
    }

    /// One pass over the calibration data with `setup` installed.
    public func measure(_ setup: SkipSetup) -> Measurement {
        let saved = Calibration.installed(model)
        setup.install(into: model)
        defer { Calibration.restore(model, saved) }
        var kl = 0.0, ce = 0.0, computed = 0, skipped = 0
        for (b, batch) in batches.enumerated() {
            let logP = Calibration.answerLogProbabilities(model, batch, answerRows[b])
            kl += klSum(reference[b], logP)
            ce += crossEntropySum(logP, answerTargets[b])
            for layer in model.moeLayers {
                computed += layer.computedRows
                skipped += layer.skipCount.skipped.reduce(0, +)
            }
        }
        return Measurement(skipRatio: Double(unskipped.computedRows - computed) / Double(unskipped.computedRows), computedRows: computed,
                           skippedPairs: skipped, kl: kl / Double(answerTokens), crossEntropy: ce / Double(answerTokens))
    }

    // MARK: Global layer importance (GMLG)

    /// `L[ℓ][m]`: mean over answer tokens of KL(p_unskipped ‖ p with MoE layer ℓ's routed experts
    /// bypassed for tokens of modality m), shared experts still running. 0 where m does not occur
    /// in the data or no group of layer ℓ routes it. Only batches holding m are run: examples
    /// without m are untouched by the bypass, so their KL is exactly 0.
    public func layerDivergence() -> [[Double]] {
        let layers = model.moeLayers
        return layers.indices.map { l in
            Modality.allCases.map { m in
                guard modalities.contains(m), layers[l].groups.contains(where: { $0.modalities.contains(m) }) else { return 0 }
                var rules = [SkipRule?](repeating: nil, count: layers.count)
                rules[l] = SkipRule.bypass([m])
                let saved = Calibration.installed(model)
                SkipSetup(name: "bypass", rules: rules).install(into: model)
                defer { Calibration.restore(model, saved) }
                var kl = 0.0
                for (b, batch) in batches.enumerated() where batchModalities[b].contains(m) {
                    kl += klSum(reference[b], Calibration.answerLogProbabilities(model, batch, answerRows[b]))
                }
                return kl / Double(answerTokens)
            }
        }
    }

    /// `α[ℓ][m] = L[ℓ][m] / Σ_ℓ' L[ℓ'][m]`, indexed [MoE layer][modality raw value]; each
    /// modality's column sums to 1. A modality whose divergences are all 0 (absent from the data,
    /// or routed only where the answers cannot see it) gets α uniform over the layers that route
    /// it, so its scores stay on the scale of the calibrated ones (whose α also average
    /// 1/layers); a layer that does not route m gets 0. Runs one pass per layer and modality.
    public func importance() -> [[Float]] {
        let divergence = layerDivergence(), layers = model.moeLayers
        var alpha = [[Float]](repeating: [0, 0, 0], count: layers.count)
        for m in Modality.allCases {
            let total = divergence.reduce(0) { $0 + $1[m.rawValue] }
            let routing = layers.indices.filter { l in layers[l].groups.contains { $0.modalities.contains(m) } }
            for l in routing {
                alpha[l][m.rawValue] = total > 0 ? Float(divergence[l][m.rawValue] / total) : 1 / Float(routing.count)
            }
        }
        return alpha
    }

    /// The global layer importance of `model` on `examples` (see `importance()`).
    public static func importance(model: MultimodalMoE, examples: [Example], batchSize: Int = 8) throws -> [[Float]] {
        try Calibration(model: model, examples: examples, batchSize: batchSize).importance()
    }

    /// The scores `s = α[ℓ][m] · g` of every pair the unskipped pass selected, per modality
    /// (raw value), sorted ascending. Skipping does not change α, so the unskipped pass's gates
    /// are the ones a forward with α in place and no skipping would see.
    public func scores(alpha: [[Float]]) -> [[Float]] {
        precondition(alpha.count == gates.count, "\(alpha.count) rows of α for \(gates.count) MoE layers")
        return Modality.allCases.map { m in
            gates.indices.flatMap { l in gates[l][m.rawValue].map { alpha[l][m.rawValue] * $0 } }.sorted()
        }
    }

    // MARK: Passes

    private static func answerLogProbabilities(_ model: MultimodalMoE, _ batch: Batch, _ rows: [Int]) -> Tensor {
        let logits = model.logits(model.forward(batch), rows: rows)
        let scratch = Tensor(zeros: [logits.cols])
        logSoftmaxForward(logits.data, logits.data, rows: logits.rows, cols: logits.cols, scratch: scratch.data)
        return logits
    }

    private static func installed(_ model: MultimodalMoE) -> [(SkipRule?, Int?)] {
        model.moeLayers.map { ($0.skip, $0.topKOverride) }
    }

    private static func restore(_ model: MultimodalMoE, _ saved: [(SkipRule?, Int?)]) {
        for (layer, s) in zip(model.moeLayers, saved) { (layer.skip, layer.topKOverride) = s }
    }

    private static func validate(_ examples: [Example], _ config: ModelConfig) throws {
        for (i, ex) in examples.enumerated() {
            let length: Int
            do { length = try ex.promptPositions(in: config, name: "calibration example \(i)") + ex.target.count + 1 } catch {
                throw CalibrationError("\(error)")
            }
            guard length <= config.maxPositions else {
                throw CalibrationError("calibration example \(i): \(length) positions exceed max_positions \(config.maxPositions)")
            }
        }
    }
}

/// Σ over rows of KL(p ‖ q), from log-probabilities [rows, vocab], with SIMD accumulators.
func klSum(_ logP: Tensor, _ logQ: Tensor) -> Double {
    let n = logP.cols
    var total = 0.0
    for r in 0..<logP.rows {
        let p = logP.data + r * n, q = logQ.data + r * n
        var acc = F8()
        var i = 0
        while i + 8 <= n {
            let lp = UnsafeRawPointer(p + i).loadUnaligned(as: F8.self)
            let lq = UnsafeRawPointer(q + i).loadUnaligned(as: F8.self)
            acc = acc.addingProduct(vexp(lp), lp - lq)
            i += 8
        }
        var row = acc.sum()
        while i < n { row += vexp(p[i]) * (p[i] - q[i]); i += 1 }
        // KL is never negative; rounding can make a near-zero row dip below.
        total += Double(max(row, 0))
    }
    return total
}

/// Σ over rows of −log q[target], from log-probabilities [rows, vocab].
func crossEntropySum(_ logQ: Tensor, _ targets: [Int32]) -> Double {
    targets.enumerated().reduce(0) { $0 - Double(logQ.data[$1.offset * logQ.cols + Int($1.element)]) }
}

/// Calibration refused its input; one line saying why.
public struct CalibrationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
