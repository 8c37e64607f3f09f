/// GPT-2's byte-to-character table: every byte gets a printable character, so byte-level tokens
/// are ordinary strings in `tokenizer.json`. Bytes that are printable Latin-1 map to themselves;
/// the other 68 (controls, space, DEL, NBSP, soft hyphen) map to U+0100 and up, in byte order.
enum ByteLevel {
    /// The character standing for each byte.
    static let characters: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(byte) {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The byte a character stands for, nil for characters outside the table.
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let v = scalar.value
        if v < 256 { return isPrintable(Int(v)) ? UInt8(v) : nil }
        return v < 256 + 68 ? unprintable[Int(v - 256)] : nil
    }

    /// The token string of a run of bytes: each byte as its character.
    static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(characters[Int(b)]) }
        return String(s)
    }

    /// The bytes a token string stands for, or nil if any character is outside the table
    /// (added tokens such as `<|bos|>` are plain text, not byte characters).
    static func decode(_ token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let b = byte(for: scalar) else { return nil }
            out.append(b)
        }
        return out
    }

    private static func isPrintable(_ byte: Int) -> Bool {
        (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte)
    }

    private static let unprintable: [UInt8] = (0..<256).filter { !isPrintable($0) }.map { UInt8($0) }
}
