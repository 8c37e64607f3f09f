import Foundation
import Inference
import Kernels
import Testing
import TestSupport

@Suite struct FrontierSearchTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let target: Double
            let best: [Int]?
            let g_best: Double?
        }
        let f: [[Double]]
        let g: [[Double]]
        let cases: [Case]
    }

    static let fixture: Fixture = {
        let data = try! Data(contentsOf: Fixtures.url("frontier_search.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    /// Closures that count every call and remember which points were asked twice.
    final class Counted {
        let values: [[Double]]
        var calls = 0
        var seen = Set<[Int]>()
        var repeated: [[Int]] = []
        init(_ values: [[Double]]) { self.values = values }
        func callAsFunction(_ i: Int, _ j: Int) -> Double {
            calls += 1
            if !seen.insert([i, j]).inserted { repeated.append([i, j]) }
            return values[i][j]
        }
    }

    @Test func walkReachesTheBruteForceBestOfEveryFixtureCase() {
        let fx = Self.fixture
        let n = fx.f.count, m = fx.f[0].count
        let search = FrontierSearch(textCount: n, mediaCount: m)
        for c in fx.cases {
            let f = Counted(fx.f), g = Counted(fx.g)
            let r = search.minimiseLoss(skipAtLeast: c.target, skipRatio: f.callAsFunction, loss: g.callAsFunction)
            #expect(f.calls <= n + m + 1, "target \(c.target): f evaluated \(f.calls) times, allowed \(n + m + 1)")
            #expect(f.repeated.isEmpty && g.repeated.isEmpty,
                    "target \(c.target): points evaluated twice: f \(f.repeated), g \(g.repeated)")
            #expect(r.constraintEvaluations == f.calls && r.objectiveEvaluations == g.calls,
                    "target \(c.target): reported \(r.constraintEvaluations)/\(r.objectiveEvaluations) evaluations, counted \(f.calls)/\(g.calls)")
            guard let expected = c.g_best, let at = c.best else {
                #expect(r.best == nil, "target \(c.target): no pair reaches it, but the walk chose \(String(describing: r.best))")
                #expect(r.frontier.isEmpty, "target \(c.target): unreachable, yet the frontier has \(r.frontier.count) points")
                continue
            }
            guard let best = r.best else {
                Issue.record("target \(c.target): no point found, expected \(at) with g \(expected)")
                continue
            }
            #expect(abs(best.objective - expected) <= 1e-12 * abs(expected),
                    "target \(c.target): g \(best.objective) at (\(best.textIndex), \(best.mediaIndex)), brute force \(expected) at \(at)")
            #expect(fx.f[best.textIndex][best.mediaIndex] >= c.target,
                    "target \(c.target): chosen point has f \(fx.f[best.textIndex][best.mediaIndex])")
        }
    }

    /// Random monotone skip ratios and arbitrary losses: the walk's best equals the brute-force
    /// best over each row's least feasible column, within N + M evaluations of f.
    @Test func minimisingMatchesBruteForceOnRandomMonotoneGrids() {
        var rng = SplitMix(seed: 11)
        for trial in 0..<200 {
            let n = 1 + Int(rng.next() % 9), m = 1 + Int(rng.next() % 9)
            let f = monotoneGrid(n, m, &rng)
            let g = (0..<n).map { _ in (0..<m).map { _ in Double(rng.next() % 1000) } }
            let target = f[n - 1][m - 1] * Double(rng.next() % 120) / 100
            var bruteForce: Double?
            for i in 0..<n {
                guard let j = (0..<m).first(where: { f[i][$0] >= target }) else { continue }
                bruteForce = min(bruteForce ?? .infinity, g[i][j])
            }
            let fc = Counted(f)
            let r = FrontierSearch(textCount: n, mediaCount: m)
                .minimiseLoss(skipAtLeast: target, skipRatio: fc.callAsFunction, loss: { g[$0][$1] })
            #expect(r.best?.objective == bruteForce, "trial \(trial) (\(n)×\(m), target \(target)): walk \(String(describing: r.best)), brute force \(String(describing: bruteForce))")
            #expect(fc.calls <= n + m, "trial \(trial): \(fc.calls) evaluations of f on a \(n)×\(m) grid")
        }
    }

    /// Random monotone loss: the most skip under a loss budget equals brute force over the grid.
    @Test func maximisingMatchesBruteForceOnRandomMonotoneGrids() {
        var rng = SplitMix(seed: 12)
        for trial in 0..<200 {
            let n = 1 + Int(rng.next() % 9), m = 1 + Int(rng.next() % 9)
            let loss = monotoneGrid(n, m, &rng), skip = monotoneGrid(n, m, &rng)
            let budget = loss[n - 1][m - 1] * Double(rng.next() % 120) / 100
            var bruteForce: Double?
            for i in 0..<n { for j in 0..<m where loss[i][j] <= budget { bruteForce = max(bruteForce ?? -.infinity, skip[i][j]) } }
            let gc = Counted(loss), fc = Counted(skip)
            let r = FrontierSearch(textCount: n, mediaCount: m)
                .maximiseSkip(lossAtMost: budget, skipRatio: fc.callAsFunction, loss: gc.callAsFunction)
            #expect(r.best?.objective == bruteForce, "trial \(trial) (\(n)×\(m), budget \(budget)): walk \(String(describing: r.best)), brute force \(String(describing: bruteForce))")
            #expect(gc.calls <= n + m, "trial \(trial): \(gc.calls) evaluations of the loss on a \(n)×\(m) grid")
            #expect(gc.repeated.isEmpty && fc.repeated.isEmpty, "trial \(trial): repeated points \(gc.repeated) \(fc.repeated)")
        }
    }

    @Test func nonFiniteObjectivesAreNeverChosen() {
        let f: [[Double]] = [[0.1, 0.5], [0.6, 0.9]]
        let g: [[Double]] = [[0, .nan], [.infinity, 3]]
        let r = FrontierSearch(textCount: 2, mediaCount: 2).minimiseLoss(skipAtLeast: 0.5, skipRatio: { f[$0][$1] }, loss: { g[$0][$1] })
        #expect(r.frontier.map { [$0.textIndex, $0.mediaIndex] } == [[0, 1], [1, 0]], "frontier \(r.frontier)")
        #expect(r.best == nil, "NaN and ∞ losses were rejected points, yet \(String(describing: r.best)) was chosen")
    }

    /// f[i][j] non-decreasing in both indices: running sums of random steps.
    private func monotoneGrid(_ n: Int, _ m: Int, _ rng: inout SplitMix) -> [[Double]] {
        var grid = [[Double]](repeating: [Double](repeating: 0, count: m), count: n)
        for i in 0..<n {
            for j in 0..<m {
                let up = i > 0 ? grid[i - 1][j] : 0, left = j > 0 ? grid[i][j - 1] : 0
                grid[i][j] = max(up, left) + Double(rng.next() % 4)
            }
        }
        return grid
    }
}
