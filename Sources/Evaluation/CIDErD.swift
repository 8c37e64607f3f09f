import Foundation

/// CIDEr-D as pycocoevalcap's `Cider` computes it. Each caption becomes tf-idf vectors of its
/// 1...4-grams, with document frequencies counted over the reference sets of the evaluated
/// items (an n-gram counts once per item) and idf = log(items) − log(max(1, df)). For each
/// reference and n, the candidate's weights are clipped at the reference's, the cosine is
/// taken and damped by exp(−Δ²/2σ²), where Δ is the difference in length (counted, as
/// pycocoevalcap does, in bigrams) and σ = 6. The item score is the mean over n, averaged
/// over references, times 10; the corpus score is the mean over items. Where either vector
/// is zero (an empty caption, or a single-item corpus where every idf is 0) pycocoevalcap
/// divides 0 by 0; here that similarity is 0.
public enum CIDErD {
    public static let sigma = 6.0, maxN = 4

    /// Per-item scores and their mean, for tokenised captions.
    public static func score(_ items: [(candidate: String, references: [String])]) -> (corpus: Double, perItem: [Double]) {
        let candidateCounts = items.map { BLEU.ngramCounts(BLEU.pythonSplit($0.candidate), maxN: maxN) }
        let referenceCounts = items.map { $0.references.map { BLEU.ngramCounts(BLEU.pythonSplit($0), maxN: maxN) } }

        var documentFrequency = [[String: Double]](repeating: [:], count: maxN)
        for refs in referenceCounts {
            for n in 0..<maxN {
                for gram in Set(refs.flatMap { $0[n].keys }) { documentFrequency[n][gram, default: 0] += 1 }
            }
        }
        let logItems = log(Double(items.count))

        func vector(_ counts: [[String: Int]]) -> (weights: [[String: Double]], norms: [Double], length: Int) {
            var weights = [[String: Double]](repeating: [:], count: maxN), norms = [Double](repeating: 0, count: maxN)
            for n in 0..<maxN {
                for (gram, tf) in counts[n] {
                    let w = Double(tf) * (logItems - log(max(1, documentFrequency[n][gram] ?? 0)))
                    weights[n][gram] = w
                    norms[n] += w * w
                }
            }
            // pycocoevalcap's "length" is the number of bigrams.
            return (weights, norms.map { $0.squareRoot() }, counts[1].values.reduce(0, +))
        }

        var perItem: [Double] = []
        for (counts, refs) in zip(candidateCounts, referenceCounts) {
            let candidate = vector(counts)
            var total = [Double](repeating: 0, count: maxN)
            for refCounts in refs {
                let reference = vector(refCounts)
                let delta = Double(candidate.length - reference.length)
                let penalty = exp(-(delta * delta) / (2 * sigma * sigma))
                for n in 0..<maxN {
                    var dot = 0.0
                    for (gram, w) in candidate.weights[n] {
                        let r = reference.weights[n][gram] ?? 0
                        dot += min(w, r) * r
                    }
                    let norms = candidate.norms[n] * reference.norms[n]
                    if norms > 0 { total[n] += dot / norms * penalty }
                }
            }
            perItem.append(refs.isEmpty ? 0 : total.reduce(0, +) / Double(maxN) / Double(refs.count) * 10)
        }
        return (perItem.isEmpty ? 0 : perItem.reduce(0, +) / Double(perItem.count), perItem)
    }
}
