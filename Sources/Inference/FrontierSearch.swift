/// Finds the thresholds that keep quality best at a wanted skip ratio, or skip most at a
/// wanted quality (DESIGN §4).
///
/// Thresholds are indices into two grids, `i` for text and `j` for media. The skip ratio
/// `f(i, j)` rises with both, so the set `f ≥ target` is an up-set whose lower edge is a
/// staircase: the smallest feasible `j` can only fall as `i` grows. Walking it from the top
/// left, every evaluation moves one step right or one step down, so `f` is evaluated at most
/// N + M times instead of N·M, and the objective only on the staircase.
public struct FrontierSearch: Sendable {
    public struct Point: Codable, Sendable, Equatable {
        public let textIndex: Int
        public let mediaIndex: Int
        public let objective: Double
    }

    public struct Result: Sendable {
        /// The best staircase point, nil when no pair meets the constraint.
        public let best: Point?
        /// Every staircase point, in walking order.
        public let frontier: [Point]
        /// How many times the constraint's function was evaluated.
        public let constraintEvaluations: Int
    }

    public let textCount: Int
    public let mediaCount: Int

    public init(textCount: Int, mediaCount: Int) {
        self.textCount = textCount
        self.mediaCount = mediaCount
    }

    /// The least `loss` among pairs with `skipRatio ≥ target` (skip ratio rising in i and j).
    public func minimiseLoss(skipAtLeast target: Double, skipRatio f: (Int, Int) -> Double,
                             loss g: (Int, Int) -> Double) -> Result {
        // For each row i, the smallest j with f(i, j) ≥ target.
        var calls = 0
        var staircase: [(Int, Int)] = []
        var i = 0, j = mediaCount - 1
        while i < textCount && j >= 0 {
            calls += 1
            if f(i, j) >= target { j -= 1; continue }
            if j + 1 < mediaCount { staircase.append((i, j + 1)) }
            i += 1
        }
        // Fell off the bottom: every remaining row is feasible from j = 0 on (f rises with i).
        if j < 0 { for row in i..<textCount { staircase.append((row, 0)) } }
        return pick(staircase, calls: calls, objective: g, better: <)
    }

    /// The most `skipRatio` among pairs with `loss ≤ budget` (loss rising in i and j).
    public func maximiseSkip(lossAtMost budget: Double, skipRatio f: (Int, Int) -> Double,
                             loss g: (Int, Int) -> Double) -> Result {
        // For each row i, the largest j with g(i, j) ≤ budget.
        var calls = 0
        var staircase: [(Int, Int)] = []
        var i = 0, j = mediaCount - 1
        while i < textCount && j >= 0 {
            calls += 1
            if g(i, j) > budget { j -= 1; continue }
            staircase.append((i, j))
            i += 1
        }
        return pick(staircase, calls: calls, objective: f, better: >)
    }

    private func pick(_ staircase: [(Int, Int)], calls: Int, objective: (Int, Int) -> Double,
                      better: (Double, Double) -> Bool) -> Result {
        let points = staircase.map { Point(textIndex: $0.0, mediaIndex: $0.1, objective: objective($0.0, $0.1)) }
        var best: Point?
        for p in points where best == nil || better(p.objective, best!.objective) { best = p }
        return Result(best: best, frontier: points, constraintEvaluations: calls)
    }
}
