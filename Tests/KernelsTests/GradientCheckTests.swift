import Foundation
import Kernels
import Testing
import TestSupport

/// Finite-difference checks for the backward passes the fixtures do not cover directly.
/// Each compares the analytic gradient of `L = Σ y ⊙ dy` with central differences in Double.
@Suite struct GradientCheckTests {
    /// Central differences of `loss` with respect to each element of `x`.
    func numericGradient(_ x: Tensor, step: Float = 1e-2, _ loss: () -> Double) -> [Float] {
        (0..<x.count).map { i in
            let saved = x.data[i]
            x.data[i] = saved + step; let up = loss()
            x.data[i] = saved - step; let down = loss()
            x.data[i] = saved
            return Float((up - down) / Double(2 * step))
        }
    }

    func weightedSum(_ y: Tensor, _ dy: Tensor) -> Double {
        (0..<y.count).reduce(0.0) { $0 + Double(y.data[$1]) * Double(dy.data[$1]) }
    }

    func random(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
        var rng = SplitMix(seed: seed)
        return Tensor(randomNormal: shape, std: std, rng: &rng)
    }

    @Test func softmaxBackwardMatchesFiniteDifferences() {
        let x = random([3, 9], seed: 1), dy = random([3, 9], seed: 2)
        let y = x.softmax(), dx = Tensor(zeros: x.shape)
        softmaxBackward(y.data, dy.data, dx.data, rows: 3, cols: 9)
        let numeric = numericGradient(x) { weightedSum(x.softmax(), dy) }
        let r = closeness(dx.array, numeric, rtol: 1e-2, atol: 1e-3, "softmax dx")
        #expect(r.ok, "\(r.message)")
    }

    @Test func logSoftmaxBackwardMatchesFiniteDifferences() {
        let x = random([3, 9], seed: 3), dy = random([3, 9], seed: 4)
        let y = x.logSoftmax(), dx = Tensor(zeros: x.shape)
        logSoftmaxBackward(y.data, dy.data, dx.data, rows: 3, cols: 9)
        let numeric = numericGradient(x) { weightedSum(x.logSoftmax(), dy) }
        let r = closeness(dx.array, numeric, rtol: 1e-2, atol: 1e-3, "log-softmax dx")
        #expect(r.ok, "\(r.message)")
    }

    @Test(arguments: ["silu", "gelu_tanh", "gelu_erf"])
    func activationBackwardMatchesFiniteDifferences(name: String) {
        let x = random([40], seed: 5, std: 2), dy = random([40], seed: 6)
        let (fwd, bwd): ((UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
                         (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) =
            switch name {
            case "silu": (siluForward, siluBackward)
            case "gelu_tanh": (geluTanhForward, geluTanhBackward)
            default: (geluErfForward, geluErfBackward)
            }
        let y = Tensor(zeros: x.shape), dx = Tensor(zeros: x.shape)
        bwd(x.data, dy.data, dx.data, x.count)
        let numeric = numericGradient(x, step: 1e-3) { fwd(x.data, y.data, x.count); return weightedSum(y, dy) }
        let r = closeness(dx.array, numeric, rtol: 1e-2, atol: 1e-3, "\(name) dx")
        #expect(r.ok, "\(r.message)")
    }

    @Test func nonCausalAttentionWithOffsetQueriesMatchesFiniteDifferences() {
        // Queries at positions 2..<5 over 5 keys: the KV-cache shape, and the encoders' non-causal one.
        for causal in [true, false] {
            let shape = AttentionShape(queries: 3, keys: 5, heads: 2, headDim: 4, queryStart: 2, causal: causal)
            let q = random([3, 8], seed: 7), k = random([5, 8], seed: 8), v = random([5, 8], seed: 9), dy = random([3, 8], seed: 10)
            let out = Tensor(zeros: [3, 8]), probs = Tensor(zeros: [shape.probsCount])
            func loss() -> Double { attentionForward(q.data, k.data, v.data, out.data, probs: probs.data, shape); return weightedSum(out, dy) }
            _ = loss()
            let dq = Tensor(zeros: q.shape), dk = Tensor(zeros: k.shape), dv = Tensor(zeros: v.shape), scratch = Tensor(zeros: [15])
            attentionBackward(q.data, k.data, v.data, probs: probs.data, dy.data, dq.data, dk.data, dv.data, scratch: scratch.data, shape)
            for (name, param, grad) in [("dq", q, dq), ("dk", k, dk), ("dv", v, dv)] {
                let r = closeness(grad.array, numericGradient(param, loss), rtol: 1e-2, atol: 1e-3, "\(name) causal=\(causal)")
                #expect(r.ok, "\(r.message)")
            }
        }
    }

    @Test func embeddingScatterAddsRepeatedIds() {
        let table = random([4, 3], seed: 11)
        let ids: [Int32] = [2, 0, 2]
        let out = Tensor(zeros: [3, 3])
        embeddingForward(table.data, ids: ids, count: 3, dim: 3, out.data)
        #expect(out[0].array == table[2].array && out[1].array == table[0].array, "gather picked the wrong rows")
        let dout = Tensor(shape: [3, 3], values: [1, 1, 1, 2, 2, 2, 3, 3, 3])
        let dtable = Tensor(zeros: [4, 3])
        embeddingBackward(dout.data, ids: ids, count: 3, dim: 3, dtable.data)
        #expect(dtable.array == [2, 2, 2, 0, 0, 0, 4, 4, 4, 0, 0, 0], "scatter-add gave \(dtable.array)")
    }

    @Test func topKPrefersLowerIndexOnTies() {
        let v: [Float] = [0.1, 0.5, 0.2, 0.5, 0.05]
        var idx = [Int32](repeating: -1, count: 3)
        topK(v, n: 5, k: 3, into: &idx)
        #expect(idx == [1, 3, 2], "top-3 of \(v) gave \(idx)")
    }

    @Test func vectorExpIsAccurateAcrossTheRange() {
        var worst: Float = 0
        for i in 0..<2000 {
            let x = -80 + Float(i) * 0.08
            worst = max(worst, abs(vexp(x) - Foundation.exp(x)) / Foundation.exp(x))
        }
        #expect(worst < 5e-7, "worst relative error of vexp over [-80, 80] is \(worst)")
    }
}
