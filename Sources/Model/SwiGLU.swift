import Kernels

/// The SwiGLU feed-forward: `FFN(x) = (silu(x W1ᵀ) ⊙ x W3ᵀ) W2ᵀ`, weights `[out, in]`.
/// Used as the dense feed-forward, as every shared expert and as every routed expert.
/// `forward` returns what `backward` needs instead of keeping it, because a routed expert
/// runs on a different token subset every call.
public final class SwiGLU {
    public let w1: Parameter  // [hidden, d]
    public let w3: Parameter  // [hidden, d]
    public let w2: Parameter  // [d, hidden]

    /// What backward reads: the input rows and the two hidden projections and their product.
    public struct Saved {
        let x: Tensor  // [n, d]
        let a: Tensor  // [n, hidden] = x W1ᵀ
        let b: Tensor  // [n, hidden] = x W3ᵀ
        let h: Tensor  // [n, hidden] = silu(a) ⊙ b
    }

    public init(_ name: String, d: Int, hidden: Int, std: Float, outStd: Float, weights: inout WeightInit) {
        w1 = Parameter("\(name).w1", weights.normal([hidden, d], std: std))
        w3 = Parameter("\(name).w3", weights.normal([hidden, d], std: std))
        w2 = Parameter("\(name).w2", weights.normal([d, hidden], std: outStd))
    }

    public var parameters: [Parameter] { [w1, w3, w2] }
    public var hidden: Int { w1.shape[0] }

    /// x: [n, d] → y: [n, d], written into `out` scaled by `alpha` and added when `accumulate`.
    public func forward(_ x: Tensor, into out: Tensor, accumulate: Bool = false) -> Saved {
        let n = x.rows
        precondition(x.cols == w1.shape[1] && out.rows == n && out.cols == x.cols,
                     "SwiGLU of width \(w1.shape[1]): input \(x.shape), output \(out.shape)")
        let a = Tensor(uninitialized: [n, hidden]), b = Tensor(uninitialized: [n, hidden]), h = Tensor(uninitialized: [n, hidden])
        products(x.data, rows: n, a: a.data, b: b.data, h: h.data, into: out.data, accumulate: accumulate)
        return Saved(x: x, a: a, b: b, h: h)
    }

    /// The same output for inference, keeping nothing: x [n, d] (`x`, row stride d) → `out`
    /// [n, d]; `scratch` holds 2·n·hidden floats. For the few rows a decoding step gives an
    /// expert, the tensors `forward` allocates for backward cost as much as the products.
    public func infer(_ x: UnsafePointer<Float>, rows n: Int, into out: UnsafeMutablePointer<Float>,
                      scratch: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        // h over a: each element of h reads its own a first.
        products(x, rows: n, a: scratch, b: scratch + n * hidden, h: scratch, into: out, accumulate: accumulate)
    }

    /// a = x W1ᵀ, b = x W3ᵀ, h = silu(a) ⊙ b, out (+)= h W2ᵀ on n rows; h may be a.
    private func products(_ x: UnsafePointer<Float>, rows n: Int, a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>,
                          h: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let d = w1.shape[1]
        sgemm(x, w1.value.data, a, m: n, n: hidden, k: d, transB: true)
        sgemm(x, w3.value.data, b, m: n, n: hidden, k: d, transB: true)
        swigluForward(a, b, h, n * hidden)
        sgemm(h, w2.value.data, out, m: n, n: d, k: hidden, transB: true, beta: accumulate ? 1 : 0)
    }

    /// dy: [n, d] → dx: [n, d] (added into `dx` when `accumulate`); accumulates dW1, dW3, dW2.
    public func backward(_ dy: Tensor, _ s: Saved, into dx: Tensor, accumulate: Bool = false) {
        let dh = Tensor(uninitialized: s.h.shape), da = Tensor(uninitialized: s.a.shape), db = Tensor(uninitialized: s.b.shape)
        matmul(dy, s.h, transA: true, into: w2.grad, beta: 1)
        matmul(dy, w2.value, into: dh)
        swigluBackward(s.a.data, s.b.data, dh.data, da.data, db.data, dh.count)
        matmul(da, s.x, transA: true, into: w1.grad, beta: 1)
        matmul(db, s.x, transA: true, into: w3.grad, beta: 1)
        matmul(da, w1.value, into: dx, beta: accumulate ? 1 : 0)
        matmul(db, w3.value, into: dx, beta: 1)
    }
}
