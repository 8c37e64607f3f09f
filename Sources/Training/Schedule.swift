import Foundation

/// Learning rate: linear warm-up to `peak`, then cosine decay to `peak · minRatio` at `total`.
public struct LRSchedule: Codable, Sendable, Equatable {
    public var peak: Float
    public var warmup: Int
    public var total: Int
    public var minRatio: Float

    public init(peak: Float, warmup: Int, total: Int, minRatio: Float = 0.1) {
        self.peak = peak; self.warmup = warmup; self.total = total; self.minRatio = minRatio
    }

    /// The rate for 0-based `step`.
    public func rate(at step: Int) -> Float {
        if step < warmup { return peak * Float(step + 1) / Float(warmup) }
        let span = max(total - warmup, 1)
        let progress = min(Float(step - warmup) / Float(span), 1)
        let cosine = 0.5 * (1 + Foundation.cos(Float.pi * progress))
        return peak * (minRatio + (1 - minRatio) * cosine)
    }
}
