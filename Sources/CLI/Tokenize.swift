import ArgumentParser
import Foundation
import Inputs
import Kernels

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode text to token ids, or decode ids to text, with a tokenizer.json.",
        discussion: """
            Encoding prints the ids as a JSON array (with --tokens, an object with ids and \
            token strings). Decoding prints the text; special tokens such as <|bos|> are left \
            out unless --keep-special-tokens is given, as Hugging Face's decode does.

            Examples:
              moe-mm tokenize --tokenizer tokenizer.json "a dog on the left"
              moe-mm tokenize --tokenizer tokenizer.json --tokens "<|image|> a cat"
              moe-mm tokenize --tokenizer tokenizer.json --file captions.txt
              moe-mm tokenize --tokenizer tokenizer.json --decode "69,824,320"
              moe-mm tokenize --tokenizer tokenizer.json --decode "[3, 261]" \\
                --keep-special-tokens
            """)

    @Option(help: "Path of the tokenizer.json to use.")
    var tokenizer: String

    @Argument(help: "The text to encode.")
    var text: String?

    @Option(help: "Encode the contents of this UTF-8 file instead of TEXT.")
    var file: String?

    @Option(help: "Decode these ids instead of encoding: comma-separated or a JSON array.")
    var decode: String?

    @Flag(help: "When encoding, print the token strings beside the ids.")
    var tokens = false

    @Flag(help: "When decoding, keep special tokens in the text.")
    var keepSpecialTokens = false

    @Flag(help: "When encoding, report speed on stderr: the first (cold) pass and the median of repeats with the word cache warm.")
    var stats = false

    func validate() throws {
        let inputs = [text != nil, file != nil, decode != nil].filter { $0 }.count
        guard inputs == 1 else { throw ValidationError("give exactly one of TEXT, --file or --decode") }
        guard FileManager.default.fileExists(atPath: tokenizer) else { throw ValidationError("--tokenizer \(tokenizer): no such file") }
        if let file, !FileManager.default.fileExists(atPath: file) { throw ValidationError("--file \(file): no such file") }
        if let decode { _ = try Self.ids(decode) }
        if tokens && decode != nil { throw ValidationError("--tokens applies to encoding, not --decode") }
        if keepSpecialTokens && decode == nil { throw ValidationError("--keep-special-tokens applies to --decode") }
        if stats && decode != nil { throw ValidationError("--stats applies to encoding, not --decode") }
    }

    /// "1,2,3", "1 2 3" or "[1, 2, 3]" as ids.
    static func ids(_ list: String) throws -> [Int] {
        var body = Substring(list.trimmingCharacters(in: .whitespaces))
        if body.hasPrefix("[") && body.hasSuffix("]") { body = body.dropFirst().dropLast() }
        return try body.split(whereSeparator: { $0 == "," || $0 == " " }).map { item in
            guard let id = Int(item), id >= 0 else { throw ValidationError("--decode: '\(item)' is not a token id") }
            return id
        }
    }

    func run() throws {
        let bpe = try BPETokenizer(contentsOf: URL(fileURLWithPath: tokenizer))
        if let decode {
            print(try bpe.decode(try Self.ids(decode), skipSpecialTokens: !keepSpecialTokens))
            return
        }
        let input: String
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw TokenizerError("\(file): cannot be read") }
            guard let string = String(validating: data, as: UTF8.self) else { throw TokenizerError("\(file): is not valid UTF-8") }
            input = string
        } else {
            input = text ?? ""
        }
        let start = now()
        let encoding = bpe.encoding(of: input)
        if stats { report(bpe, input, tokens: encoding.ids.count, coldSeconds: now() - start) }
        let ids = "[" + encoding.ids.map(String.init).joined(separator: ", ") + "]"
        if tokens {
            print("{\"ids\": \(ids), \"tokens\": [\(encoding.tokens.map(jsonStringLiteral).joined(separator: ", "))]}")
        } else {
            print(ids)
        }
    }

    private func report(_ bpe: BPETokenizer, _ input: String, tokens: Int, coldSeconds: Double) {
        let warm = measure(seconds: 1) { _ = bpe.encode(input) }.median
        let megabytes = Double(input.utf8.count) / 1e6
        func rate(_ s: Double) -> String { String(format: "%.3f s, %.1f MB/s, %.2f M tokens/s", s, megabytes / s, Double(tokens) / s / 1e6) }
        FileHandle.standardError.write(Data("\(input.utf8.count) bytes -> \(tokens) tokens; cold \(rate(coldSeconds)); warm \(rate(warm))\n".utf8))
    }

}

struct TokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Build byte-level BPE tokenizers.",
        subcommands: [TokenizerTrain.self])
}

struct TokenizerTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a byte-level BPE tokenizer on a manifest's text and save it as tokenizer.json.",
        discussion: """
            Learns merges from the "text", "prompt" and "references" strings of every \
            manifest line the way Hugging Face's BpeTrainer does, so Python's tokenizers \
            trains the same file from the same text. Ids 0-4 are <|pad|> <|bos|> <|eos|> \
            <|image|> <|audio|>, then come the 256 bytes, then the merges. The file is \
            written atomically.

            Examples:
              moe-mm tokenizer train --manifest data/scenes/train.jsonl \\
                --vocab-size 1200 --out tokenizer.json
              moe-mm tokenizer train --manifest a.jsonl --manifest b.jsonl \\
                --vocab-size 4096 --out runs/tok/tokenizer.json
            """)

    @Option(help: "A JSON Lines manifest to learn from (repeat for several).")
    var manifest: [String] = []

    @Option(help: "Tokens in the vocabulary, special tokens and the 256 bytes included (at least 261).")
    var vocabSize: Int

    @Option(help: "Where to write tokenizer.json.")
    var out: String

    func validate() throws {
        guard !manifest.isEmpty else { throw ValidationError("give at least one --manifest") }
        for path in manifest where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("--manifest \(path): no such file")
        }
        let floor = SpecialToken.allCases.count + 256
        guard vocabSize >= floor else { throw ValidationError("--vocab-size \(vocabSize) is below \(floor) (5 special tokens + 256 bytes)") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("--out \(out) is a directory; give the file to write")
        }
        let parent = URL(fileURLWithPath: out).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--out \(out): directory \(parent) does not exist")
        }
    }

    func run() throws {
        let start = Date()
        var trainer = try BPETrainer(vocabSize: vocabSize)
        var texts = 0
        for path in manifest {
            for text in try Self.manifestTexts(path) {
                trainer.add(text)
                texts += 1
            }
        }
        guard texts > 0 else { throw TokenizerError("\(manifest.joined(separator: ", ")): no text, prompt or references to learn from") }
        let tokenizer = trainer.train()
        try tokenizer.save(to: URL(fileURLWithPath: out))
        let early = tokenizer.vocabSize < vocabSize ? "; no pair was left to reach \(vocabSize)" : ""
        print("\(out): \(tokenizer.vocabSize) tokens (\(tokenizer.addedTokens.count) special, 256 bytes, \(tokenizer.merges.count) merges) "
              + "from \(texts) texts, \(trainer.distinctWords) distinct words, in \(String(format: "%.2f", Date().timeIntervalSince(start))) s\(early)")
    }

    /// The strings to learn from, line by line. Only the fields the tokenizer needs are read;
    /// the full manifest reader (images, audio, conversations) lives with the data code.
    static func manifestTexts(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw TokenizerError("\(path): cannot be read") }
        var texts: [String] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let place = "\(path):\(index + 1)"
            guard line.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) else { continue }
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed]) else {
                throw TokenizerError("\(place): not valid JSON")
            }
            guard let object = parsed as? [String: Any] else { throw TokenizerError("\(place): not a JSON object") }
            for key in ["text", "prompt"] {
                guard let value = object[key], !(value is NSNull) else { continue }
                guard let string = value as? String else { throw TokenizerError("\(place): \"\(key)\" should be a string") }
                texts.append(string)
            }
            if let value = object["references"], !(value is NSNull) {
                guard let list = value as? [String] else { throw TokenizerError("\(place): \"references\" should be a list of strings") }
                texts += list
            }
        }
        return texts
    }
}
