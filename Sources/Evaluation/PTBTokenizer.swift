/// Caption normalisation as pycocoevalcap's `PTBTokenizer` does it: Stanford CoreNLP 3.4.1's
/// PTB tokeniser run with `-preserveLines -lowerCase` over all captions of one call (one per
/// line), then every token in pycocoevalcap's punctuation list dropped. The list is compared
/// after lower-casing, so the bracket escapes it names ("-LRB-") never match: "(blood type)"
/// becomes "-lrb- blood type -rrb-", exactly as pycocoevalcap reports it.
///
/// Known departures from the Java tokeniser, none of which occur in ordinary captions: accented
/// letter entities (&eacute;) are not decoded, URLs without a scheme are split like ordinary
/// text, and a line break inside a caption other than "\n"
/// (which pycocoevalcap replaces by a space) is a space here, where the Java run would shift
/// every later caption onto the wrong line.
public enum PTBTokenizer {
    /// pycocoevalcap's `PUNCTUATIONS`: tokens removed after tokenising.
    public static let removedTokens: Set<String> = [
        "''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";",
    ]

    /// Tokenises captions as one pycocoevalcap call does; each result is the caption's tokens
    /// joined by single spaces. The captions are tokenised as consecutive lines of one text
    /// because the Java lexer looks across line ends: a caption ending in a single-letter
    /// abbreviation keeps its period unless the next caption opens like a sentence ("The ...").
    public static func tokenize(_ captions: [String]) -> [String] {
        var text = captions.map { String(String.UnicodeScalarView($0.unicodeScalars.map { $0 == "\n" ? " " : $0 })) }.joined(separator: "\n")
        // pycocoevalcap strips trailing whitespace from the whole text it hands to Java.
        while let last = text.unicodeScalars.last, isPythonWhitespace(last) { text.unicodeScalars.removeLast() }
        var lexer = PTBLexer(Array(text.unicodeScalars))
        var lines: [[String]] = [[]]
        while let token = lexer.next() {
            switch token {
            case .newline: lines.append([])
            case .word(let w):
                let lower = javaLowercased(w)
                if !removedTokens.contains(lower) { lines[lines.count - 1].append(lower) }
            }
        }
        return captions.indices.map { $0 < lines.count ? lines[$0].joined(separator: " ") : "" }
    }

    /// Tokenises one caption on its own.
    public static func tokenize(_ caption: String) -> String { tokenize([caption])[0] }

    /// Lower-cases as Java does, including the final form of sigma: a capital sigma with a
    /// letter before it and none after it in the same word becomes "ς".
    static func javaLowercased(_ word: String) -> String {
        let upper = Array(word.unicodeScalars)
        guard upper.contains("\u{3A3}") else { return word.lowercased() }
        var out = String.UnicodeScalarView()
        for (k, c) in upper.enumerated() {
            let final = c == "\u{3A3}" && hasLetter(in: upper, from: k - 1, step: -1) && !hasLetter(in: upper, from: k + 1, step: 1)
            out.append(contentsOf: final ? "\u{3C2}".unicodeScalars : String(c).lowercased().unicodeScalars)
        }
        return String(out)
    }

    /// Whether a letter lies within the same word, walking from `k` in direction `step`.
    /// Digits and "_" join a word; ".", "'" and ":" do so only between letters.
    private static func hasLetter(in s: [Unicode.Scalar], from k: Int, step: Int) -> Bool {
        var j = k
        while j >= 0 && j < s.count {
            let c = s[j]
            if PTBLexicon.isPlainLetter(c) { return true }
            let joiner = PTBLexicon.isDigit(c) || c == "_" || PTBLexicon.isLetter(c)
                || (".'\u{2019}:".unicodeScalars.contains(c) && j + step >= 0 && j + step < s.count && PTBLexicon.isPlainLetter(s[j + step]))
            if !joiner { return false }
            j += step
        }
        return false
    }

    /// The characters Python's `str.split()` and `str.rstrip()` treat as whitespace.
    static func isPythonWhitespace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}
