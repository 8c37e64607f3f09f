import CBLAS

/// Every matrix product in moe-mm goes through OpenBLAS, row-major: `cblas_sgemm`, or one
/// `cblas_sgemv` per row when A has only a few rows (`rowwiseRows`).
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
    if m <= rowwiseRows && !transA {
        sgemmRowwise(a, b, c, m: m, n: n, k: k, transB: transB, lda: lda, ldb: ldb, ldc: ldc, alpha: alpha, beta: beta)
    } else {
        sgemmPacked(a, b, c, m: m, n: n, k: k, transA: transA, transB: transB, lda: lda, ldb: ldb, ldc: ldc, alpha: alpha, beta: beta)
    }
}

/// Up to this many rows of A, `sgemm` runs one matrix-vector product per row. OpenBLAS's
/// SkylakeX family multiplies small matrices in place, but the others pack all of op(B) on every
/// call, which for a 64×128 expert weight costs more than the product itself on the few rows an
/// expert gets in a decoding step; `cblas_sgemv` reads B where it is. `moe-mm bench gemm
/// --few-rows` times both paths side by side (Haswell kernels: row-wise 1.2-6× faster up to 6
/// rows, slower from 8; SkylakeX: row-wise always slower).
public let rowwiseRows = BLASKernel.multipliesSmallInPlace ? 0 : 6

/// `cblas_sgemm` as is (both operands packed into panels, then the blocked kernel).
@inline(__always)
public func sgemmPacked(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false,
    lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil, alpha: Float = 1, beta: Float = 0
) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha,
                a, Int32(lda ?? (transA ? m : k)), b, Int32(ldb ?? (transB ? k : n)),
                beta, c, Int32(ldc ?? n))
}

/// Row i of C is `alpha · op(B)ᵀ a_i + beta · c_i`, one `cblas_sgemv` per row of A.
public func sgemmRowwise(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int, transB: Bool = false,
    lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil, alpha: Float = 1, beta: Float = 0
) {
    let ldA = lda ?? k, ldC = ldc ?? n, ldB = Int32(ldb ?? (transB ? k : n))
    // B is [n, k] when transposed (each output is a row of B times a_i), [k, n] when not.
    let (rows, cols) = transB ? (n, k) : (k, n)
    for i in 0..<m {
        cblas_sgemv(CblasRowMajor, transB ? CblasNoTrans : CblasTrans, Int32(rows), Int32(cols),
                    alpha, b, ldB, a + i * ldA, 1, beta, c + i * ldC, 1)
    }
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
