import CBLAS
import Dispatch
import Foundation

/// Who owns the cores.
///
/// The machine has few cores (2 here), so every call site picks one owner:
/// - By default GEMMs go to OpenBLAS, which runs its own threads (`Cores.count` of them).
/// - Loops that are worth splitting (long row-wise passes, attention's sequences, an expert
///   group's experts, micro-batches) use `parallelFor`, which puts OpenBLAS down to one thread
///   for its duration, so the GEMMs inside a chunk are single-threaded and the two never
///   oversubscribe.
/// - Training with a micro-batch per core and generation keep OpenBLAS on one thread throughout
///   (`Trainer.run`, `Generator.generate`): their GEMMs are small and their own loops own the cores.
public enum Cores {
    public static let count: Int = {
        if let env = ProcessInfo.processInfo.environment["MOEMM_THREADS"], let n = Int(env), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Set once at start-up: OpenBLAS's thread count, and glibc's allocator told to keep freed
    /// memory. Every layer allocates its activations afresh; by default glibc maps each block
    /// over 128 KiB anew and unmaps it on free, and the page faults and unmaps of two threads
    /// (two micro-batches, `MicroBatches`) serialise on the process's memory-map lock: a tiny
    /// training step in 2 micro-batches took 118 ms that way and 91 ms with this
    /// (`moe-mm bench model --config configs/tiny.yaml --accumulation 2`).
    public static func configure() {
        openblas_set_num_threads(Int32(count))
        mallopt(M_MMAP_THRESHOLD, 32 << 20)   // glibc's largest: blocks below come from the heap
        mallopt(M_TRIM_THRESHOLD, 1 << 30)    // and the heap keeps what is freed
        mallopt(M_TOP_PAD, 64 << 20)
    }

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
/// Small `n` (below `minimumPerChunk` per core) runs inline, where a thread hop costs more than it
/// saves; so does a call from inside another `parallelFor` body (each core already has its chunk,
/// e.g. a micro-batch, and more threads than cores would only take turns).
public func parallelFor(_ n: Int, minimumPerChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let chunks = min(Cores.count, max(1, n / max(minimumPerChunk, 1)))
    if chunks <= 1 || pthread_getspecific(insideParallelFor) != nil { body(0..<n); return }
    parallelFor(ranges: (0..<chunks).map { c in n * c / chunks..<n * (c + 1) / chunks }, body)
}

/// Runs `body` on each of `ranges` concurrently (chunks the caller balanced by work, not by
/// count), under the same rules as `parallelFor`: inline when there is one range or when called
/// from inside a chunk; OpenBLAS down to one thread while the chunks run.
public func parallelFor(ranges: [Range<Int>], _ body: (Range<Int>) -> Void) {
    let work = ranges.filter { !$0.isEmpty }
    if work.count <= 1 || pthread_getspecific(insideParallelFor) != nil { work.forEach(body); return }
    Cores.withBLASThreads(1) {
        DispatchQueue.concurrentPerform(iterations: work.count) { c in
            withoutParallelism { body(work[c]) }
        }
    }
}

/// Runs `body` with every `parallelFor` inside it inline on the calling thread: for a
/// `parallelFor` chunk, whose core is already taken, and for a background thread (the data
/// loader) working beside the compute, whose own `parallelFor` would change OpenBLAS's thread
/// count, which is global, under the compute's GEMMs; OpenBLAS's results depend on its thread
/// count in the last bits, so training would not repeat bit for bit.
public func withoutParallelism<T>(_ body: () throws -> T) rethrows -> T {
    let outer = pthread_getspecific(insideParallelFor)
    pthread_setspecific(insideParallelFor, UnsafeRawPointer(bitPattern: 1))
    defer { pthread_setspecific(insideParallelFor, outer) }
    return try body()
}

/// Marks the threads running a `parallelFor` chunk (thread-local, non-nil inside).
private let insideParallelFor: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
