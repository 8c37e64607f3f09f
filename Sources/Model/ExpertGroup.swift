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
        let dispatch: [ExpertDispatch]    // per expert

        /// Rows the experts' GEMMs actually ran on (one per kept pair): skipped pairs are absent,
        /// which is where skipping saves time.
        public var computedRows: Int { dispatch.reduce(0) { $0 + ($1.out?.rows ?? 0) } }
    }

    struct ExpertDispatch {
        let pairs: [Int]                  // indices into the [T_g, k] pair table, in row order
        let saved: SwiGLU.Saved?
        let out: Tensor?                  // [n_e, d] ungated expert output
    }

    public private(set) var last: Routing?

    public init(prefix: String, config g: ExpertGroupConfig, d: Int, hidden: Int, renormalize: Bool,
                std: Float, outStd: Float, rng: inout SplitMix) {
        name = g.name
        modalities = g.modalities
        topK = g.topK
        self.renormalize = renormalize
        experts = (0..<g.experts).map { SwiGLU("\(prefix).experts.\($0)", d: d, hidden: hidden, std: std, outStd: outStd, rng: &rng) }
        router = Parameter("\(prefix).router", Tensor(randomNormal: [g.experts, d], std: std, rng: &rng))
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
    /// expert outputs into `y` [T, d]. `skip` decides per pair whether to leave it out.
    func forward(_ x: Tensor, modality: [Modality], into y: Tensor, skip: SkipRule?, topKOverride: Int?) {
        let d = x.cols, e = expertCount
        let tokens = modality.indices.filter { modalities.contains(modality[$0]) }
        let rowModality = tokens.map { modality[$0] }
        let t = tokens.count
        let k = min(topKOverride ?? topK, e)
        let xg = Tensor(zeros: [t, d])
        gatherRows(x, tokens, into: xg)

        // p = softmax(x Rᵀ + b_m)
        let probs = Tensor(zeros: [t, e])
        matmul(xg, router.value, transB: true, into: probs)
        for r in 0..<t { axpy(1, bias[rowModality[r]]!.value.data, probs.data + r * e, e) }
        softmaxForward(probs.data, probs.data, rows: t, cols: e)

        var selected = [Int32](repeating: 0, count: t * k)
        var gates = [Float](repeating: 0, count: t * k)
        var skipped = [Bool](repeating: false, count: t * k)
        let choice = Tensor(zeros: [e])
        for r in 0..<t {
            let p = probs.data + r * e
            choice.data.update(from: p, count: e)
            axpy(1, selectionBias.data, choice.data, e)
            selected.withUnsafeMutableBufferPointer { Kernels.topK(choice.data, n: e, k: k, into: $0.baseAddress! + r * k) }
            var total: Float = 0
            for s in 0..<k { total += p[Int(selected[r * k + s])] }
            for s in 0..<k {
                let g = p[Int(selected[r * k + s])]
                gates[r * k + s] = renormalize ? g / total : g
                if let skip, skip.skips(gate: gates[r * k + s], modality: rowModality[r]) {
                    skipped[r * k + s] = true
                    gates[r * k + s] = 0
                }
            }
        }

        // Counting sort of the kept pairs by expert, then one gathered GEMM chain per expert.
        var perExpert = [[Int]](repeating: [], count: e)
        for pair in 0..<(t * k) where !skipped[pair] { perExpert[Int(selected[pair])].append(pair) }
        var dispatch: [ExpertDispatch] = []
        for (i, pairs) in perExpert.enumerated() {
            guard !pairs.isEmpty else { dispatch.append(ExpertDispatch(pairs: [], saved: nil, out: nil)); continue }
            let xe = Tensor(zeros: [pairs.count, d])
            gatherRows(xg, pairs.map { $0 / k }, into: xe)
            let out = Tensor(zeros: [pairs.count, d])
            let saved = experts[i].forward(xe, into: out)
            for (r, pair) in pairs.enumerated() {
                axpy(gates[pair], out.data + r * d, y.data + tokens[pair / k] * d, d)
            }
            dispatch.append(ExpertDispatch(pairs: pairs, saved: saved, out: out))
        }
        last = Routing(tokens: tokens, modality: rowModality, x: xg, probs: probs, selected: selected,
                       gates: gates, skipped: skipped, dispatch: dispatch)
    }

    /// Adds this group's part of dx [T, d] given dy [T, d] and the routing losses' gradient
    /// with respect to `probs` (`dProbs` [T_g, E], already scaled).
    func backward(_ dy: Tensor, dProbs: Tensor, into dx: Tensor) {
        guard let r = last else { preconditionFailure("ExpertGroup.backward before forward") }
        let d = dy.cols, e = expertCount, t = r.tokens.count, k = r.selected.count / max(t, 1)
        guard t > 0 else { return }
        var dGates = [Float](repeating: 0, count: t * k)
        let dxg = Tensor(zeros: [t, d])
        for (i, disp) in r.dispatch.enumerated() {
            guard let saved = disp.saved, let out = disp.out else { continue }
            let n = disp.pairs.count
            let dOut = Tensor(zeros: [n, d])
            for (row, pair) in disp.pairs.enumerated() {
                let dyRow = dy.data + r.tokens[pair / k] * d
                dGates[pair] = dot(dyRow, out.data + row * d, d)
                axpy(r.gates[pair], dyRow, dOut.data + row * d, d)
            }
            let dxe = Tensor(zeros: [n, d])
            experts[i].backward(dOut, saved, into: dxe)
            for (row, pair) in disp.pairs.enumerated() { axpy(1, dxe.data + row * d, dxg.data + (pair / k) * d, d) }
        }

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
        let dLogits = Tensor(zeros: [t, e])
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

/// out[i, :] = x[rows[i], :]
func gatherRows(_ x: Tensor, _ rows: [Int], into out: Tensor) {
    let d = x.cols
    for (i, r) in rows.enumerated() { (out.data + i * d).update(from: x.data + r * d, count: d) }
}
