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

    private func transpose(_ t: Tensor) -> Tensor {
        let out = Tensor(zeros: [t.cols, t.rows])
        for i in 0..<t.rows { for j in 0..<t.cols { out.data[j * t.rows + i] = t.data[i * t.cols + j] } }
        return out
    }
}
