/// The JSON layer under `tokenizer.json`. Objects keep their key order so that a file written
/// here is laid out exactly as Hugging Face's serde_json pretty printer lays it out (a fixture
/// round-trips byte for byte); parse errors carry a line and column.
enum TokenizerJSON {
    indirect enum Value: Equatable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
        case array([Value])
        case object([(String, Value)])

        static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.null, .null): true
            case let (.bool(x), .bool(y)): x == y
            case let (.int(x), .int(y)): x == y
            case let (.double(x), .double(y)): x == y
            case let (.string(x), .string(y)): x == y
            case let (.array(x), .array(y)): x == y
            case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            default: false
            }
        }

        /// The value under `key` of an object (first occurrence), nil for other values.
        subscript(key: String) -> Value? {
            guard case .object(let fields) = self else { return nil }
            return fields.first { $0.0 == key }?.1
        }

        /// What a value is, for error messages ("expected a string, found an array").
        var kind: String {
            switch self {
            case .null: "null"
            case .bool: "a boolean"
            case .int, .double: "a number"
            case .string: "a string"
            case .array: "an array"
            case .object: "an object"
            }
        }
    }

    /// Parses one JSON document; `name` prefixes error messages.
    static func parse(_ bytes: [UInt8], name: String) throws -> Value {
        var parser = Parser(bytes: bytes, name: name)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.at == bytes.count else { throw parser.failure("unexpected text after the JSON document") }
        return value
    }

    /// serde_json's pretty layout: two-space indent, `"key": value`, empty containers as `[]`/`{}`,
    /// non-ASCII characters written raw.
    static func pretty(_ value: Value) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        write(value, indent: 0, into: &out)
        return out
    }

    private static func write(_ value: Value, indent: Int, into out: inout [UInt8]) {
        switch value {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .int(let i): out += Array(String(i).utf8)
        case .double(let d): out += Array(String(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            guard !items.isEmpty else { out += [UInt8(ascii: "["), UInt8(ascii: "]")]; return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                out += i == 0 ? [0x0A] : [UInt8(ascii: ","), 0x0A]
                out += repeatElement(UInt8(ascii: " "), count: indent + 2)
                write(item, indent: indent + 2, into: &out)
            }
            out.append(0x0A)
            out += repeatElement(UInt8(ascii: " "), count: indent)
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            guard !fields.isEmpty else { out += [UInt8(ascii: "{"), UInt8(ascii: "}")]; return }
            out.append(UInt8(ascii: "{"))
            for (i, (key, item)) in fields.enumerated() {
                out += i == 0 ? [0x0A] : [UInt8(ascii: ","), 0x0A]
                out += repeatElement(UInt8(ascii: " "), count: indent + 2)
                writeString(key, into: &out)
                out += [UInt8(ascii: ":"), UInt8(ascii: " ")]
                write(item, indent: indent + 2, into: &out)
            }
            out.append(0x0A)
            out += repeatElement(UInt8(ascii: " "), count: indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0..<0x20: out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private struct Parser {
        let bytes: [UInt8]
        let name: String
        var at = 0

        init(bytes: [UInt8], name: String) {
            self.bytes = bytes
            self.name = name
        }

        func failure(_ what: String) -> TokenizerError {
            var line = 1, column = 1
            for byte in bytes[..<min(at, bytes.count)] {
                if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
            }
            return TokenizerError("\(name): line \(line), column \(column): \(what)")
        }

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
        }

        mutating func value(depth: Int) throws -> Value {
            guard depth < 256 else { throw failure("JSON nested more than 256 levels deep") }
            guard at < bytes.count else { throw failure("unexpected end of file") }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var fields: [(String, Value)] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(fields) }
                while true {
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw failure("expected a quoted key") }
                    let key = try string()
                    skipSpace()
                    try expect(UInt8(ascii: ":"), "expected ':' after a key")
                    skipSpace()
                    fields.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    if try endOfContainer(UInt8(ascii: "}")) { return .object(fields) }
                }
            case UInt8(ascii: "["):
                at += 1
                var items: [Value] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    if try endOfContainer(UInt8(ascii: "]")) { return .array(items) }
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw failure("unexpected character '\(Unicode.Scalar(bytes[at]))'")
            }
        }

        /// After an item: true at the closing bracket, false at a comma, an error otherwise.
        mutating func endOfContainer(_ close: UInt8) throws -> Bool {
            guard at < bytes.count else { throw failure("unexpected end of file") }
            if bytes[at] == close { at += 1; return true }
            try expect(UInt8(ascii: ","), "expected ',' or '\(Unicode.Scalar(close))'")
            return false
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws {
            guard at < bytes.count, bytes[at] == byte else { throw failure(what) }
            at += 1
        }

        mutating func literal(_ word: String) throws {
            let w = Array(word.utf8)
            guard at + w.count <= bytes.count, Array(bytes[at..<at + w.count]) == w else { throw failure("expected '\(word)'") }
            at += w.count
        }

        mutating func number() throws -> Value {
            let start = at
            if bytes[at] == UInt8(ascii: "-") { at += 1 }
            var isInteger = true
            while at < bytes.count {
                let b = bytes[at]
                if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
                            || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") {
                    isInteger = false
                } else {
                    break
                }
                at += 1
            }
            let text = String(decoding: bytes[start..<at], as: UTF8.self)
            if isInteger, let i = Int(text) { return .int(i) }
            guard let d = Double(text), d.isFinite else { at = start; throw failure("malformed number '\(text)'") }
            return .double(d)
        }

        mutating func string() throws -> String {
            at += 1
            var out: [UInt8] = []
            while true {
                guard at < bytes.count else { throw failure("unterminated string") }
                let b = bytes[at]
                at += 1
                switch b {
                case UInt8(ascii: "\""):
                    guard let s = String(validating: out, as: UTF8.self) else { throw failure("string is not valid UTF-8") }
                    return s
                case UInt8(ascii: "\\"):
                    guard at < bytes.count else { throw failure("unterminated string") }
                    let e = bytes[at]
                    at += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"): out += Array(String(try escapedScalar()).utf8)
                    default: at -= 1; throw failure("unknown escape '\\\(Unicode.Scalar(e))'")
                    }
                case 0..<0x20: at -= 1; throw failure("control character inside a string")
                default: out.append(b)
                }
            }
        }

        /// The scalar of a `\uXXXX` escape (the `\u` already read), joining a surrogate pair.
        mutating func escapedScalar() throws -> Unicode.Scalar {
            let high = try hex4()
            if (0xD800..<0xDC00).contains(high) {
                guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                    throw failure("unpaired surrogate in a \\u escape")
                }
                at += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate in a \\u escape") }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(high) else { throw failure("unpaired surrogate in a \\u escape") }
            return scalar
        }

        mutating func hex4() throws -> UInt32 {
            guard at + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[at..<at + 4], as: UTF8.self), radix: 16) else {
                throw failure("expected four hex digits after \\u")
            }
            at += 4
            return v
        }
    }
}
