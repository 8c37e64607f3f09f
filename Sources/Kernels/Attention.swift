import Foundation

/// Scaled dot-product multi-head attention over one sequence, forward and backward side by
/// side. q is [Sq, H·dh], k and v are [Sk, H·dh] (token-major, head h in columns h·dh..<(h+1)·dh),
/// so heads are strided views passed to `sgemm` through their leading dimension; no copies.
/// Query i sits at position `queryStart + i` of the keys; `causal` hides keys after it.
/// Forward keeps the attention probabilities [H, Sq, Sk]: backward needs nothing else but q, k, v.
public struct AttentionShape: Sendable {
    public let queries: Int
    public let keys: Int
    public let heads: Int
    public let headDim: Int
    public let queryStart: Int
    public let causal: Bool

    public init(queries: Int, keys: Int, heads: Int, headDim: Int, queryStart: Int = 0, causal: Bool) {
        self.queries = queries; self.keys = keys; self.heads = heads; self.headDim = headDim
        self.queryStart = queryStart; self.causal = causal
    }

    var width: Int { heads * headDim }
    var probsPerHead: Int { queries * keys }
    public var probsCount: Int { heads * probsPerHead }
    /// Keys visible to query i.
    @inline(__always) func visible(_ i: Int) -> Int { causal ? min(keys, queryStart + i + 1) : keys }
}

/// out = softmax(q kᵀ/√dh + mask) v, per head; writes `probs`.
public func attentionForward(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                             _ out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>, _ s: AttentionShape) {
    let scaleFactor = 1 / Float(s.headDim).squareRoot()
    for h in 0..<s.heads {
        let p = probs + h * s.probsPerHead
        sgemm(q + h * s.headDim, k + h * s.headDim, p, m: s.queries, n: s.keys, k: s.headDim,
              transB: true, lda: s.width, ldb: s.width, alpha: scaleFactor)
        for i in 0..<s.queries {
            let row = p + i * s.keys, n = s.visible(i)
            softmaxForward(row, row, rows: 1, cols: n)
            if n < s.keys { (row + n).update(repeating: 0, count: s.keys - n) }
        }
        sgemm(p, v + h * s.headDim, out + h * s.headDim, m: s.queries, n: s.headDim, k: s.keys,
              ldb: s.width, ldc: s.width)
    }
}

/// Given dout, accumulates dq, dk, dv (callers zero them first). `scratch` holds Sq·Sk floats.
public func attentionBackward(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                              probs: UnsafePointer<Float>, _ dout: UnsafePointer<Float>,
                              _ dq: UnsafeMutablePointer<Float>, _ dk: UnsafeMutablePointer<Float>, _ dv: UnsafeMutablePointer<Float>,
                              scratch: UnsafeMutablePointer<Float>, _ s: AttentionShape) {
    let scaleFactor = 1 / Float(s.headDim).squareRoot()
    for h in 0..<s.heads {
        let p = probs + h * s.probsPerHead, off = h * s.headDim
        // dv += pᵀ · dout
        sgemm(p, dout + off, dv + off, m: s.keys, n: s.headDim, k: s.queries, transA: true,
              ldb: s.width, ldc: s.width, beta: 1)
        // dp = dout · vᵀ, then through the softmax (masked entries have p = 0 and stay 0).
        sgemm(dout + off, v + off, scratch, m: s.queries, n: s.keys, k: s.headDim, transB: true,
              lda: s.width, ldb: s.width)
        for i in 0..<s.queries {
            let n = s.visible(i)
            softmaxBackward(p + i * s.keys, scratch + i * s.keys, scratch + i * s.keys, rows: 1, cols: n)
            if n < s.keys { (scratch + i * s.keys + n).update(repeating: 0, count: s.keys - n) }
        }
        // dq += ds · k / √dh, dk += dsᵀ · q / √dh
        sgemm(scratch, k + off, dq + off, m: s.queries, n: s.headDim, k: s.keys,
              ldb: s.width, ldc: s.width, alpha: scaleFactor, beta: 1)
        sgemm(scratch, q + off, dk + off, m: s.keys, n: s.headDim, k: s.queries, transA: true,
              ldb: s.width, ldc: s.width, alpha: scaleFactor, beta: 1)
    }
}
