import ArgumentParser
import Foundation
import Kernels

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure speed: medians of repeated runs, side by side in one process.",
        subcommands: [BenchGEMM.self, BenchModel.self, BenchTrain.self, BenchInputs.self, BenchSkip.self])
}

struct BenchGEMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "GFLOP/s of the GEMM path on the model's real shapes.",
        discussion: """
            Each shape is C[m,n] = A[m,k]·B[k,n], timed over repeated runs; the median is reported. \
            Compare against OpenBLAS called from C with Tests/Benchmarks/gemm-vs-c.sh. \
            --few-rows instead times each shape's product for 1 to 16 rows of A both ways, \
            cblas_sgemm against one cblas_sgemv per row, on one thread as generation runs them: \
            where the row-wise path stops paying is where `sgemm` switches (rowwiseRows).

            Examples:
              moe-mm bench gemm
              moe-mm bench gemm --json --shapes 256x128x512,2048x2048x2048
              moe-mm bench gemm --few-rows --shapes 1x64x128,1x128x64
            """)

    @Flag(help: "One JSON object per shape (m, n, k, gflops, runs) instead of a table.")
    var json = false

    @Option(help: "Comma-separated MxNxK shapes.")
    var shapes = "64x128x128,256x128x512,256x512x128,1024x256x256,2048x2048x2048"

    @Option(help: "Seconds to spend on each shape (at least 5 runs).")
    var seconds = 0.5

    @Flag(help: "Time each shape's n and k for 1 to 16 rows, packed sgemm against row-wise sgemv.")
    var fewRows = false

    func validate() throws {
        _ = try parsedShapes()
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
    }

    func parsedShapes() throws -> [(m: Int, n: Int, k: Int)] {
        try shapes.split(separator: ",").map { spec in
            let dims = spec.split(separator: "x").compactMap { Int($0) }
            guard dims.count == 3, dims.allSatisfy({ $0 > 0 }) else {
                throw ValidationError("shape '\(spec)' is not MxNxK with positive integers")
            }
            return (dims[0], dims[1], dims[2])
        }
    }

    func run() throws {
        if fewRows { return try runFewRows() }
        if !json { print("OpenBLAS kernels: \(BLASKernel.current), \(Cores.count) threads") }
        if !json { print(padded("m", 6), padded("n", 6), padded("k", 6), padded("GFLOP/s", 10), padded("runs", 6)) }
        for (m, n, k) in try parsedShapes() {
            let a = Tensor(shape: [m, k], repeating: 0.5), b = Tensor(shape: [k, n], repeating: 0.25)
            let c = Tensor(zeros: [m, n])
            let stats = measure(seconds: seconds) { matmul(a, b, into: c) }
            let gflops = 2.0 * Double(m * n * k) / stats.median / 1e9
            if json {
                print("{\"m\": \(m), \"n\": \(n), \"k\": \(k), \"gflops\": \(String(format: "%.2f", gflops)), \"runs\": \(stats.runs)}")
            } else {
                print(String(format: "%6d %6d %6d %10.2f %6d", m, n, k, gflops, stats.runs))
            }
        }
    }
}

extension BenchGEMM {
    /// C = A·Bᵀ with B an [n, k] weight, as a routed expert multiplies its rows; the m of each
    /// shape is ignored. Times are medians in µs; the ratio is packed over row-wise.
    func runFewRows() throws {
        let shapes = try parsedShapes()
        if !json {
            let path = rowwiseRows > 0 ? "sgemm takes products of up to \(rowwiseRows) rows row-wise" : "sgemm never goes row-wise (small-matrix kernels)"
            print("OpenBLAS kernels: \(BLASKernel.current), 1 thread; \(path)")
            print(padded("m", 4), padded("n", 6), padded("k", 6), padded("sgemm µs", 10), padded("row-wise µs", 12), padded("ratio", 7))
        }
        Cores.withBLASThreads(1) {
            for (_, n, k) in shapes {
                let b = Tensor(shape: [n, k], repeating: 0.25)
                for m in [1, 2, 3, 4, 5, 6, 8, 12, 16] {
                    let a = Tensor(shape: [m, k], repeating: 0.5), c = Tensor(zeros: [m, n])
                    let packed = measure(seconds: seconds) { sgemmPacked(a.data, b.data, c.data, m: m, n: n, k: k, transB: true) }
                    let rowwise = measure(seconds: seconds) { sgemmRowwise(a.data, b.data, c.data, m: m, n: n, k: k, transB: true) }
                    if json {
                        print("{\"m\": \(m), \"n\": \(n), \"k\": \(k), \"sgemm_us\": \(String(format: "%.3f", packed.median * 1e6)), \"rowwise_us\": \(String(format: "%.3f", rowwise.median * 1e6))}")
                    } else {
                        print(String(format: "%4d %6d %6d %10.2f %12.2f %7.2f", m, n, k, packed.median * 1e6, rowwise.median * 1e6, packed.median / rowwise.median))
                    }
                }
            }
        }
    }
}

/// `text` right-aligned in `width` columns (`%@` with a width is ignored on Linux).
private func padded(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}
