import Foundation

/// Wall-clock timings of repeated runs. The machine is shared and noisy, so benchmarks report
/// medians (and p95), never a single run or a mean.
public struct Timings {
    public private(set) var seconds: [Double] = []
    public init() {}
    public mutating func add(_ s: Double) { seconds.append(s) }
    public var runs: Int { seconds.count }
    public var median: Double { percentile(50) }
    public func percentile(_ p: Double) -> Double {
        guard !seconds.isEmpty else { return .nan }
        let sorted = seconds.sorted()
        let rank = Int((p / 100 * Double(sorted.count - 1)).rounded())
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}

public func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// Runs `body` once to warm up, then repeatedly for about `seconds` (at least `minRuns` times).
public func measure(seconds: Double, minRuns: Int = 5, _ body: () -> Void) -> Timings {
    body()
    var t = Timings()
    let start = now()
    while t.runs < minRuns || now() - start < seconds {
        let t0 = now()
        body()
        t.add(now() - t0)
    }
    return t
}
