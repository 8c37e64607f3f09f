/// A piece of the input after added tokens are taken out: plain text, or one added token's id
/// and the text it took (with any whitespace its lstrip/rstrip swallowed).
enum TextSegment: Equatable {
    case text(Range<Int>)
    case token(Int32, Range<Int>)
}

/// Finds added tokens the way Hugging Face does: leftmost-longest, non-overlapping matches on
/// the raw bytes, then each token's `single_word`, `lstrip` and `rstrip` rules.
struct AddedTokenMatcher {
    private struct Candidate {
        let bytes: [UInt8]
        let id: Int32
        let singleWord, lstrip, rstrip: Bool
    }

    /// Candidates by first byte, longest first, so the first hit at a position is the longest.
    private let byFirstByte: [[Candidate]]
    let isEmpty: Bool

    init(_ tokens: [AddedToken]) {
        var table = [[Candidate]](repeating: [], count: 256)
        for t in tokens {
            let bytes = Array(t.content.utf8)
            table[Int(bytes[0])].append(Candidate(bytes: bytes, id: Int32(t.id), singleWord: t.singleWord, lstrip: t.lstrip, rstrip: t.rstrip))
        }
        byFirstByte = table.map { $0.sorted { $0.bytes.count > $1.bytes.count } }
        isEmpty = tokens.isEmpty
    }

    /// Splits `b[range]` into text and tokens, appending to `out`.
    func split(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into out: inout [TextSegment]) {
        var textStart = range.lowerBound
        var p = range.lowerBound
        while p < range.upperBound {
            guard let match = longestMatch(b, at: p, before: range.upperBound) else { p += 1; continue }
            var start = p, stop = p + match.bytes.count
            p = stop
            if match.singleWord {
                let wordBefore = start > range.lowerBound && Self.isWordCharacter(Self.scalar(before: start, in: b).value)
                let wordAfter = stop < range.upperBound && Self.isWordCharacter(PreTokenizer.decode(b, at: stop).0)
                if wordBefore || wordAfter { continue }
            }
            if match.lstrip {
                while start > textStart {
                    let (value, at) = Self.scalar(before: start, in: b)
                    guard PreTokenizer.kind(of: value) == .space else { break }
                    start = at
                }
            }
            if match.rstrip {
                while stop < range.upperBound {
                    let (value, length) = PreTokenizer.decode(b, at: stop)
                    guard PreTokenizer.kind(of: value) == .space else { break }
                    stop += length
                }
            }
            if textStart < start { out.append(.text(textStart..<start)) }
            out.append(.token(match.id, start..<stop))
            textStart = max(textStart, stop)
        }
        if textStart < range.upperBound { out.append(.text(textStart..<range.upperBound)) }
    }

    private func longestMatch(_ b: UnsafeBufferPointer<UInt8>, at p: Int, before end: Int) -> Candidate? {
        for c in byFirstByte[Int(b[p])] where p + c.bytes.count <= end {
            var i = 1
            while i < c.bytes.count && b[p + i] == c.bytes[i] { i += 1 }
            if i == c.bytes.count { return c }
        }
        return nil
    }

    /// The scalar ending just before byte `i` of valid UTF-8, and where it starts.
    private static func scalar(before i: Int, in b: UnsafeBufferPointer<UInt8>) -> (value: UInt32, start: Int) {
        var start = i - 1
        while b[start] & 0xC0 == 0x80 { start -= 1 }
        return (PreTokenizer.decode(b, at: start).0, start)
    }

    /// Rust regex's Unicode `\w`: alphabetic, marks, decimal digits, connector punctuation,
    /// join controls.
    private static func isWordCharacter(_ v: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(v) else { return false }
        let p = scalar.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}
