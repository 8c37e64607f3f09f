import Inputs
import Kernels

/// One group of routed experts serving a fixed set of modalities (DESIGN §3).
///
/// Routing, token choice: `p = softmax(x Rᵀ + b_m)` over the group's experts, the top-k by `p`
/// (plus the loss-free selection bias when on), gate = `p` (or renormalised over the top-k).
/// Dispatch never loops over tokens for compute: (token, expert) pairs are counting-sorted by
/// expert, each expert's rows are gathered into one matrix, each expert runs its three GEMMs
/// once, and the gated outputs are scatter-added back. Backward mirrors it.
public final class ExpertGroup {
    public let name: String
    public let modalities: [Modality]
    public let topK: Int
    public let experts: [SwiGLU]
    public let router: Parameter             // [E, d]
    public let bias: [Modality: Parameter]   // [E] per served modality
    /// DeepSeek-V3 loss-free balancing: added to `p` only to choose experts; moved by the trainer.
    public let selectionBias: Tensor         // [E]
    let renormalize: Bool

    /// Everything backward needs from the last forward, plus what `inspect` reports.
    public struct Routing {
        public let tokens: [Int]          // the group's token indices in the layer input
        public let modality: [Modality]   // per group row
        let x: Tensor                     // [T_g, d] gathered input
        public let probs: Tensor          // [T_g, E]
        public let selected: [Int32]      // [T_g, k]
        public let gates: [Float]         // [T_g, k]; 0 where skipped
        public let skipped: [Bool]        // [T_g, k]
        /// The kept pairs (indices into the [T_g, k] table) sorted by expert; expert i's rows of
        /// `out` are `offsets[i]..<offsets[i+1]`.
        let order: [Int]
        let offsets: [Int]                // [E + 1]
        let out: Tensor                   // [kept, d] ungated expert outputs, in `order`
        let saved: [SwiGLU.Saved?]        // per expert; nil when it ran on no rows

        /// Rows the experts' GEMMs actually ran on (one per kept pair): skipped pairs are absent,
        /// which is where skipping saves time.
        public var computedRows: Int { order.count }

        /// Experts that ran (got at least one row). With the few rows of a decoding step an
        /// expert's cost is mostly reading its weights, so time follows this more than rows.
        public var expertRuns: Int {
            var runs = 0
            for i in 0..<(offsets.count - 1) where offsets[i + 1] > offsets[i] { runs += 1 }
            return runs
        }

        /// Computed rows of modality `m`'s tokens, and the rows the group's own top-k would have
        /// computed for them.
        func rows(of m: Modality, topK: Int) -> (computed: Int, routed: Int) {
            guard !tokens.isEmpty else { return (0, 0) }
            let k = selected.count / tokens.count
            let computed = order.reduce(0) { $0 + (modality[$1 / k] == m ? 1 : 0) }
            return (computed, modality.reduce(0) { $0 + ($1 == m ? topK : 0) })
        }
    }

    public private(set) var last: Routing?

    public init(prefix: String, config g: ExpertGroupConfig, d: Int, hidden: Int, renormalize: Bool,
                std: Float, outStd: Float, weights: inout WeightInit) {
        name = g.name
        modalities = g.modalities
        topK = g.topK
        self.renormalize = renormalize
        experts = (0..<g.experts).map { SwiGLU("\(prefix).experts.\($0)", d: d, hidden: hidden, std: std, outStd: outStd, weights: &weights) }
        router = Parameter("\(prefix).router", weights.normal([g.experts, d], std: std))
        var b: [Modality: Parameter] = [:]
        for m in g.modalities { b[m] = Parameter("\(prefix).bias.\(m.rawValue)", Tensor(zeros: [g.experts]), decays: false) }
        bias = b
        selectionBias = Tensor(zeros: [g.experts])
    }

    public var expertCount: Int { experts.count }
    public var parameters: [Parameter] {
        [router] + modalities.compactMap { bias[$0] } + experts.flatMap(\.parameters)
    }

    /// Routes the rows of `x` [T, d] whose modality this group serves and adds their gated
    /// expert outputs into `y` [T, d]. `skip` decides per pair whether to leave it out. Only a
    /// forward that `keepsForBackward` keeps the experts' activations (`Routing.saved`).
    func forward(_ x: Tensor, modality: [Modality], into y: Tensor, skip: SkipRule?, topKOverride: Int?,
                 keepsForBackward: Bool) {
        let d = x.cols, e = expertCount
        let serves = Modality.allCases.map { modalities.contains($0) }
        let tokens = modality.indices.filter { serves[modality[$0].rawValue] }
        let rowModality = tokens.map { modality[$0] }
        let t = tokens.count
        // A decoding step feeds text only, so the media group gets no rows: nothing to set up.
        guard t > 0 else { last = noRows(d: d); return }
        let k = min(topKOverride ?? topK, e)
        let xg = Tensor(uninitialized: [t, d])
        gatherRows(x, tokens, into: xg)

        // p = softmax(x Rᵀ + b_m)
        let probs = Tensor(uninitialized: [t, e])
        matmul(xg, router.value, transB: true, into: probs)
        let rowBias = Modality.allCases.map { bias[$0]?.value }
        for r in 0..<t { axpy(1, rowBias[rowModality[r].rawValue]!.data, probs.data + r * e, e) }
        softmaxForward(probs.data, probs.data, rows: t, cols: e)

        var selected = [Int32](repeating: 0, count: t * k)
        var gates = [Float](repeating: 0, count: t * k)
        var skipped = [Bool](repeating: false, count: t * k)
        let choice = Tensor(uninitialized: [e])
        selected.withUnsafeMutableBufferPointer { sel in
            for r in 0..<t {
                let p = probs.data + r * e
                choice.data.update(from: p, count: e)
                axpy(1, selectionBias.data, choice.data, e)
                Kernels.topK(choice.data, n: e, k: k, into: sel.baseAddress! + r * k)
                var total: Float = 0
                for s in 0..<k { total += p[Int(sel[r * k + s])] }
                for s in 0..<k {
                    let g = p[Int(sel[r * k + s])]
                    gates[r * k + s] = renormalize ? g / total : g
                    if let skip, skip.skips(gate: gates[r * k + s], modality: rowModality[r]) {
                        skipped[r * k + s] = true
                        gates[r * k + s] = 0
                    }
                }
            }
        }

        // Counting sort of the kept pairs by expert; one gather, then each expert's three GEMMs
        // on its contiguous block of rows; skipped pairs are in no block.
        var offsets = [Int](repeating: 0, count: e + 1)
        for pair in 0..<(t * k) where !skipped[pair] { offsets[Int(selected[pair]) + 1] += 1 }
        for i in 0..<e { offsets[i + 1] += offsets[i] }
        var order = [Int](repeating: 0, count: offsets[e])
        var cursor = offsets
        for pair in 0..<(t * k) where !skipped[pair] {
            let i = Int(selected[pair])
            order[cursor[i]] = pair
            cursor[i] += 1
        }
        let xs = Tensor(uninitialized: [order.count, d])
        gatherRows(xg, order.map { $0 / k }, into: xs)
        let out = Tensor(uninitialized: [order.count, d])
        let saved = runExperts(xs, offsets: offsets, into: out, keepsForBackward: keepsForBackward)
        for (row, pair) in order.enumerated() {
            axpy(gates[pair], out.data + row * d, y.data + tokens[pair / k] * d, d)
        }
        last = Routing(tokens: tokens, modality: rowModality, x: xg, probs: probs, selected: selected, gates: gates,
                       skipped: skipped, order: order, offsets: offsets, out: out, saved: saved)
    }

    /// The routing of a forward that gave the group no rows, made once per width.
    private func noRows(d: Int) -> Routing {
        if let r = emptyRouting, r.x.cols == d { return r }
        let e = expertCount, none = Tensor(zeros: [0, d])
        let r = Routing(tokens: [], modality: [], x: none, probs: Tensor(zeros: [0, e]), selected: [], gates: [], skipped: [],
                        order: [], offsets: [Int](repeating: 0, count: e + 1), out: none,
                        saved: [SwiGLU.Saved?](repeating: nil, count: e))
        emptyRouting = r
        return r
    }
    private var emptyRouting: Routing?

    /// Expert i's SwiGLU on rows `offsets[i]..<offsets[i+1]` of `xs` into the same rows of `out`.
    /// The experts are independent, so the cores split them (in contiguous runs of about equal
    /// rows) and each expert's GEMMs run single-threaded, rather than OpenBLAS splitting each
    /// small GEMM (tens to hundreds of rows) over its threads. Inside a micro-batch (training)
    /// this runs inline, as every `parallelFor` there does. Without backward, the experts share
    /// one scratch block for their hidden activations instead of allocating their own.
    private func runExperts(_ xs: Tensor, offsets: [Int], into out: Tensor, keepsForBackward: Bool) -> [SwiGLU.Saved?] {
        var saved = [SwiGLU.Saved?](repeating: nil, count: expertCount)
        let parts = offsets.last! >= Self.parallelRows * Cores.count ? Cores.count : 1
        let d = xs.cols, hidden = experts.first?.hidden ?? 0
        let scratch = keepsForBackward ? nil : Tensor(uninitialized: [offsets.last!, 2 * hidden])
        saved.withUnsafeMutableBufferPointer { saved in
            parallelFor(ranges: balancedRuns(offsets: offsets, parts: parts)) { experts in
                for i in experts where offsets[i + 1] > offsets[i] {
                    let rows = offsets[i]..<offsets[i + 1]
                    if let scratch {
                        self.experts[i].infer(xs.data + rows.lowerBound * d, rows: rows.count, into: out.data + rows.lowerBound * d,
                                              scratch: scratch.data + rows.lowerBound * 2 * hidden)
                    } else {
                        saved[i] = self.experts[i].forward(xs.slice(rows), into: out.slice(rows))
                    }
                }
            }
        }
        return saved
    }

    /// Below this many rows per core, one thread runs every expert (a thread hop costs more).
    static let parallelRows = 128

    /// Adds this group's part of dx [T, d] given dy [T, d] and the routing losses' gradient
    /// with respect to `probs` (`dProbs` [T_g, E], already scaled).
    func backward(_ dy: Tensor, dProbs: Tensor, into dx: Tensor) {
        guard let r = last else { preconditionFailure("ExpertGroup.backward before forward") }
        let d = dy.cols, e = expertCount, t = r.tokens.count, k = r.selected.count / max(t, 1)
        guard t > 0 else { return }
        // dOut = g · dy per kept pair; dg = dy · out (the ungated output).
        var dGates = [Float](repeating: 0, count: t * k)
        let dOut = Tensor(uninitialized: [r.order.count, d])
        for (row, pair) in r.order.enumerated() {
            let dyRow = dy.data + r.tokens[pair / k] * d
            dGates[pair] = dot(dyRow, r.out.data + row * d, d)
            scale(dyRow, r.gates[pair], into: dOut.data + row * d, d)
        }
        let dxs = Tensor(uninitialized: [r.order.count, d])
        for i in 0..<e {
            guard let saved = r.saved[i] else { continue }
            let rows = r.offsets[i]..<r.offsets[i + 1]
            experts[i].backward(dOut.slice(rows), saved, into: dxs.slice(rows))
        }
        let dxg = Tensor(zeros: [t, d])
        for (row, pair) in r.order.enumerated() { axpy(1, dxs.data + row * d, dxg.data + (pair / k) * d, d) }

        // Gate gradients onto p (through the renormalisation when on), then through the softmax.
        let dp = dProbs
        for row in 0..<t {
            let p = r.probs.data + row * e, dpr = dp.data + row * e
            if renormalize {
                var total: Float = 0, weighted: Float = 0
                for s in 0..<k { total += p[Int(r.selected[row * k + s])] }
                for s in 0..<k { weighted += dGates[row * k + s] * r.gates[row * k + s] }
                for s in 0..<k where !r.skipped[row * k + s] {
                    dpr[Int(r.selected[row * k + s])] += (dGates[row * k + s] - weighted) / total
                }
            } else {
                for s in 0..<k where !r.skipped[row * k + s] { dpr[Int(r.selected[row * k + s])] += dGates[row * k + s] }
            }
        }
        let dLogits = Tensor(uninitialized: [t, e])
        softmaxBackward(r.probs.data, dp.data, dLogits.data, rows: t, cols: e)
        matmul(dLogits, r.x, transA: true, into: router.grad, beta: 1)
        for row in 0..<t { axpy(1, dLogits.data + row * e, bias[r.modality[row]]!.grad.data, e) }
        matmul(dLogits, router.value, into: dxg, beta: 1)
        for (row, token) in r.tokens.enumerated() { axpy(1, dxg.data + row * d, dx.data + token * d, d) }
    }

    /// Tokens that chose each expert in the last forward (skipped pairs included).
    public var lastLoad: [Int] {
        var load = [Int](repeating: 0, count: expertCount)
        for s in last?.selected ?? [] { load[Int(s)] += 1 }
        return load
    }
}

/// Experts `0..<E` in `parts` contiguous runs of about equal rows, cut where the running row
/// count (`offsets`, the prefix sums) comes nearest to each equal share.
func balancedRuns(offsets: [Int], parts: Int) -> [Range<Int>] {
    let e = offsets.count - 1, total = offsets[e]
    var runs: [Range<Int>] = [], lo = 0
    for c in 1..<max(parts, 1) {
        let goal = total * c / parts
        var cut = lo
        while cut < e && abs(offsets[cut + 1] - goal) <= abs(offsets[cut] - goal) { cut += 1 }
        runs.append(lo..<cut)
        lo = cut
    }
    runs.append(lo..<e)
    return runs
}

/// out[i, :] = x[rows[i], :]
func gatherRows(_ x: Tensor, _ rows: [Int], into out: Tensor) {
    let d = x.cols
    for (i, r) in rows.enumerated() { (out.data + i * d).update(from: x.data + r * d, count: d) }
}
