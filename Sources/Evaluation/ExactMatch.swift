/// Exact-match accuracy for question answering: the share of questions whose predicted
/// answer equals one of the accepted answers after the same normalisation on both sides
/// (the SQuAD convention): lower-case, punctuation removed, the articles "a", "an", "the"
/// dropped as words, whitespace collapsed. So "The Eiffel Tower." matches "eiffel tower",
/// and an empty prediction matches only an answer that normalises to nothing.
public enum ExactMatch {
    /// The normalised form both sides are compared in.
    public static func normalize(_ text: String) -> String {
        var kept = String.UnicodeScalarView()
        for c in text.lowercased().unicodeScalars where !isPunctuation(c) { kept.append(c) }
        return String(kept).split(whereSeparator: \.isWhitespace)
            .filter { !["a", "an", "the"].contains($0) }.joined(separator: " ")
    }

    /// ASCII punctuation (Python's `string.punctuation`, which SQuAD strips) and any Unicode
    /// punctuation; they are deleted, so "U.S." becomes "us" and "don't" "dont".
    static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars.contains(c) }
        switch c.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// Whether `prediction` matches any of `answers`.
    public static func matches(_ prediction: String, answers: [String]) -> Bool {
        let p = normalize(prediction)
        return answers.contains { normalize($0) == p }
    }

    /// Accuracy over (prediction, accepted answers) pairs; 0 for no pairs. A question with no
    /// accepted answers counts as missed.
    public static func accuracy(_ pairs: [(prediction: String, answers: [String])]) -> Double {
        guard !pairs.isEmpty else { return 0 }
        return Double(pairs.filter { matches($0.prediction, answers: $0.answers) }.count) / Double(pairs.count)
    }
}
