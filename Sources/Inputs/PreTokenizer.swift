/// The ByteLevel pre-tokenizer's split: GPT-2's pattern
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
/// written out by hand over UTF-8, so no regex engine (nor its lookahead support) is needed.
/// Classes are Unicode's: letters are general category L*, numbers N*, and `\s` is White_Space.
enum PreTokenizer {
    enum Kind: UInt8 { case other, letter, number, space }

    /// The word pieces of `bytes` (valid UTF-8) as byte ranges, in order, covering all of it.
    static func split(_ bytes: UnsafeBufferPointer<UInt8>, into pieces: inout [Range<Int>]) {
        var i = 0
        while i < bytes.count {
            let end = pieceEnd(bytes, from: i)
            pieces.append(i..<end)
            i = end
        }
    }

    /// Where the piece starting at byte `i` ends: the first alternative of the pattern that
    /// matches at `i`, taken as the regex would take it.
    static func pieceEnd(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        let n = b.count
        let first = b[i]
        // Contractions. Their letters are ASCII, and ASCII bytes never occur inside a multi-byte
        // character, so comparing bytes is exact.
        if first == UInt8(ascii: "'"), i + 1 < n {
            switch b[i + 1] {
            case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"): return i + 2
            default: break
            }
            if i + 2 < n {
                switch (b[i + 1], b[i + 2]) {
                case (UInt8(ascii: "r"), UInt8(ascii: "e")), (UInt8(ascii: "v"), UInt8(ascii: "e")),
                     (UInt8(ascii: "l"), UInt8(ascii: "l")):
                    return i + 3
                default: break
                }
            }
        }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: a space joins the run after it unless
        // that run is whitespace (then none of the three can match at the space).
        var start = i
        var (scalar, length) = decode(b, at: i)
        var kind = kind(of: scalar)
        if first == 0x20, i + 1 < n {
            let (nextScalar, nextLength) = decode(b, at: i + 1)
            let nextKind = self.kind(of: nextScalar)
            if nextKind != .space {
                start = i + 1
                length = nextLength
                kind = nextKind
            }
        }
        var end = start + length
        if kind != .space {
            while end < n {
                let (s, l) = decode(b, at: end)
                guard self.kind(of: s) == kind else { break }
                end += l
            }
            return end
        }
        // `\s+(?!\S)` then `\s+`: a whitespace run is taken whole at the end of the text; before
        // a non-space it leaves its last character to join what follows, unless that character
        // is the whole run.
        var lastStart = start
        while end < n {
            let (s, l) = decode(b, at: end)
            guard self.kind(of: s) == .space else { break }
            lastStart = end
            end += l
        }
        if end == n || lastStart == start { return end }
        return lastStart
    }

    /// The scalar starting at byte `i` of valid UTF-8, and its length in bytes.
    @inline(__always)
    static func decode(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
        let b0 = UInt32(b[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 { return ((b0 & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F), 3) }
        return ((b0 & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6 | UInt32(b[i + 3] & 0x3F), 4)
    }

    @inline(__always)
    static func kind(of v: UInt32) -> Kind {
        if v < 0x80 { return asciiKinds[Int(v)] }
        let properties = Unicode.Scalar(v)!.properties
        if properties.isWhitespace { return .space }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    private static let asciiKinds: [Kind] = (0..<128).map { v -> Kind in
        switch v {
        case 0x09...0x0D, 0x20: .space
        case 0x30...0x39: .number
        case 0x41...0x5A, 0x61...0x7A: .letter
        default: .other
        }
    }
}
