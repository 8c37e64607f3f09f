import Foundation
import Kernels

/// The special tokens of the moe-mm token stream (DESIGN §2). A tokenizer trained here gives
/// them ids 0...4 in this order.
public enum SpecialToken: String, CaseIterable, Sendable {
    case pad = "<|pad|>", bos = "<|bos|>", eos = "<|eos|>", image = "<|image|>", audio = "<|audio|>"
}

/// Ids and token strings of one encoded text, as Hugging Face's `Encoding.ids` / `.tokens`.
public struct EncodedText: Equatable, Sendable {
    public var ids: [Int]
    public var tokens: [String]
}

/// A byte-level BPE tokenizer read from and written to Hugging Face's `tokenizer.json`, giving
/// the same ids as the Python `tokenizers` library: added tokens are matched first, the rest is
/// split by GPT-2's pattern, mapped byte-to-character and merged by rank.
///
/// Immutable apart from a word cache behind a lock, so one instance can be shared across threads.
public final class BPETokenizer: @unchecked Sendable {
    let file: TokenizerFile
    /// Where it was read from, for error messages.
    public let name: String
    private let model: BPEModel
    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher
    /// Id → token string (added tokens over the model vocabulary, as Hugging Face looks up).
    private let tokens: [String?]
    /// Id → the bytes the decoder gives for it.
    private let tokenBytes: [[UInt8]?]
    private let isSpecial: [Bool]
    private let ids: [String: Int]

    private let cacheLock = NSLock()
    private var cache: [[UInt8]: [Int32]] = [:]
    private static let cacheLimit = 100_000, cachedWordLimit = 256

    /// Reads `tokenizer.json`; errors name the path and the field at fault.
    public convenience init(contentsOf url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { throw TokenizerError("\(url.path): no such file") }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError("\(url.path): cannot be read (\((error as NSError).localizedDescription))")
        }
        try self.init(json: [UInt8](data), name: url.path)
    }

    /// Parses the contents of a `tokenizer.json`; `name` starts error messages.
    public convenience init(json: [UInt8], name: String = "tokenizer.json") throws {
        self.init(file: try TokenizerFile(json: json, name: name), name: name)
    }

    init(file: TokenizerFile, name: String) {
        self.file = file
        self.name = name
        model = BPEModel(file: file)
        rawMatcher = AddedTokenMatcher(file.addedTokens.filter { !$0.normalized })
        normalizedMatcher = AddedTokenMatcher(file.addedTokens.filter(\.normalized))

        let size = max(file.vocab.last.map { $0.id + 1 } ?? 0, (file.addedTokens.map(\.id).max() ?? -1) + 1)
        var tokens = [String?](repeating: nil, count: size)
        var isSpecial = [Bool](repeating: false, count: size)
        var ids: [String: Int] = [:]
        for (token, id) in file.vocab {
            tokens[id] = token
            ids[token] = id
        }
        for t in file.addedTokens {
            tokens[t.id] = t.content
            isSpecial[t.id] = t.special
            ids[t.content] = t.id
        }
        self.tokens = tokens
        self.isSpecial = isSpecial
        self.ids = ids
        // The ByteLevel decoder turns each character back into its byte; a token with any other
        // character (an added token such as <|bos|>) is taken as its UTF-8 text.
        tokenBytes = tokens.map { token in token.map { ByteLevel.decode($0) ?? Array($0.utf8) } }
    }

    /// One more than the largest id: the size an embedding table needs.
    public var vocabSize: Int { tokens.count }

    /// The `added_tokens` of the file, in file order.
    public var addedTokens: [AddedToken] { file.addedTokens }

    /// The merges in rank order, as token-string pairs.
    public var merges: [(String, String)] { file.merges }

    /// The id of a token string (added tokens first, then the model vocabulary).
    public func id(of token: String) -> Int? { ids[token] }

    /// The token string of an id, nil if no token has it.
    public func token(of id: Int) -> String? { id >= 0 && id < tokens.count ? tokens[id] : nil }

    /// The id of one of the stream's special tokens; throws if this tokenizer lacks it.
    public func id(for special: SpecialToken) throws -> Int {
        guard let id = ids[special.rawValue] else { throw TokenizerError("\(name): has no \(special.rawValue) token") }
        return id
    }

    /// The ids of `text`. With `addSpecialTokens` the post-processor (if any) adds its tokens,
    /// as Hugging Face's `encode(text)` does by default.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        var text = text
        var out: [Int32] = []
        var spans: [(Int, Range<Int>)] = []
        text.withUTF8 { encodeBytes($0, into: &out, addedTokenSpans: &spans) }
        let ids = out.map(Int.init)
        guard addSpecialTokens, let post = file.postProcessor else { return ids }
        return Self.process(post, EncodedText(ids: ids, tokens: [])).ids
    }

    /// Ids and token strings of `text`, as Hugging Face's `Encoding`. An added token's string is
    /// the text it matched, including whitespace its lstrip/rstrip took.
    public func encoding(of text: String, addSpecialTokens: Bool = true) -> EncodedText {
        var text = text
        var out: [Int32] = []
        var spans: [(Int, Range<Int>)] = []
        let encoding = text.withUTF8 { bytes in
            encodeBytes(bytes, into: &out, addedTokenSpans: &spans)
            var strings = out.map { tokens[Int($0)]! }
            for (index, range) in spans { strings[index] = String(decoding: bytes[range], as: UTF8.self) }
            return EncodedText(ids: out.map(Int.init), tokens: strings)
        }
        guard addSpecialTokens, let post = file.postProcessor else { return encoding }
        return Self.process(post, encoding)
    }

    /// The text of `ids`. Special added tokens are left out unless `skipSpecialTokens` is false
    /// (Hugging Face's default is the same). Bytes that do not form valid UTF-8 become U+FFFD.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) throws -> String {
        for id in ids where id < 0 || id >= tokens.count || tokens[id] == nil {
            throw TokenizerError("\(name): id \(id) is not in the vocabulary (ids run 0..<\(tokens.count))")
        }
        let kept = ids.filter { !(skipSpecialTokens && isSpecial[$0]) }
        guard file.decoder != nil else { return kept.map { tokens[$0]! }.joined(separator: " ") }
        var bytes: [UInt8] = []
        for id in kept { bytes += tokenBytes[id]! }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The `tokenizer.json` text, laid out as Hugging Face writes it.
    public func jsonBytes() -> [UInt8] { TokenizerJSON.pretty(file.json()) }

    /// Writes `tokenizer.json` atomically (never a half-written file).
    public func save(to url: URL) throws {
        do { try AtomicFile.write(Data(jsonBytes()), to: url) } catch {
            throw TokenizerError("\(url.path): cannot write (\(error))")
        }
    }

    // MARK: - Encoding pipeline

    /// Appends the ids of `bytes` to `out`, and the position and matched bytes of each added token to `addedTokenSpans`.
    private func encodeBytes(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [Int32], addedTokenSpans: inout [(Int, Range<Int>)]) {
        var segments: [TextSegment] = []
        if rawMatcher.isEmpty {
            segments.append(.text(0..<bytes.count))
        } else {
            rawMatcher.split(bytes, 0..<bytes.count, into: &segments)
        }
        if !normalizedMatcher.isEmpty {
            var refined: [TextSegment] = []
            for s in segments {
                if case .text(let r) = s { normalizedMatcher.split(bytes, r, into: &refined) } else { refined.append(s) }
            }
            segments = refined
        }
        var scratch = MergeScratch()
        var pieces: [Range<Int>] = []
        for segment in segments {
            switch segment {
            case let .token(id, range):
                addedTokenSpans.append((out.count, range))
                out.append(id)
            case .text(let range): encodeText(UnsafeBufferPointer(rebasing: bytes[range]), into: &out, pieces: &pieces, scratch: &scratch)
            }
        }
    }

    /// Pre-tokenizes one stretch of text without added tokens and encodes each word.
    private func encodeText(_ text: UnsafeBufferPointer<UInt8>, into out: inout [Int32],
                            pieces: inout [Range<Int>], scratch: inout MergeScratch) {
        guard !text.isEmpty else { return }
        let options = file.preTokenizer
        if options.addPrefixSpace && text.first != 0x20 {
            let prefixed = [0x20] + Array(text)
            prefixed.withUnsafeBufferPointer { words($0, options.useRegex, into: &out, pieces: &pieces, scratch: &scratch) }
        } else {
            words(text, options.useRegex, into: &out, pieces: &pieces, scratch: &scratch)
        }
    }

    private func words(_ text: UnsafeBufferPointer<UInt8>, _ useRegex: Bool, into out: inout [Int32],
                       pieces: inout [Range<Int>], scratch: inout MergeScratch) {
        guard useRegex else { return encodeWord(text, into: &out, scratch: &scratch) }
        pieces.removeAll(keepingCapacity: true)
        PreTokenizer.split(text, into: &pieces)
        for piece in pieces { encodeWord(UnsafeBufferPointer(rebasing: text[piece]), into: &out, scratch: &scratch) }
    }

    private func encodeWord(_ word: UnsafeBufferPointer<UInt8>, into out: inout [Int32], scratch: inout MergeScratch) {
        guard word.count > 1 && word.count <= Self.cachedWordLimit else {
            return model.encodeWord(word, into: &out, scratch: &scratch)
        }
        let key = Array(word)
        cacheLock.lock()
        let hit = cache[key]
        cacheLock.unlock()
        if let hit { return out.append(contentsOf: hit) }
        let start = out.count
        model.encodeWord(word, into: &out, scratch: &scratch)
        cacheLock.lock()
        if cache.count < Self.cacheLimit { cache[key] = Array(out[start...]) }
        cacheLock.unlock()
    }

    private static func process(_ post: PostProcessor, _ encoding: EncodedText) -> EncodedText {
        switch post {
        case .byteLevel:
            return encoding
        case .sequence(let list):
            return list.reduce(encoding) { process($1, $0) }
        case let .template(single, _, specials):
            var result = EncodedText(ids: [], tokens: [])
            for item in single {
                switch item {
                case .sequence:
                    result.ids += encoding.ids
                    result.tokens += encoding.tokens
                case .specialToken(let id, _):
                    let special = specials.first { $0.id == id }!
                    result.ids += special.ids
                    result.tokens += special.tokens
                }
            }
            return result
        }
    }
}
