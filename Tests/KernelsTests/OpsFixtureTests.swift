import Foundation
import Kernels
import Testing
import TestSupport

/// Every kernel against `ops.safetensors` (JAX, float64), within 1e-4 relative / 1e-5 absolute.
@Suite struct OpsFixtureTests {
    let ops: SafeTensorsFile

    init() throws { ops = try SafeTensorsFile(contentsOf: Fixtures.url("ops.safetensors")) }

    func t(_ name: String) throws -> Tensor { try ops.tensor(name) }

    func expectMatch(_ actual: Tensor, _ name: String) throws {
        let r = closeness(actual.array, try t(name).array, name)
        #expect(r.ok, "\(r.message)")
    }

    @Test(arguments: ["7x5x3", "64x96x33", "1x128x257"])
    func matmulMatchesReference(shape: String) throws {
        try expectMatch(matmul(try t("matmul.\(shape).a"), try t("matmul.\(shape).b")), "matmul.\(shape).c")
    }

    @Test func softmaxAndLogSoftmaxAreStableForLargeInputs() throws {
        let x = try t("softmax.x")
        try expectMatch(x.softmax(), "softmax.y")
        try expectMatch(x.logSoftmax(), "log_softmax.y")
    }

    @Test func crossEntropyIgnoresMaskedRowsAndMatchesGradient() throws {
        let logits = try t("cross_entropy.logits")
        let targets = try ops.int64s("cross_entropy.targets").map(Int32.init)
        let valid = targets.filter { $0 != ignoreIndex }.count
        let dlogits = Tensor(zeros: logits.shape)
        let (total, count) = crossEntropy(logits.data, targets: targets, rows: logits.rows, cols: logits.cols,
                                          dlogits: dlogits.data, gradScale: 1 / Float(valid))
        #expect(count == valid, "counted \(count) rows, \(valid) are not ignored")
        let r = closeness([Float(total / Double(count))], try t("cross_entropy.loss").array, "cross_entropy.loss")
        #expect(r.ok, "\(r.message)")
        try expectMatch(dlogits, "cross_entropy.dlogits")
    }

    @Test func rmsNormForwardAndBackwardMatch() throws {
        let x = try t("norm.x"), w = try t("norm.w"), dy = try t("norm.dy")
        let y = Tensor(zeros: x.shape), rstd = Tensor(zeros: [x.rows])
        rmsNormForward(x.data, w.data, y.data, rstd: rstd.data, rows: x.rows, cols: x.cols)
        try expectMatch(y, "rmsnorm.y")
        let dx = Tensor(zeros: x.shape), dw = Tensor(zeros: w.shape)
        rmsNormBackward(x.data, w.data, rstd: rstd.data, dy.data, dx.data, dw.data, rows: x.rows, cols: x.cols)
        try expectMatch(dx, "rmsnorm.dx")
        try expectMatch(dw, "rmsnorm.dw")
    }

    @Test func layerNormForwardAndBackwardMatch() throws {
        let x = try t("norm.x"), w = try t("norm.w"), b = try t("norm.b"), dy = try t("norm.dy")
        let y = Tensor(zeros: x.shape), mean = Tensor(zeros: [x.rows]), rstd = Tensor(zeros: [x.rows])
        layerNormForward(x.data, w.data, b.data, y.data, mean: mean.data, rstd: rstd.data, rows: x.rows, cols: x.cols)
        try expectMatch(y, "layernorm.y")
        let dx = Tensor(zeros: x.shape), dw = Tensor(zeros: w.shape), db = Tensor(zeros: b.shape)
        layerNormBackward(x.data, w.data, mean: mean.data, rstd: rstd.data, dy.data, dx.data, dw.data, db.data,
                          rows: x.rows, cols: x.cols)
        try expectMatch(dx, "layernorm.dx")
        try expectMatch(dw, "layernorm.dw")
        try expectMatch(db, "layernorm.db")
    }

    @Test func activationsMatch() throws {
        let x = try t("act.x")
        let y = Tensor(zeros: x.shape)
        siluForward(x.data, y.data, x.count)
        try expectMatch(y, "act.silu")
        geluTanhForward(x.data, y.data, x.count)
        try expectMatch(y, "act.gelu_tanh")
        geluErfForward(x.data, y.data, x.count)
        try expectMatch(y, "act.gelu_erf")
    }

    @Test func swigluForwardAndBackwardMatch() throws {
        // The fixture stores weights [in, out]; the kernels take nn.Linear's [out, in].
        let x = try t("swiglu.x"), dy = try t("swiglu.dy")
        let w1 = try t("swiglu.w1").transposed(), w3 = try t("swiglu.w3").transposed(), w2 = try t("swiglu.w2").transposed()
        let a = matmul(x, w1, transB: true), b = matmul(x, w3, transB: true)
        let h = Tensor(zeros: a.shape)
        swigluForward(a.data, b.data, h.data, h.count)
        try expectMatch(matmul(h, w2, transB: true), "swiglu.y")

        let dh = matmul(dy, w2), da = Tensor(zeros: a.shape), db = Tensor(zeros: b.shape)
        swigluBackward(a.data, b.data, dh.data, da.data, db.data, dh.count)
        try expectMatch(matmul(x, da, transA: true), "swiglu.dw1")
        try expectMatch(matmul(x, db, transA: true), "swiglu.dw3")
        try expectMatch(matmul(h, dy, transA: true), "swiglu.dw2")
        let dx = matmul(da, w1)
        matmul(db, w3, into: dx, beta: 1)
        try expectMatch(dx, "swiglu.dx")
    }

    @Test func causalRotaryAttentionForwardAndBackwardMatch() throws {
        let x = try t("attention.x"), dy = try t("attention.dy")
        let wq = try t("attention.wq"), wk = try t("attention.wk"), wv = try t("attention.wv"), wo = try t("attention.wo")
        let (s, d, heads) = (x.rows, x.cols, 3)
        let shape = AttentionShape(queries: s, keys: s, heads: heads, headDim: d / heads, causal: true)
        let rope = RoPE(headDim: d / heads, maxPositions: s)
        let q = matmul(x, wq), k = matmul(x, wk), v = matmul(x, wv)
        rope.apply(q.data, seq: s, heads: heads)
        rope.apply(k.data, seq: s, heads: heads)
        let o = Tensor(zeros: [s, d]), probs = Tensor(zeros: [shape.probsCount])
        attentionForward(q.data, k.data, v.data, o.data, probs: probs.data, shape)
        try expectMatch(matmul(o, wo), "attention.y")

        try expectMatch(matmul(o, dy, transA: true), "attention.dwo")
        let dO = matmul(dy, wo, transB: true)
        let dq = Tensor(zeros: [s, d]), dk = Tensor(zeros: [s, d]), dv = Tensor(zeros: [s, d]), scratch = Tensor(zeros: [s * s])
        attentionBackward(q.data, k.data, v.data, probs: probs.data, dO.data, dq.data, dk.data, dv.data,
                          scratch: scratch.data, shape)
        rope.apply(dq.data, seq: s, heads: heads, inverse: true)
        rope.apply(dk.data, seq: s, heads: heads, inverse: true)
        try expectMatch(matmul(x, dq, transA: true), "attention.dwq")
        try expectMatch(matmul(x, dk, transA: true), "attention.dwk")
        try expectMatch(matmul(x, dv, transA: true), "attention.dwv")
        let dx = matmul(dq, wq, transB: true)
        matmul(dk, wk, transB: true, into: dx, beta: 1)
        matmul(dv, wv, transB: true, into: dx, beta: 1)
        try expectMatch(dx, "attention.dx")
    }

    @Test func adamWFollowsPyTorchForThreeSteps() throws {
        let p = Parameter("p", try t("adamw.p0"))
        let opt = AdamW([p], beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1)
        for step in 1...3 {
            p.grad.copy(from: try t("adamw.g\(step)"))
            opt.update(lr: 1e-2)
            try expectMatch(p.value, "adamw.p\(step)")
        }
    }
}
