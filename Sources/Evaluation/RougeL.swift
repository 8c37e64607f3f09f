/// ROUGE-L as pycocoevalcap's `Rouge` computes it: for one candidate, the longest common
/// subsequence with each reference gives a precision and a recall; the best precision and the
/// best recall (possibly from different references) combine into an F-measure with β = 1.2.
/// The corpus score is the mean over items.
public enum RougeL {
    public static let beta = 1.2

    /// One item. Words are split on single spaces as pycocoevalcap does, so an empty caption is
    /// one empty word (and matches only an empty reference).
    public static func score(candidate: String, references: [String]) -> Double {
        let c = spaceSplit(candidate)
        var bestPrecision = 0.0, bestRecall = 0.0
        for reference in references {
            let r = spaceSplit(reference)
            let lcs = Double(longestCommonSubsequence(r, c))
            bestPrecision = max(bestPrecision, lcs / Double(c.count))
            bestRecall = max(bestRecall, lcs / Double(r.count))
        }
        guard bestPrecision != 0, bestRecall != 0 else { return 0 }
        return (1 + beta * beta) * bestPrecision * bestRecall / (bestRecall + beta * beta * bestPrecision)
    }

    /// Per-item scores and their mean.
    public static func score(_ items: [(candidate: String, references: [String])]) -> (corpus: Double, perItem: [Double]) {
        let scores = items.map { score(candidate: $0.candidate, references: $0.references) }
        return (scores.isEmpty ? 0 : scores.reduce(0, +) / Double(scores.count), scores)
    }

    static func longestCommonSubsequence(_ a: [String], _ b: [String]) -> Int {
        var previous = [Int](repeating: 0, count: b.count + 1), current = previous
        for x in a {
            for (j, y) in b.enumerated() {
                current[j + 1] = x == y ? previous[j] + 1 : max(previous[j + 1], current[j])
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// Python's `str.split(" ")`: every single space separates, empty words kept.
    static func spaceSplit(_ s: String) -> [String] {
        s.unicodeScalars.split(separator: " ", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
    }
}
