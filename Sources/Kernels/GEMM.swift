import CBLAS

/// Every matrix product in moe-mm goes through `cblas_sgemm`, row-major.
///
/// `C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C`, with `op` the optional transpose.
/// Leading dimensions default to the dense row-major ones, so views of heads (a column block
/// of a wider matrix) are passed by giving `lda`/`ldb`/`ldc` explicitly.
@inline(__always)
public func sgemm(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false,
    lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil, alpha: Float = 1, beta: Float = 0
) {
    if m == 0 || n == 0 { return }
    if k == 0 {  // OpenBLAS leaves C untouched for k = 0 only when beta = 1
        if beta == 0 { c.update(repeating: 0, count: (ldc ?? n) * (m - 1) + n) }
        return
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha,
                a, Int32(lda ?? (transA ? m : k)), b, Int32(ldb ?? (transB ? k : n)),
                beta, c, Int32(ldc ?? n))
}

/// `op(A) · op(B)` for tensors viewed as 2-D `[rows, cols]`; writes into `out` (scaled by `beta`
/// first, so `beta: 1` accumulates, which is how weight gradients add up over a batch).
public func matmul(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false,
                   into out: Tensor, alpha: Float = 1, beta: Float = 0) {
    let (m, k) = transA ? (a.cols, a.rows) : (a.rows, a.cols)
    let (kb, n) = transB ? (b.cols, b.rows) : (b.rows, b.cols)
    precondition(k == kb, "matmul inner dimensions differ: \(a.shape)\(transA ? "ᵀ" : "") · \(b.shape)\(transB ? "ᵀ" : "")")
    precondition(out.rows == m && out.cols == n, "matmul output \(out.shape) is not [\(m), \(n)]")
    sgemm(a.data, b.data, out.data, m: m, n: n, k: k, transA: transA, transB: transB, alpha: alpha, beta: beta)
}

/// `op(A) · op(B)` into a new `[m, n]` tensor.
public func matmul(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false) -> Tensor {
    let m = transA ? a.cols : a.rows
    let n = transB ? b.rows : b.cols
    let out = Tensor(uninitialized: [m, n])
    matmul(a, b, transA: transA, transB: transB, into: out)
    return out
}

/// A batch of independent products, `count` of them, each operand `stride` floats from the last.
public func sgemmBatched(
    _ a: UnsafePointer<Float>, strideA: Int, _ b: UnsafePointer<Float>, strideB: Int,
    _ c: UnsafeMutablePointer<Float>, strideC: Int, count: Int,
    m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false,
    lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil, alpha: Float = 1, beta: Float = 0
) {
    for i in 0..<count {
        sgemm(a + i * strideA, b + i * strideB, c + i * strideC, m: m, n: n, k: k,
              transA: transA, transB: transB, lda: lda, ldb: ldb, ldc: ldc, alpha: alpha, beta: beta)
    }
}
