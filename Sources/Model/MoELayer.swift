import Foundation
import Inputs
import Kernels

/// The modality-grouped MoE feed-forward (DESIGN §3):
/// `y = Σ_shared FFN_s(x) + Σ_groups Σ_{i ∈ topk} g_i FFN_i(x)`; the block adds the residual.
///
/// The routing losses are computed in `forward` from the routing probabilities:
/// - balance (DeepSeekMoE, expert level): `α Σ_i f_i P_i` per group, `f` without gradient;
/// - modality routing KL band: `w Σ_pairs [max(0, low − D) + max(0, D − high)]` per group, with
///   `D` the symmetric KL between the modalities' mean routing distributions.
/// Their gradients with respect to the probabilities are added in `backward`, scaled by
/// `auxScale` (the trainer's gradient-accumulation factor).
public final class MoELayer {
    public let shared: [SwiGLU]
    public let groups: [ExpertGroup]
    let balanceAlpha: Float
    /// λ divided by the number of MoE layers, so the model's KL term is the mean over layers.
    public var klWeight: Float
    let klBand: (low: Float, high: Float)

    /// Inference only: leave out (token, expert) pairs by this rule.
    public var skip: SkipRule?
    /// Inference baseline: route every token to this many experts instead of the group's top-k.
    public var topKOverride: Int?
    public var auxScale: Float = 1
    /// Set by `MultimodalMoE.loss` around its forward: only a forward that will be trained on
    /// computes the routing losses and their gradient; inference forwards only count skips.
    public var computesLosses = false

    public private(set) var balanceLoss: Float = 0
    public private(set) var klLoss: Float = 0
    /// Symmetric KL per group and modality pair in the last forward, for logs and `inspect`.
    public private(set) var pairKL: [ModalityPairKL] = []
    public private(set) var skipCount = SkipCount()
    /// Rows the routed experts computed in the last forward, over all groups.
    public var computedRows: Int { groups.reduce(0) { $0 + ($1.last?.computedRows ?? 0) } }
    /// What the forwards since `resetUsage()` cost, for benchmarks (a few clock reads per forward).
    public private(set) var usage = Usage()
    private var sharedSaved: [SwiGLU.Saved] = []
    private var dProbs: [Tensor] = []
    private var lossesKept = false

    public init(prefix: String, config c: MoEConfig, d: Int, moeLayers: Int, std: Float, outStd: Float, weights: inout WeightInit) {
        shared = (0..<c.shared).map { SwiGLU("\(prefix).shared.\($0)", d: d, hidden: c.expertHidden, std: std, outStd: outStd, weights: &weights) }
        groups = c.groups.map {
            ExpertGroup(prefix: "\(prefix).groups.\($0.name)", config: $0, d: d, hidden: c.expertHidden,
                        renormalize: c.renormalize, std: std, outStd: outStd, weights: &weights)
        }
        balanceAlpha = c.balanceAlpha
        klWeight = c.klLambda / Float(max(moeLayers, 1))
        klBand = (c.klBand[0], c.klBand[1])
    }

    public var parameters: [Parameter] { shared.flatMap(\.parameters) + groups.flatMap(\.parameters) }

    /// x: [T, d], one modality per row → y: [T, d] (no residual).
    public func forward(_ x: Tensor, modality: [Modality]) -> Tensor {
        precondition(modality.count == x.rows, "MoE: \(modality.count) modality ids for \(x.rows) tokens")
        let start = now()
        var routedSeconds = 0.0
        defer {
            var routed = 0, runs = 0, text = (computed: 0, routed: 0)
            for g in groups {
                guard let last = g.last else { continue }
                let topK = min(g.topK, g.expertCount)
                routed += last.tokens.count * topK
                runs += last.expertRuns
                let r = last.rows(of: Modality.text, topK: topK)
                text = (text.computed + r.computed, text.routed + r.routed)
            }
            usage.add(seconds: now() - start, routedSeconds: routedSeconds, sharedRows: x.rows * shared.count,
                      computedRows: computedRows, routedRows: routed, textRows: text, expertRuns: runs)
        }
        // The first shared expert writes every row of y (beta 0); without one, y starts at zero.
        let y = shared.isEmpty ? Tensor(zeros: x.shape) : Tensor(uninitialized: x.shape)
        if computesLosses {
            sharedSaved = shared.enumerated().map { i, s in s.forward(x, into: y, accumulate: i > 0) }
        } else {
            sharedSaved = []
            let scratch = Tensor(uninitialized: [x.rows, 2 * (shared.first?.hidden ?? 0)])
            for (i, s) in shared.enumerated() { s.infer(x.data, rows: x.rows, into: y.data, scratch: scratch.data, accumulate: i > 0) }
        }
        balanceLoss = 0
        klLoss = 0
        pairKL = []
        skipCount = SkipCount()
        lossesKept = computesLosses
        dProbs = groups.map { g in
            let t0 = now()
            g.forward(x, modality: modality, into: y, skip: skip, topKOverride: topKOverride, keepsForBackward: computesLosses)
            routedSeconds += now() - t0
            countSkips(g)
            return computesLosses ? routingLosses(g) : Tensor(zeros: [0, g.expertCount])
        }
        return y
    }

    public func resetUsage() { usage = Usage() }

    /// dy: [T, d] → dx: [T, d]; accumulates every parameter's gradient, routing losses included.
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(lossesKept, "MoELayer.backward after an inference forward (no routing-loss gradient kept)")
        let dx = shared.isEmpty ? Tensor(zeros: dy.shape) : Tensor(uninitialized: dy.shape)
        for (i, (s, saved)) in zip(shared, sharedSaved).enumerated() { s.backward(dy, saved, into: dx, accumulate: i > 0) }
        for (g, dp) in zip(groups, dProbs) {
            let scaled = dp.copy()
            scale(scaled.data, auxScale, scaled.count)
            g.backward(dy, dProbs: scaled, into: dx)
        }
        return dx
    }

    /// Counts group g's selected and skipped (token, expert) pairs per modality.
    private func countSkips(_ g: ExpertGroup) {
        guard let r = g.last, !r.tokens.isEmpty else { return }
        let k = r.selected.count / r.tokens.count
        for (pair, s) in r.skipped.enumerated() {
            let m = r.modality[pair / k].rawValue
            skipCount.selected[m] += 1
            if s { skipCount.skipped[m] += 1 }
        }
    }

    /// Adds group g's balance and KL band losses to the running totals and returns their
    /// gradient with respect to the group's routing probabilities [T_g, E].
    private func routingLosses(_ g: ExpertGroup) -> Tensor {
        guard let r = g.last else { return Tensor(zeros: [0, g.expertCount]) }
        let t = r.tokens.count, e = g.expertCount, k = t == 0 ? 0 : r.selected.count / t
        let dp = Tensor(zeros: [t, e])
        guard t > 0 else { return dp }

        // Balance: f_i = E/(k T) · load_i, P_i = mean_t p_ti; dL/dp_ti = α f_i / T.
        let load = g.lastLoad
        let meanP = Tensor(zeros: [e])
        sumRows(r.probs, into: meanP, accumulate: false)
        scale(meanP.data, 1 / Float(t), e)
        var f = [Float](repeating: 0, count: e)
        for i in 0..<e {
            f[i] = Float(e) / Float(k * t) * Float(load[i])
            balanceLoss += balanceAlpha * f[i] * meanP.data[i]
        }
        for row in 0..<t { for i in 0..<e { dp.data[row * e + i] += balanceAlpha * f[i] / Float(t) } }

        // KL band between the mean routing of each pair of served modalities present.
        let present = g.modalities.filter { m in r.modality.contains(m) }
        var mean: [Modality: [Float]] = [:], count: [Modality: Int] = [:]
        for m in present {
            let rows = r.modality.indices.filter { r.modality[$0] == m }
            var acc = [Float](repeating: 0, count: e)
            for row in rows { for i in 0..<e { acc[i] += r.probs.data[row * e + i] } }
            mean[m] = acc.map { $0 / Float(rows.count) }
            count[m] = rows.count
        }
        for (ai, a) in present.enumerated() {
            for b in present[(ai + 1)...] {
                let pa = mean[a]!, pb = mean[b]!
                var divergence: Float = 0
                for i in 0..<e { divergence += (pa[i] - pb[i]) * (Foundation.log(pa[i]) - Foundation.log(pb[i])) }
                pairKL.append(ModalityPairKL(group: g.name, a: a, b: b, divergence: divergence))
                let slope: Float = divergence < klBand.low ? -1 : (divergence > klBand.high ? 1 : 0)
                klLoss += klWeight * (max(0, klBand.low - divergence) + max(0, divergence - klBand.high))
                guard slope != 0, klWeight != 0 else { continue }
                // dD/dpa_i = log pa_i − log pb_i + 1 − pb_i/pa_i (and symmetrically for b).
                for (m, other) in [(a, b), (b, a)] {
                    let pm = mean[m]!, po = mean[other]!
                    let per = (0..<e).map { i in
                        klWeight * slope * (Foundation.log(pm[i]) - Foundation.log(po[i]) + 1 - po[i] / pm[i]) / Float(count[m]!)
                    }
                    for row in 0..<t where r.modality[row] == m {
                        for i in 0..<e { dp.data[row * e + i] += per[i] }
                    }
                }
            }
        }
        return dp
    }

    /// DeepSeek-V3 loss-free balancing: after a step, move each expert's selection bias by
    /// ±rate towards the group's mean load.
    public func updateSelectionBias(rate: Float, loads: [[Int]]) {
        for (g, load) in zip(groups, loads) {
            let mean = Float(load.reduce(0, +)) / Float(max(load.count, 1))
            for i in 0..<g.expertCount {
                let l = Float(load[i])
                g.selectionBias.data[i] += l < mean ? rate : (l > mean ? -rate : 0)
            }
        }
    }
}

extension MoELayer {
    /// Accumulated cost of forwards: wall time, and routed-expert rows computed against the rows
    /// the groups' own top-k would have computed for the same tokens (so 1 − computed/routed is
    /// the fraction left out, by skip rules or a reduced top-k alike).
    public struct Usage: Sendable, Equatable {
        /// The whole layer: shared experts, routing, routed experts, routing losses.
        public var seconds = 0.0
        /// Inside the groups alone (routing and routed experts): the part skipping can shrink.
        public var routedSeconds = 0.0
        /// Rows the shared experts computed (every token, once per shared expert). Shared and
        /// routed experts have the same hidden size, so a row is the same work in either.
        public var sharedRows = 0
        public var computedRows = 0
        public var routedRows = 0
        /// The same two counts for text tokens alone: a decoding step feeds text only, so its
        /// saving follows how much of the text's routed work is left out, not the overall ratio.
        public var computedTextRows = 0
        public var routedTextRows = 0
        /// Routed experts run, one per expert per forward that gave it at least one row.
        public var expertRuns = 0

        mutating func add(seconds s: Double, routedSeconds r: Double, sharedRows shared: Int, computedRows computed: Int,
                          routedRows routed: Int, textRows text: (computed: Int, routed: Int), expertRuns runs: Int) {
            seconds += s
            routedSeconds += r
            sharedRows += shared
            computedRows += computed
            routedRows += routed
            computedTextRows += text.computed
            routedTextRows += text.routed
            expertRuns += runs
        }
    }
}

public struct ModalityPairKL: Sendable, Equatable {
    public let group: String
    public let a: Modality
    public let b: Modality
    public let divergence: Float
}
