/// Learns a byte-level BPE tokenizer from text, the way Hugging Face's `BpeTrainer` does with a
/// ByteLevel pre-tokenizer and `initial_alphabet=ByteLevel.alphabet()`, so both produce the same
/// vocabulary and merges from the same texts:
///
/// - ids 0..<k are the special tokens in the order given (by default `<|pad|> <|bos|> <|eos|>
///   <|image|> <|audio|>`, ids 0...4), saved as `added_tokens` with `special: true`;
/// - then all 256 byte characters, ordered by code point, so any text can be encoded;
/// - then one token per merge. Each step merges the most frequent adjacent pair, counted over
///   distinct words weighted by occurrences; ties go to the pair with the smaller
///   (left id, right id). Training stops at `vocabSize` tokens or when no pair is left.
///
/// Texts are split into words by the GPT-2 pattern (no prefix space); special-token text in the
/// corpus is not treated specially while counting, as in Hugging Face.
public struct BPETrainer {
    public let vocabSize: Int
    public let specialTokens: [String]
    /// Pairs seen fewer times than this are never merged.
    public let minFrequency: Int
    private var wordCounts: [[UInt8]: Int] = [:]

    /// Throws when `vocabSize` cannot hold the special tokens and the 256 byte characters, or
    /// when a special token is empty or listed twice.
    public init(vocabSize: Int, specialTokens: [String] = SpecialToken.allCases.map(\.rawValue), minFrequency: Int = 0) throws {
        guard Set(specialTokens).count == specialTokens.count else { throw TokenizerError("special tokens \(specialTokens) list one twice") }
        guard !specialTokens.contains("") else { throw TokenizerError("a special token is empty") }
        let floor = specialTokens.count + 256
        guard vocabSize >= floor else {
            throw TokenizerError("vocabulary size \(vocabSize) is below \(floor) (\(specialTokens.count) special tokens + 256 bytes)")
        }
        guard minFrequency >= 0 else { throw TokenizerError("minimum frequency \(minFrequency) is negative") }
        self.vocabSize = vocabSize
        self.specialTokens = specialTokens
        self.minFrequency = minFrequency
    }

    /// Counts the words of one text.
    public mutating func add(_ text: String) {
        var text = text
        var pieces: [Range<Int>] = []
        text.withUTF8 { bytes in
            PreTokenizer.split(bytes, into: &pieces)
            for piece in pieces { wordCounts[Array(bytes[piece]), default: 0] += 1 }
        }
    }

    /// Counts the words of every text.
    public mutating func add<S: Sequence>(contentsOf texts: S) where S.Element == String {
        for text in texts { add(text) }
    }

    /// Number of distinct words counted so far.
    public var distinctWords: Int { wordCounts.count }

    /// Runs the merges and returns the tokenizer (saved with `save(to:)`, it loads in Python).
    public func train() -> BPETokenizer {
        var tokens: [String] = specialTokens
        var ids: [String: Int32] = [:]
        for (i, t) in tokens.enumerated() { ids[t] = Int32(i) }
        for scalar in ByteLevel.characters.sorted(by: { $0.value < $1.value }) where ids[String(scalar)] == nil {
            ids[String(scalar)] = Int32(tokens.count)
            tokens.append(String(scalar))
        }
        let byteIDs = ByteLevel.characters.map { ids[String($0)]! }

        // Sorted so that word indices, and so everything downstream, do not depend on hashing.
        let sortedWords = wordCounts.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        var words = sortedWords.map { $0.key.map { byteIDs[Int($0)] } }
        let counts = sortedWords.map(\.value)

        var pairCounts: [UInt64: Int] = [:]
        var wherePairs: [UInt64: Set<Int>] = [:]
        for (w, word) in words.enumerated() where word.count > 1 {
            for i in 0..<(word.count - 1) {
                let pair = Self.pack(word[i], word[i + 1])
                pairCounts[pair, default: 0] += counts[w]
                wherePairs[pair, default: []].insert(w)
            }
        }
        var queue = MergeQueue()
        for (pair, positions) in wherePairs where pairCounts[pair]! > 0 {
            queue.push(.init(pair: pair, count: pairCounts[pair]!, positions: positions))
        }

        var merges: [(pair: UInt64, result: Int32)] = []
        var changes: [(pair: UInt64, delta: Int)] = []
        while tokens.count < vocabSize, var top = queue.pop() {
            // Counts only change lazily in the queue: a stale entry goes back with its current count.
            let current = pairCounts[top.pair]!
            if top.count != current {
                top.count = current
                queue.push(top)
                continue
            }
            if top.count < 1 || top.count < minFrequency { break }

            let (left, right) = Self.unpack(top.pair)
            let merged = tokens[Int(left)] + tokens[Int(right)]
            let result: Int32
            if let existing = ids[merged] {
                result = existing
            } else {
                result = Int32(tokens.count)
                ids[merged] = result
                tokens.append(merged)
            }
            merges.append((top.pair, result))

            // The merged pair's own count is left as is, as Hugging Face leaves it: it only
            // matters if the pair forms again, and then it must be compared the same way.
            wherePairs.removeAll(keepingCapacity: true)
            for w in top.positions {
                changes.removeAll(keepingCapacity: true)
                Self.merge(&words[w], left, right, into: result, changes: &changes)
                for (pair, delta) in changes {
                    pairCounts[pair, default: 0] += delta * counts[w]
                    if delta > 0 { wherePairs[pair, default: []].insert(w) }
                }
            }
            for (pair, positions) in wherePairs where pairCounts[pair]! > 0 {
                queue.push(.init(pair: pair, count: pairCounts[pair]!, positions: positions))
            }
        }

        // A pair merged twice keeps its last rank, as Hugging Face's merge map (and its file) do.
        var lastRank: [UInt64: Int] = [:]
        for (rank, m) in merges.enumerated() { lastRank[m.pair] = rank }
        let ranked = merges.enumerated().filter { lastRank[$0.element.pair] == $0.offset }.map(\.element)

        var file = TokenizerFile()
        file.addedTokens = specialTokens.enumerated().map { AddedToken(id: $0.offset, content: $0.element, special: true) }
        file.vocab = tokens.enumerated().map { (token: $0.element, id: $0.offset) }
        file.merges = ranked.map { m in
            let (l, r) = Self.unpack(m.pair)
            return (tokens[Int(l)], tokens[Int(r)])
        }
        return BPETokenizer(file: file, name: "trained tokenizer")
    }

    /// Merges every non-overlapping (left, right) in `word`, left to right, and lists how the
    /// counts of the neighbouring pairs change (Hugging Face's `Word::merge`).
    private static func merge(_ word: inout [Int32], _ left: Int32, _ right: Int32, into result: Int32,
                              changes: inout [(pair: UInt64, delta: Int)]) {
        let n = word.count
        var read = 0, write = 0
        while read < n {
            if word[read] == left && read + 1 < n && word[read + 1] == right {
                if write > 0 {
                    changes.append((pack(word[write - 1], left), -1))
                    changes.append((pack(word[write - 1], result), 1))
                }
                word[write] = result
                write += 1
                read += 2
                if read < n {
                    changes.append((pack(right, word[read]), -1))
                    changes.append((pack(result, word[read]), 1))
                }
            } else {
                word[write] = word[read]
                write += 1
                read += 1
            }
        }
        word.removeLast(n - write)
    }

    private static func pack(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }
    private static func unpack(_ p: UInt64) -> (Int32, Int32) { (Int32(p >> 32), Int32(truncatingIfNeeded: p)) }
}

/// Max-heap of candidate merges: higher count first, then the smaller packed pair.
private struct MergeQueue {
    struct Entry {
        let pair: UInt64
        var count: Int
        let positions: Set<Int>

        func outranks(_ other: Entry) -> Bool { count != other.count ? count > other.count : pair < other.pair }
    }

    private var items: [Entry] = []

    mutating func push(_ e: Entry) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].outranks(items[parent]) else { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var best = i
            if l < items.count && items[l].outranks(items[best]) { best = l }
            if r < items.count && items[r].outranks(items[best]) { best = r }
            if best == i { break }
            items.swapAt(i, best)
            i = best
        }
        return top
    }
}
