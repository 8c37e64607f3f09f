/// Word error rate: word-level Levenshtein distance over the reference length, summed over a
/// corpus (Σ edits / Σ reference words), after the same normalisation on both sides.
public enum WordErrorRate {
    /// Lower-case, punctuation dropped, whitespace split.
    public static func words(_ text: String) -> [Substring] {
        let kept = String(text.lowercased().unicodeScalars.map {
            $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "'" ? Character($0) : " "
        })
        return kept.split(whereSeparator: { $0 == " " })
    }

    /// The minimum number of substitutions, insertions and deletions turning `hyp` into `ref`.
    public static func editDistance<T: Equatable>(_ ref: [T], _ hyp: [T]) -> Int {
        if ref.isEmpty { return hyp.count }
        if hyp.isEmpty { return ref.count }
        var previous = Array(0...hyp.count), current = [Int](repeating: 0, count: hyp.count + 1)
        for i in 1...ref.count {
            current[0] = i
            for j in 1...hyp.count {
                let substitution = previous[j - 1] + (ref[i - 1] == hyp[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[hyp.count]
    }

    /// Corpus WER over (reference, hypothesis) pairs. When no reference has a word, the rate is
    /// 0 if no hypothesis has one either, else the number of inserted words (as if over one).
    public static func corpus(_ pairs: [(reference: String, hypothesis: String)]) -> Double {
        var edits = 0, refWords = 0
        for (r, h) in pairs {
            let rw = words(r), hw = words(h)
            edits += editDistance(rw, hw)
            refWords += rw.count
        }
        if refWords == 0 { return edits == 0 ? 0 : Double(edits) }
        return Double(edits) / Double(refWords)
    }
}
