import Foundation

/// Deterministic text for tokenizer tests, from a small linear congruential generator.
struct TokenizerCorpus {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(_ n: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(n))
    }

    mutating func pick<T>(_ items: [T]) -> T { items[next(items.count)] }

    /// Scene-caption-like sentences with some numbers, punctuation, contractions and non-ASCII.
    mutating func captions(_ count: Int) -> [String] {
        let subjects = ["a dog", "the cat", "two apples", "a red car", "an old man", "the café", "a 🐶", "three birds", "a girl's kite"]
        let verbs = ["sits", "runs", "is", "stands", "waits", "sleeps", "doesn't move", "they're"]
        let places = ["on the left", "on the right", "in the middle", "near a tree", "under 2 lamps", "at 10:30", "by the sea!", "in Zürich", "next to ☕"]
        return (0..<count).map { _ in
            var s = "\(pick(subjects)) \(pick(verbs)) \(pick(places))"
            if next(4) == 0 { s += ", \(pick(subjects)) \(pick(places))." }
            if next(6) == 0 { s = s.prefix(1).uppercased() + s.dropFirst() }
            if next(8) == 0 { s += "\n" }
            return s
        }
    }

    /// Strings built from pieces that exercise every branch of the pre-tokenizer and the
    /// added-token matcher: whitespace runs of several kinds, contractions, letters, numbers
    /// and symbols of many scripts, broken-up special tokens.
    mutating func awkwardStrings(_ count: Int) -> [String] {
        let pieces = ["a", "cat", "dog", "Dog", "tab", " ", "  ", "   ", "\t", "\n", "\r\n", " \n ", "'s", "'t", "'re", "'ve",
                      "'m", "'ll", "'d", "'S", "''", "'", "!", "?!", ".", ",", "...", "123", "4", "½", "Ⅻ", "٣", "é", "e\u{301}",
                      "café", "☕", "🐶", "👍🏽", "中文", "日本語", "한국어", "\u{A0}", "\u{2003}", "\u{3000}", "\u{200B}", "\u{85}",
                      "<|image|>", "<|bos|>", "<|eos|>", "<|pad", "|>", "_", "-", "Ω", "ß", "ǅ", "ʰ", "\u{0}", "\u{7F}",
                      "x", "supercalifragilistic", "𝔘𝔫𝔦", "ـ", "\u{FEFF}"]
        return (0..<count).map { _ in (0..<(1 + next(12))).map { _ in pick(pieces) }.joined() }
    }
}
