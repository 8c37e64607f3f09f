import CBLAS
import Dispatch
import Foundation

/// Who owns the cores.
///
/// The machine has few cores (2 here), so every call site picks one owner:
/// - GEMMs go to OpenBLAS, which runs its own threads (`Cores.count` of them); they are never
///   called from inside a `parallelFor` body.
/// - Non-BLAS loops that are worth splitting (long row-wise passes, decoding audio, preparing
///   batches) use `parallelFor`, which puts OpenBLAS down to one thread for its duration so the
///   two never oversubscribe.
public enum Cores {
    public static let count: Int = {
        if let env = ProcessInfo.processInfo.environment["MOEMM_THREADS"], let n = Int(env), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// OpenBLAS's thread count, set once at start-up by `configure()`.
    public static func configure() { openblas_set_num_threads(Int32(count)) }

    /// Runs `body` with OpenBLAS limited to `threads` threads, restoring the previous count after
    /// (so a nested call inside another `parallelFor` leaves the outer limit in place).
    public static func withBLASThreads<T>(_ threads: Int, _ body: () throws -> T) rethrows -> T {
        let previous = openblas_get_num_threads()
        openblas_set_num_threads(Int32(threads))
        defer { openblas_set_num_threads(previous) }
        return try body()
    }
}

/// Splits `0..<n` into `Cores.count` contiguous chunks run concurrently; `body` gets a range.
/// Small `n` (below `minimumPerChunk` per core) runs inline, where a thread hop costs more than it saves.
public func parallelFor(_ n: Int, minimumPerChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let chunks = min(Cores.count, max(1, n / max(minimumPerChunk, 1)))
    if chunks <= 1 { body(0..<n); return }
    Cores.withBLASThreads(1) {
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = n * c / chunks, hi = n * (c + 1) / chunks
            if lo < hi { body(lo..<hi) }
        }
    }
}
