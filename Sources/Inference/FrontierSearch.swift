/// Finds the thresholds that keep quality best at a wanted skip ratio, or skip most at a
/// wanted quality (DESIGN §4).
///
/// Thresholds are indices into two grids, `i` for text (N values) and `j` for media (M values).
/// The skip ratio `f(i, j)` rises with both, so the pairs with `f ≥ target` form an up-set whose
/// lower edge is a staircase: the smallest feasible `j` of a row can only fall as `i` grows. The
/// walk goes through the rows in order and carries `j` from one row to the next; every
/// evaluation of the constraint either moves `j` down or ends a row, so the constraint is
/// evaluated at most N + M times and the objective once per staircase point, not N·M times.
///
/// Each closure is called at most once per (i, j). When both come from one expensive pass over
/// calibration data, the caller caches that pass, so a point needed by both costs one pass.
public struct FrontierSearch: Sendable {
    public struct Point: Sendable, Equatable {
        public let textIndex: Int
        public let mediaIndex: Int
        public let objective: Double
    }

    public struct Result: Sendable {
        /// The best staircase point with a finite objective; nil when no pair meets the constraint.
        public let best: Point?
        /// Every staircase point (one per row that has a feasible pair), in walking order.
        public let frontier: [Point]
        /// How many distinct points the constraint's function was evaluated at.
        public let constraintEvaluations: Int
        /// How many distinct points the objective's function was evaluated at.
        public let objectiveEvaluations: Int
    }

    public let textCount: Int
    public let mediaCount: Int

    public init(textCount: Int, mediaCount: Int) {
        precondition(textCount > 0 && mediaCount > 0, "a frontier search needs non-empty grids")
        self.textCount = textCount
        self.mediaCount = mediaCount
    }

    /// The least `loss` among each row's smallest `j` with `skipRatio ≥ target` (skip ratio
    /// non-decreasing in i and j). A non-finite loss marks a point the caller rejects.
    public func minimiseLoss(skipAtLeast target: Double, skipRatio f: (Int, Int) -> Double,
                             loss g: (Int, Int) -> Double) -> Result {
        var fMemo: [Int: Double] = [:]
        func feasible(_ i: Int, _ j: Int) -> Bool { memo(&fMemo, i, j, f) >= target }

        var staircase: [(Int, Int)] = []
        var j = mediaCount - 1
        for i in 0..<textCount {
            // Until some row is feasible at the largest j, no smaller j can be.
            if staircase.isEmpty && !feasible(i, j) { continue }
            // (i, j) holds: it did for the row above, and f rises with i.
            while j > 0 && feasible(i, j - 1) { j -= 1 }
            staircase.append((i, j))
        }
        return pick(staircase, constraintEvaluations: fMemo.count, objective: g, better: <)
    }

    /// The most `skipRatio` among each row's largest `j` with `loss ≤ budget` (loss
    /// non-decreasing in i and j, as skipping more costs quality).
    public func maximiseSkip(lossAtMost budget: Double, skipRatio f: (Int, Int) -> Double,
                             loss g: (Int, Int) -> Double) -> Result {
        var gMemo: [Int: Double] = [:]
        var staircase: [(Int, Int)] = []
        var j = mediaCount - 1
        for i in 0..<textCount {
            while j >= 0 && !(memo(&gMemo, i, j, g) <= budget) { j -= 1 }
            // No j holds for this row, so none does for the rows below.
            if j < 0 { break }
            staircase.append((i, j))
        }
        return pick(staircase, constraintEvaluations: gMemo.count, objective: f, better: >)
    }

    private func memo(_ values: inout [Int: Double], _ i: Int, _ j: Int, _ body: (Int, Int) -> Double) -> Double {
        let key = i * mediaCount + j
        if let v = values[key] { return v }
        let v = body(i, j)
        values[key] = v
        return v
    }

    private func pick(_ staircase: [(Int, Int)], constraintEvaluations: Int, objective: (Int, Int) -> Double,
                      better: (Double, Double) -> Bool) -> Result {
        let points = staircase.map { Point(textIndex: $0.0, mediaIndex: $0.1, objective: objective($0.0, $0.1)) }
        var best: Point?
        for p in points where p.objective.isFinite {
            if let b = best, !better(p.objective, b.objective) { continue }
            best = p
        }
        return Result(best: best, frontier: points, constraintEvaluations: constraintEvaluations,
                      objectiveEvaluations: points.count)
    }
}
