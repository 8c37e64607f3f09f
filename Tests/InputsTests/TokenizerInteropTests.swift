import Foundation
import Inputs
import Testing
import TestSupport

/// Cross-checks against Python's `tokenizers` (skipped, visibly, when python3 or the module is
/// missing; CI installs both): ids, tokens and decoded text on hundreds of awkward strings for
/// several variants of the fixture, a tokenizer trained here loading there, and training there
/// producing the very file trained here.
@Suite(.enabled(if: Python.canImport("tokenizers"), "python3 with the tokenizers module is not installed"))
struct TokenizerInteropTests {
    /// Encodes each text with Python and prints ids, tokens, both decodings and the file as
    /// Python would save it.
    static let encodeScript = """
        import json, sys
        from tokenizers import Tokenizer
        tok = Tokenizer.from_file(sys.argv[1])
        texts = json.load(open(sys.argv[2], encoding="utf-8"))
        cases = []
        for t in texts:
            e = tok.encode(t)
            cases.append({"ids": e.ids, "tokens": e.tokens,
                          "decoded": tok.decode(e.ids, skip_special_tokens=False),
                          "skipped": tok.decode(e.ids, skip_special_tokens=True)})
        print(json.dumps({"cases": cases, "saved": tok.to_str(pretty=True)}))
        """

    /// Trains a ByteLevel BPE the documented Hugging Face way and prints the saved file.
    static let trainScript = """
        import json, sys
        from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=int(sys.argv[2]), show_progress=False,
                                      special_tokens=["<|pad|>", "<|bos|>", "<|eos|>", "<|image|>", "<|audio|>"],
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
        tok.train_from_iterator(json.load(open(sys.argv[1], encoding="utf-8")), trainer)
        print(tok.to_str(pretty=True), end="")
        """

    struct PythonCase {
        let ids: [Int]
        let tokens: [String]
        let decoded: String
        let skipped: String
    }

    /// Python's view of `tokenizer` (saved to a file first) on `texts`.
    static func python(_ tokenizer: BPETokenizer, _ texts: [String]) throws -> (cases: [PythonCase], saved: String) {
        let scratch = try TemporaryDirectory()
        let tokenizerURL = scratch.url.appendingPathComponent("tokenizer.json")
        let textsURL = scratch.url.appendingPathComponent("texts.json")
        try tokenizer.save(to: tokenizerURL)
        try JSONSerialization.data(withJSONObject: texts).write(to: textsURL)
        let output = try Python.output(encodeScript, [tokenizerURL.path, textsURL.path])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]]).map { c in
            PythonCase(ids: try #require(c["ids"] as? [Int]), tokens: try #require(c["tokens"] as? [String]),
                       decoded: try #require(c["decoded"] as? String), skipped: try #require(c["skipped"] as? String))
        }
        return (cases, try #require(root["saved"] as? String))
    }

    /// Swift's `==` on strings is canonical equivalence ("é" == "e\u{301}"); compare scalars.
    static func same(_ a: String, _ b: String) -> Bool { a.unicodeScalars.elementsEqual(b.unicodeScalars) }

    static func compare(_ tokenizer: BPETokenizer, _ texts: [String], _ variant: String) throws {
        let (cases, saved) = try python(tokenizer, texts)
        #expect(Array(saved.utf8) == tokenizer.jsonBytes(), "\(variant): Python saves the file differently than here")
        var mismatches = 0
        for (text, py) in zip(texts, cases) {
            let here = tokenizer.encoding(of: text)
            let decoded = try tokenizer.decode(py.ids, skipSpecialTokens: false)
            let skipped = try tokenizer.decode(py.ids)
            let ok = here.ids == py.ids && here.tokens.count == py.tokens.count
                && zip(here.tokens, py.tokens).allSatisfy { same($0, $1) }
                && same(decoded, py.decoded) && same(skipped, py.skipped)
            if !ok {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record("""
                        \(variant): \(text.debugDescription): ids \(here.ids) vs Python \(py.ids); tokens \(here.tokens) vs \(py.tokens); \
                        decoded \(decoded.debugDescription) vs \(py.decoded.debugDescription); skipped \(skipped.debugDescription) vs \(py.skipped.debugDescription)
                        """)
                }
            }
        }
        #expect(mismatches == 0, "\(variant): \(mismatches) of \(texts.count) texts differ from Python")
    }

    /// The fixture with `edit` applied to its JSON text.
    static func fixtureVariant(_ edit: (String) -> String) throws -> BPETokenizer {
        let text = try String(contentsOf: TokenizerTests.fixture, encoding: .utf8)
        let edited = edit(text)
        #expect(edited != text, "the variant's edit changed nothing")
        return try BPETokenizer(json: Array(edited.utf8), name: "variant")
    }

    @Test func fixtureMatchesPythonOnThreeHundredAwkwardStrings() throws {
        var corpus = TokenizerCorpus(seed: 1)
        let texts = corpus.awkwardStrings(300) + ["", " ", "  ", "\n", "a  ", String(repeating: "x", count: 3000),
                                                   String(repeating: "supercalifragilistic", count: 200)]
        try Self.compare(try BPETokenizer(contentsOf: TokenizerTests.fixture), texts, "fixture")
    }

    @Test func prefixSpaceAndNoRegexVariantsMatchPython() throws {
        var corpus = TokenizerCorpus(seed: 2)
        let texts = corpus.awkwardStrings(150) + ["", " ", "\t"]
        let prefix = try Self.fixtureVariant {
            $0.replacingOccurrences(of: "\"add_prefix_space\": false", with: "\"add_prefix_space\": true")
        }
        try Self.compare(prefix, texts, "add_prefix_space")
        let bare = try Self.fixtureVariant { text in
            let start = text.range(of: "\"added_tokens\": [")!.upperBound
            let end = text.range(of: "\n  ],\n  \"normalizer\"")!.lowerBound
            return text.replacingCharacters(in: start..<end, with: "").replacingOccurrences(of: "\"add_prefix_space\": false", with: "\"add_prefix_space\": true")
        }
        #expect(bare.addedTokens.isEmpty, "the variant without added tokens still has \(bare.addedTokens.count)")
        try Self.compare(bare, texts, "add_prefix_space without added tokens")
        let noRegex = try Self.fixtureVariant { $0.replacingOccurrences(of: """
            "add_prefix_space": false,
                "trim_offsets": true,
                "use_regex": true
            """, with: """
            "add_prefix_space": false,
                "trim_offsets": true,
                "use_regex": false
            """) }
        try Self.compare(noRegex, texts, "use_regex false")
    }

    @Test func addedTokenOptionsAndTemplatePostProcessorMatchPython() throws {
        var corpus = TokenizerCorpus(seed: 3)
        let texts = corpus.awkwardStrings(200) + [" <|image|> dog  cat ", "dogcat cat_ x", "<|eos|>\n\n<|bos|>"]
        let tokenizer = try Self.fixtureVariant { text in
            var t = text
            // <|image|> strips spaces on its left, <|eos|> on its right; "cat" only as a whole
            // word and "dog" after normalization (both plain, non-special added tokens).
            t = t.replacingOccurrences(of: """
                "content": "<|image|>",
                      "single_word": false,
                      "lstrip": false,
                """, with: """
                "content": "<|image|>",
                      "single_word": false,
                      "lstrip": true,
                """)
            t = t.replacingOccurrences(of: """
                "content": "<|eos|>",
                      "single_word": false,
                      "lstrip": false,
                      "rstrip": false,
                """, with: """
                "content": "<|eos|>",
                      "single_word": false,
                      "lstrip": false,
                      "rstrip": true,
                """)
            t = t.replacingOccurrences(of: """
                      "special": true
                    }
                  ],
                """, with: """
                      "special": true
                    },
                    {
                      "id": 1200,
                      "content": "cat",
                      "single_word": true,
                      "lstrip": false,
                      "rstrip": false,
                      "normalized": false,
                      "special": false
                    },
                    {
                      "id": 1201,
                      "content": "dog",
                      "single_word": false,
                      "lstrip": true,
                      "rstrip": false,
                      "normalized": true,
                      "special": false
                    }
                  ],
                """)
            t = t.replacingOccurrences(of: "\"post_processor\": null", with: """
                "post_processor": {
                    "type": "TemplateProcessing",
                    "single": [
                      {
                        "SpecialToken": {
                          "id": "<|bos|>",
                          "type_id": 0
                        }
                      },
                      {
                        "Sequence": {
                          "id": "A",
                          "type_id": 0
                        }
                      },
                      {
                        "SpecialToken": {
                          "id": "<|eos|>",
                          "type_id": 0
                        }
                      }
                    ],
                    "pair": [
                      {
                        "Sequence": {
                          "id": "A",
                          "type_id": 0
                        }
                      },
                      {
                        "Sequence": {
                          "id": "B",
                          "type_id": 1
                        }
                      }
                    ],
                    "special_tokens": {
                      "<|eos|>": {
                        "id": "<|eos|>",
                        "ids": [
                          2
                        ],
                        "tokens": [
                          "<|eos|>"
                        ]
                      },
                      "<|bos|>": {
                        "id": "<|bos|>",
                        "ids": [
                          1
                        ],
                        "tokens": [
                          "<|bos|>"
                        ]
                      }
                    }
                  }
                """)
            return t
        }
        #expect(tokenizer.vocabSize == 1202, "vocabSize \(tokenizer.vocabSize) with two added tokens, expected 1202")
        try Self.compare(tokenizer, texts, "added tokens + template")
    }

    @Test func tokenizerTrainedHereEncodesTheSameInPython() throws {
        var corpus = TokenizerCorpus(seed: 4)
        var trainer = try BPETrainer(vocabSize: 400)
        trainer.add(contentsOf: corpus.captions(400))
        let tokenizer = trainer.train()
        let texts = corpus.captions(40) + corpus.awkwardStrings(60) + ["<|bos|> a dog sits on the left <|eos|>"]
        try Self.compare(tokenizer, texts, "trained here")
    }

    @Test func pythonTrainingOnTheSameTextsWritesTheSameFile() throws {
        for (seed, size, vocab) in [(5 as UInt64, 300, 330), (6, 600, 700), (7, 200, 2000)] {
            var corpus = TokenizerCorpus(seed: seed)
            let texts = corpus.captions(size) + corpus.awkwardStrings(size / 4)
            var trainer = try BPETrainer(vocabSize: vocab)
            trainer.add(contentsOf: texts)
            let here = trainer.train().jsonBytes()

            let scratch = try TemporaryDirectory()
            let textsURL = scratch.url.appendingPathComponent("texts.json")
            try JSONSerialization.data(withJSONObject: texts).write(to: textsURL)
            let python = Array(try Python.output(Self.trainScript, [textsURL.path, String(vocab)]).utf8)
            let first = zip(here, python).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(here.count, python.count)
            let context = String(decoding: python[max(0, first - 80)..<min(python.count, first + 40)], as: UTF8.self)
            #expect(here == python, "seed \(seed), vocab \(vocab): files differ from byte \(first) (\(here.count) vs \(python.count) bytes); Python has: \(context)")
        }
    }
}
