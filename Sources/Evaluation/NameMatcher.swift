import Foundation

/// Finds the names of a vocabulary in captions: whole words, case-insensitive, longest names
/// first, and each word of a caption used by at most one name, so "mantelpiece clock" is not
/// also read as "clock". It also splits the caption into clauses, for place words.
struct NameMatcher {
    /// A caption as the matcher reads it: lowercased words, and the punctuation that ends a clause.
    enum Token: Equatable {
        case word(String)
        case stop
    }

    /// What one caption says about the vocabulary.
    struct Reading {
        /// The names it mentions (as `key`s), each once however often it is said.
        var mentioned: Set<String> = []
        /// For each mentioned name, the place words said in the clauses that mention it.
        var placesNear: [String: Set<String>] = [:]
    }

    /// The names as word lists, in matching order: most words first, then most letters, then
    /// alphabetical, so the order (and so the result) does not depend on the vocabulary's order.
    private let names: [(key: String, words: [String])]

    init(vocabulary: some Sequence<String>) {
        var seen: Set<String> = []
        names = vocabulary.map { Self.words($0) }
            .filter { !$0.isEmpty }
            .map { (key: $0.joined(separator: " "), words: $0) }
            .filter { seen.insert($0.key).inserted }
            .sorted { a, b in
                if a.words.count != b.words.count { return a.words.count > b.words.count }
                if a.key.count != b.key.count { return a.key.count > b.key.count }
                return a.key < b.key
            }
    }

    /// The form names are compared in: lowercased words joined by one space.
    static func key(_ name: String) -> String { words(name).joined(separator: " ") }

    static func words(_ text: String) -> [String] {
        tokens(text).compactMap { if case .word(let w) = $0 { w } else { nil } }
    }

    /// Words are runs of letters, digits, hyphens and apostrophes (without leading or trailing
    /// hyphens and apostrophes), so "t-shirt" is one word; `, ; . : ! ?` end a clause.
    static func tokens(_ text: String) -> [Token] {
        var out: [Token] = [], word = ""
        func flush() {
            let trimmed = word.trimmingCharacters(in: ["-", "'", "’"])
            if !trimmed.isEmpty { out.append(.word(trimmed)) }
            word = ""
        }
        for c in text.lowercased() {
            if c.isLetter || c.isNumber || c == "-" || c == "'" || c == "’" {
                word.append(c)
                continue
            }
            flush()
            if ",;.:!?".contains(c) { out.append(.stop) }
        }
        flush()
        return out
    }

    /// Reads `text`: which names it mentions, and the place words of their clauses. A clause
    /// ends at punctuation or at an "and" that is not part of a name; words inside a name (the
    /// "top" of "top hat") are never place words.
    func read(_ text: String) -> Reading {
        let tokens = Self.tokens(text)
        var used = [Bool](repeating: false, count: tokens.count)
        var mentions: [(key: String, at: Int)] = []
        for name in names where name.words.count <= tokens.count {
            let k = name.words.count
            var i = 0
            while i <= tokens.count - k {
                if (0..<k).allSatisfy({ !used[i + $0] && tokens[i + $0] == .word(name.words[$0]) }) {
                    for j in i..<i + k { used[j] = true }
                    mentions.append((name.key, i))
                    i += k
                } else {
                    i += 1
                }
            }
        }
        var clauseOf = [Int](repeating: 0, count: tokens.count), places: [Set<String>] = [[]]
        for (i, token) in tokens.enumerated() {
            switch token {
            case .stop:
                places.append([])
            case .word(let w) where !used[i]:
                if w == "and" { places.append([]) } else if SceneLayout.places.contains(w) { places[places.count - 1].insert(w) }
            case .word:
                break
            }
            clauseOf[i] = places.count - 1
        }
        var reading = Reading()
        for mention in mentions {
            reading.mentioned.insert(mention.key)
            reading.placesNear[mention.key, default: []].formUnion(places[clauseOf[mention.at]])
        }
        return reading
    }
}
