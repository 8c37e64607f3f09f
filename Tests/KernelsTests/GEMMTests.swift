import Kernels
import Testing
import TestSupport

@Suite struct GEMMTests {
    @Test func transposeCombinationsAgreeWithNaiveProduct() {
        let (m, n, k) = (5, 7, 3)
        let a = Tensor(shape: [m, k], values: (0..<(m * k)).map { Float($0 % 7) - 3 })
        let b = Tensor(shape: [k, n], values: (0..<(k * n)).map { Float($0 % 5) * 0.5 - 1 })
        var expected = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { expected[i * n + j] += a.array[i * k + p] * b.array[p * n + j] } } }
        let at = transpose(a), bt = transpose(b)
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let c = matmul(ta ? at : a, tb ? bt : b, transA: ta, transB: tb)
            let r = closeness(c.array, expected, "C with transA=\(ta) transB=\(tb)")
            #expect(r.ok, "\(r.message)")
        }
    }

    /// `sgemm` sends products with few rows of A through `sgemmRowwise` (on OpenBLAS families
    /// without small-matrix kernels): it must give what `cblas_sgemm` gives, for both layouts of
    /// B, strided views, alpha and beta, and with beta 0 it must overwrite whatever C held.
    @Test func rowwiseProductsMatchPackedOnes() {
        let (n, k, lda, ldc) = (9, 6, 8, 11)
        var rng = SplitMix(seed: 3)
        let a = Tensor(randomNormal: [6, lda], std: 1, rng: &rng)
        for transB in [false, true] {
            let b = Tensor(randomNormal: transB ? [n, k] : [k, n], std: 1, rng: &rng)
            for m in 1...6 {
                for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1)] {
                    let start = Tensor(randomNormal: [m, ldc], std: 1, rng: &rng)
                    let packed = start.copy(), rowwise = start.copy()
                    if beta == 0 { rowwise.fill(.nan) }
                    sgemmPacked(a.data, b.data, packed.data, m: m, n: n, k: k, transB: transB, lda: lda, ldc: ldc, alpha: alpha, beta: beta)
                    sgemmRowwise(a.data, b.data, rowwise.data, m: m, n: n, k: k, transB: transB, lda: lda, ldc: ldc, alpha: alpha, beta: beta)
                    // Only the first n columns of each row are C; the rest of the stride is left alone.
                    let cols = { (t: Tensor) in (0..<m).flatMap { i in (0..<n).map { t.data[i * ldc + $0] } } }
                    let r = closeness(cols(rowwise), cols(packed), "C[\(m), \(n)] transB=\(transB) alpha=\(alpha) beta=\(beta)")
                    #expect(r.ok, "\(r.message)")
                    #expect((0..<m).allSatisfy { i in (n..<ldc).allSatisfy { rowwise.data[i * ldc + $0].isNaN == (beta == 0) } },
                            "the row-wise path wrote past column \(n) of a strided C")
                }
            }
        }
    }

    private func transpose(_ t: Tensor) -> Tensor {
        let out = Tensor(zeros: [t.cols, t.rows])
        for i in 0..<t.rows { for j in 0..<t.cols { out.data[j * t.rows + i] = t.data[i * t.cols + j] } }
        return out
    }
}
