import Foundation

extension Resampler {
    /// One resampler per rate pair, built on first use and then shared: the filter table costs a
    /// few milliseconds to build, which would otherwise be paid again for every file. A
    /// `Resampler` holds no mutable state, so sharing it across threads is safe.
    public static func shared(from inputRate: Int, to outputRate: Int) -> Resampler {
        ResamplerCache.instance.resampler(from: inputRate, to: outputRate)
    }
}

private final class ResamplerCache: @unchecked Sendable {
    static let instance = ResamplerCache()
    private let lock = NSLock()
    private var built: [[Int]: Resampler] = [:]

    func resampler(from inputRate: Int, to outputRate: Int) -> Resampler {
        let key = [inputRate, outputRate]
        if let r = lock.withLock({ built[key] }) { return r }
        let r = Resampler(from: inputRate, to: outputRate)  // built outside the lock; a rare duplicate is harmless
        lock.withLock { built[key] = r }
        return r
    }
}
