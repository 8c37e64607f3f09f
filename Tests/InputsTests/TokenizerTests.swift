import Foundation
import Inputs
import Testing
import TestSupport

/// The tokenizer against Hugging Face's own fixture: ids, tokens and decoded text of every case,
/// a byte-identical save, the older merges layout, and clear errors on broken files.
@Suite struct TokenizerTests {
    struct Case {
        let text: String
        let ids: [Int]
        let tokens: [String]
        let decoded: String
    }

    static let fixture = Fixtures.url("tokenizer/tokenizer.json")

    static func cases() throws -> [Case] {
        let data = try Data(contentsOf: Fixtures.url("tokenizer/cases.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let list = try #require(root["cases"] as? [[String: Any]])
        return try list.map { c in
            Case(text: try #require(c["text"] as? String), ids: try #require(c["ids"] as? [Int]),
                 tokens: try #require(c["tokens"] as? [String]), decoded: try #require(c["decoded"] as? String))
        }
    }

    @Test func everyFixtureCaseMatchesHuggingFace() throws {
        let tokenizer = try BPETokenizer(contentsOf: Self.fixture)
        let cases = try Self.cases()
        #expect(cases.count == 7, "cases.json has \(cases.count) cases, expected 7")
        for c in cases {
            let encoding = tokenizer.encoding(of: c.text)
            #expect(encoding.ids == c.ids, "ids of \(c.text.debugDescription): got \(encoding.ids), expected \(c.ids)")
            #expect(encoding.tokens == c.tokens, "tokens of \(c.text.debugDescription): got \(encoding.tokens), expected \(c.tokens)")
            #expect(tokenizer.encode(c.text) == c.ids, "encode() of \(c.text.debugDescription) differs from encoding(of:)")
            let decoded = try tokenizer.decode(c.ids, skipSpecialTokens: false)
            #expect(decoded == c.decoded, "decode of \(c.ids): got \(decoded.debugDescription), expected \(c.decoded.debugDescription)")
        }
    }

    @Test func decodeSkipsSpecialTokensByDefaultAndReplacesBrokenUTF8() throws {
        let tokenizer = try BPETokenizer(contentsOf: Self.fixture)
        let image = try tokenizer.id(for: .image)
        let ids = tokenizer.encode("<|image|> a cat")
        #expect(ids.first == image, "first id of '<|image|> a cat' is \(String(describing: ids.first)), expected \(image)")
        let decoded = try tokenizer.decode(ids)
        #expect(decoded == " a cat", "default decode keeps special tokens: \(decoded.debugDescription)")
        // The first two bytes of 🐶 then its first byte again: Rust's from_utf8_lossy gives one
        // U+FFFD per broken sequence (Python's tokenizers prints "\u{FFFD}\u{FFFD}").
        let broken = try tokenizer.decode([177, 258, 177])
        #expect(broken == "\u{FFFD}\u{FFFD}", "broken UTF-8 decoded as \(broken.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test func specialTokensHaveIdsZeroToFour() throws {
        let tokenizer = try BPETokenizer(contentsOf: Self.fixture)
        for (expected, special) in SpecialToken.allCases.enumerated() {
            let id = try tokenizer.id(for: special)
            #expect(id == expected, "\(special.rawValue) has id \(id), expected \(expected)")
        }
        #expect(tokenizer.vocabSize == 1200, "vocabSize \(tokenizer.vocabSize), expected 1200")
    }

    @Test func savingTheFixtureReproducesItByteForByte() throws {
        let original = try [UInt8](Data(contentsOf: Self.fixture))
        let tokenizer = try BPETokenizer(json: original)
        let saved = tokenizer.jsonBytes()
        let firstDifference = zip(saved, original).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(saved.count, original.count)
        #expect(saved == original, "saved \(saved.count) bytes vs fixture \(original.count); first difference at byte \(firstDifference)")

        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("tokenizer.json")
        try tokenizer.save(to: url)
        let reloaded = try BPETokenizer(contentsOf: url)
        for c in try Self.cases() {
            #expect(reloaded.encode(c.text) == c.ids, "reloaded tokenizer encodes \(c.text.debugDescription) as \(reloaded.encode(c.text)), expected \(c.ids)")
        }
        #expect(reloaded.jsonBytes() == original, "second save differs from the fixture")
    }

    @Test func mergesWrittenAsSpaceSeparatedStringsGiveTheSameIds() throws {
        var text = try String(contentsOf: Self.fixture, encoding: .utf8)
        // Rewrite every ["a", "b"] merge pair as the older "a b" string.
        let pair = try Regex(#"\[\n\s*"((?:[^"\\]|\\.)*)",\n\s*"((?:[^"\\]|\\.)*)"\n\s*\]"#)
        text = text.replacing(pair) { m in "\"\(m.output[1].substring!) \(m.output[2].substring!)\"" }
        #expect(text.contains("\"Ġ a\""), "the rewrite did not produce string merges")
        let legacy = try BPETokenizer(json: Array(text.utf8))
        let modern = try BPETokenizer(contentsOf: Self.fixture)
        for c in try Self.cases() {
            #expect(legacy.encode(c.text) == modern.encode(c.text), "string merges encode \(c.text.debugDescription) as \(legacy.encode(c.text)), pairs as \(modern.encode(c.text))")
        }
        #expect(legacy.jsonBytes() == modern.jsonBytes(), "string merges are not written back as pairs")
    }

    @Test func aTwentyThousandLetterWordEncodesQuicklyAndDecodesToItself() throws {
        let tokenizer = try BPETokenizer(contentsOf: Self.fixture)
        // One pre-tokenized word of 20,000 bytes: the heap-driven merge loop keeps this near
        // linear (a rescan per merge would be ~10^8 steps). Python's ids for long words are
        // compared in TokenizerInteropTests.
        let long = String(repeating: "supercalifragilistic", count: 1000)
        let start = Date()
        let ids = tokenizer.encode(long)
        let seconds = Date().timeIntervalSince(start)
        let decoded = try tokenizer.decode(ids)
        #expect(decoded == long, "a 20,000-letter word does not decode to itself")
        #expect(ids.count < 20_000, "no merges applied: \(ids.count) tokens for 20,000 letters")
        #expect(seconds < 1, "encoding a 20,000-letter word took \(seconds) s")
    }

    @Test func malformedFilesGiveOneLineErrorsNamingFileAndPlace() throws {
        let good = try String(contentsOf: Self.fixture, encoding: .utf8)
        let broken: [(String, String, String)] = [
            ("not JSON", "{\"model\": ", "bad.json: line 1, column 11: unexpected end of file"),
            ("trailing comma", good.replacingOccurrences(of: "\"version\": \"1.0\",", with: "\"version\": \"1.0\",,"),
             "bad.json: line 2, column 20: expected a quoted key"),
            ("no model", "{\"pre_tokenizer\": {\"type\": \"ByteLevel\"}}", "bad.json: model is missing"),
            ("unknown merge part", good.replacingOccurrences(of: "\"Ġkn\",", with: "\"Ġkn!\","),
             "bad.json: model.merges[625] names 'Ġkn!', which is not in the vocabulary"),
            ("merge result missing", good.replacingOccurrences(of: "\"Ġknot\": ", with: "\"Ġknotty\": "),
             "bad.json: model.merges[937] merges 'Ġkn' and 'ot' into 'Ġknot', which is not in the vocabulary"),
            ("vocab id as string", good.replacingOccurrences(of: "\"!\": 5,", with: "\"!\": \"5\","),
             "bad.json: model.vocab[\"!\"] should be an integer, found a string"),
            ("duplicate id", good.replacingOccurrences(of: "\"!\": 5,", with: "\"!\": 6,"),
             "bad.json: model.vocab gives id 6 to both '!' and '\"'"),
            ("other model", good.replacingOccurrences(of: "\"type\": \"BPE\"", with: "\"type\": \"WordPiece\""),
             "bad.json: model.type is 'WordPiece'; only BPE is supported"),
            ("other pre-tokenizer", "{\"pre_tokenizer\": {\"type\": \"Metaspace\"}, \"model\": {}}",
             "bad.json: pre_tokenizer is a 'Metaspace' pre-tokenizer; only ByteLevel is supported"),
            ("added token without id", good.replacingOccurrences(of: "\"id\": 0,", with: ""),
             "bad.json: added_tokens[0] has no \"id\""),
        ]
        for (what, text, expected) in broken {
            do {
                _ = try BPETokenizer(json: Array(text.utf8), name: "bad.json")
                Issue.record("\(what): loaded without an error, expected '\(expected)'")
            } catch let error as TokenizerError {
                #expect(error.description == expected, "\(what): got '\(error.description)', expected '\(expected)'")
                #expect(!error.description.contains("\n"), "\(what): the error spans several lines")
            }
        }
        #expect(throws: TokenizerError("/nonexistent/tokenizer.json: no such file")) {
            try BPETokenizer(contentsOf: URL(fileURLWithPath: "/nonexistent/tokenizer.json"))
        }
    }

    @Test func decodingAnUnknownIdIsAnError() throws {
        let tokenizer = try BPETokenizer(contentsOf: Self.fixture)
        #expect(throws: TokenizerError("\(Self.fixture.path): id 1200 is not in the vocabulary (ids run 0..<1200)")) {
            try tokenizer.decode([69, 1200])
        }
    }
}
