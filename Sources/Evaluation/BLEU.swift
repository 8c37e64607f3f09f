import Foundation

/// BLEU-1...4 as pycocoevalcap's `Bleu(4)` computes it: clipped n-gram counts summed over the
/// corpus, the "closest" reference length (ties to the shorter), and the constants it adds to
/// every ratio instead of smoothing (1e-15 above, 1e-9 below), which also give each item a
/// tiny non-zero score when it has no matching n-gram.
public enum BLEU {
    public struct Scores: Sendable, Equatable {
        /// Corpus BLEU-1...BLEU-maxN.
        public var corpus: [Double]
        /// `perItem[i][n - 1]`: item i's BLEU-n, with its own brevity penalty.
        public var perItem: [[Double]]
    }

    static let tiny = 1e-15, small = 1e-9

    /// Scores tokenised candidates against their references (the words are split on
    /// whitespace, as Python's `str.split()` does).
    public static func score(_ items: [(candidate: String, references: [String])], maxN: Int = 4) -> Scores {
        var correct = [Double](repeating: 0, count: maxN), guess = correct
        var testLength = 0.0, referenceLength = 0.0
        var perItem: [[Double]] = []
        for (candidate, refs) in items {
            let words = pythonSplit(candidate)
            var maxRefCounts = [[String: Int]](repeating: [:], count: maxN)
            var refLengths: [Int] = []
            for ref in refs {
                let r = pythonSplit(ref)
                refLengths.append(r.count)
                for (n, counts) in ngramCounts(r, maxN: maxN).enumerated() {
                    maxRefCounts[n].merge(counts, uniquingKeysWith: max)
                }
            }
            let closest = refLengths.min { (abs($0 - words.count), $0) < (abs($1 - words.count), $1) } ?? 0
            var itemCorrect = [Double](repeating: 0, count: maxN)
            for (n, counts) in ngramCounts(words, maxN: maxN).enumerated() {
                for (gram, count) in counts { itemCorrect[n] += Double(min(maxRefCounts[n][gram] ?? 0, count)) }
            }
            let itemGuess = (1...maxN).map { Double(max(0, words.count - $0 + 1)) }
            perItem.append(cumulative(itemCorrect, itemGuess, testLength: Double(words.count), referenceLength: Double(closest)))
            for n in 0..<maxN { correct[n] += itemCorrect[n]; guess[n] += itemGuess[n] }
            testLength += Double(words.count)
            referenceLength += Double(closest)
        }
        return Scores(corpus: cumulative(correct, guess, testLength: testLength, referenceLength: referenceLength), perItem: perItem)
    }

    /// Geometric means of the first 1...n precisions, times the brevity penalty.
    private static func cumulative(_ correct: [Double], _ guess: [Double], testLength: Double, referenceLength: Double) -> [Double] {
        var product = 1.0
        var out: [Double] = []
        for n in 0..<correct.count {
            product *= (correct[n] + tiny) / (guess[n] + small)
            out.append(pow(product, 1 / Double(n + 1)))
        }
        let ratio = (testLength + tiny) / (referenceLength + small)
        if ratio < 1 {
            let penalty = exp(1 - 1 / ratio)
            out = out.map { $0 * penalty }
        }
        return out
    }

    /// `counts[n - 1]`: how often each n-gram occurs, keyed by its words joined with spaces
    /// (words never contain one).
    static func ngramCounts(_ words: [String], maxN: Int) -> [[String: Int]] {
        (1...maxN).map { n in
            var counts: [String: Int] = [:]
            if n <= words.count {
                for start in 0...(words.count - n) { counts[words[start..<start + n].joined(separator: " "), default: 0] += 1 }
            }
            return counts
        }
    }

    /// Python's `str.split()`: runs of Unicode whitespace separate words.
    static func pythonSplit(_ s: String) -> [String] {
        s.unicodeScalars.split(whereSeparator: PTBTokenizer.isPythonWhitespace).map { String(String.UnicodeScalarView($0)) }
    }
}
