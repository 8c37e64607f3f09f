import Foundation

/// One drawable object: an emoji picture and the noun the captions use for it.
public struct EmojiObject: Sendable, Equatable, Hashable {
    /// Lower-case hex code point, as in the file name (`1f415` → `png/1f415.png`).
    public let codepoint: String
    /// The CLDR short name from `emoji.tsv`.
    public let cldrName: String
    /// The name captions use: the CLDR name simplified (see `EmojiCatalog.simplify`).
    public let name: String
    /// The concrete-noun category it was selected by, or nil when outside every category.
    public let category: ObjectCategory?

    /// The noun phrase with its article: "a dog", "an apple", "some grapes".
    public var withArticle: String { Captioning.article(for: name) + " " + name }
}

/// The emoji artwork folder (`png/<codepoint>.png` plus `emoji.tsv`) and its object lists.
public struct EmojiCatalog: Sendable {
    public let directory: URL
    /// Every emoji in `emoji.tsv`, in file order (which is code point order).
    public let all: [EmojiObject]

    /// Reads `emoji.tsv` in `directory`; throws a one-line error naming the file and line.
    public init(directory: URL) throws {
        self.directory = directory
        let tsv = directory.appendingPathComponent("emoji.tsv")
        guard let text = try? String(contentsOf: tsv, encoding: .utf8) else {
            throw DatasetError("\(tsv.path): cannot read the emoji name table")
        }
        var objects: [EmojiObject] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if index == 0 || line.isEmpty { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2, let value = UInt32(fields[0], radix: 16) else {
                throw DatasetError("\(tsv.path):\(index + 1): expected 'codepoint<TAB>name<TAB>unicode_name'")
            }
            let cldr = String(fields[1])
            objects.append(EmojiObject(codepoint: String(fields[0]), cldrName: cldr,
                                       name: EmojiCatalog.simplify(cldr),
                                       category: ObjectCategory.of(codepoint: value, name: cldr)))
        }
        guard !objects.isEmpty else { throw DatasetError("\(tsv.path): no emoji listed") }
        all = objects
    }

    public func pictureURL(_ object: EmojiObject) -> URL {
        directory.appendingPathComponent("png/\(object.codepoint).png")
    }

    /// Every emoji in a concrete-noun category, in code point order, the first of any that
    /// simplify to the same name ("oncoming bus" is another "bus"): the `full` vocabulary.
    public var concreteObjects: [EmojiObject] {
        var seen: Set<String> = []
        return all.filter { $0.category != nil && seen.insert($0.name).inserted }
    }

    /// `count` concrete objects with short names (at most two words), spread over the categories:
    /// each category gets an equal share (spare places go to the earlier categories, and a
    /// category with too few objects passes its remainder on), taken evenly spaced through the
    /// category in code point order. The choice depends only on the catalog, never on a seed.
    public func subset(count: Int) -> [EmojiObject] {
        let short = concreteObjects.filter { $0.name.split(separator: " ").count <= 2 }
        let groups = ObjectCategory.allCases.map { c in short.filter { $0.category == c } }
        var quota = [Int](repeating: 0, count: groups.count)
        var remaining = min(count, short.count)
        while remaining > 0 {
            let open = groups.indices.filter { quota[$0] < groups[$0].count }
            let share = max(1, remaining / open.count)
            for g in open where remaining > 0 {
                let add = min(share, groups[g].count - quota[g], remaining)
                quota[g] += add
                remaining -= add
            }
        }
        var chosen: [EmojiObject] = []
        for (g, group) in groups.enumerated() where quota[g] > 0 {
            for i in 0..<quota[g] { chosen.append(group[i * group.count / quota[g]]) }
        }
        return chosen.sorted { $0.codepoint < $1.codepoint }
    }

    /// Shortens a CLDR name for captions: drops a trailing "with …"/"without …" detail and a
    /// leading "oncoming", and writes typographic apostrophes plainly ("woman’s hat" → "woman's hat").
    public static func simplify(_ cldr: String) -> String {
        var name = cldr.lowercased().replacingOccurrences(of: "\u{2019}", with: "'")
        for cut in [" with ", " without "] {
            if let r = name.range(of: cut) { name = String(name[..<r.lowerBound]) }
        }
        if name.hasPrefix("oncoming ") { name.removeFirst("oncoming ".count) }
        return name.trimmingCharacters(in: .whitespaces)
    }
}

/// The concrete-noun categories, each a list of code point ranges minus names that are not a
/// thing one could point at (faces, people, gestures, signs). The ranges follow the Unicode
/// emoji blocks; see data/README.md.
public enum ObjectCategory: String, CaseIterable, Sendable {
    case animal, food, plant, vehicle, tool, household, music, sport, clothing

    var ranges: [ClosedRange<UInt32>] {
        switch self {
        case .animal:
            [0x1F400...0x1F43C, 0x1F43F...0x1F43F, 0x1F54A...0x1F54A, 0x1F577...0x1F577,
             0x1F980...0x1F9AE, 0x1FAB0...0x1FAB3, 0x1FABC...0x1FABC, 0x1FABF...0x1FABF, 0x1FACE...0x1FACF]
        case .food:
            [0x02615...0x02615, 0x1F32D...0x1F330, 0x1F336...0x1F336, 0x1F33D...0x1F33D, 0x1F344...0x1F37F,
             0x1F382...0x1F382, 0x1F950...0x1F96F, 0x1F9C0...0x1F9CB, 0x1FAD0...0x1FADB]
        case .plant:
            [0x1F331...0x1F335, 0x1F337...0x1F33C, 0x1F33E...0x1F343, 0x1F490...0x1F490, 0x1F940...0x1F940,
             0x1FAB4...0x1FAB4, 0x1FAB7...0x1FAB7, 0x1FABB...0x1FABB]
        case .vehicle:
            [0x02708...0x02708, 0x026F4...0x026F5, 0x1F3CD...0x1F3CE, 0x1F680...0x1F6A2, 0x1F6A4...0x1F6A4,
             0x1F6B2...0x1F6B2, 0x1F6E5...0x1F6E5, 0x1F6E9...0x1F6E9, 0x1F6F0...0x1F6F0, 0x1F6F3...0x1F6FC]
        case .tool:
            [0x02692...0x02692, 0x02696...0x02697, 0x02699...0x02699, 0x026CF...0x026CF, 0x02702...0x02702,
             0x0270F...0x0270F, 0x1F4CC...0x1F4D0, 0x1F511...0x1F511, 0x1F526...0x1F52D, 0x1F58A...0x1F58D,
             0x1F5DC...0x1F5DD, 0x1F6E0...0x1F6E0, 0x1F9EA...0x1F9EB, 0x1F9ED...0x1F9F2, 0x1F9F7...0x1F9F7, 0x1F9F9...0x1F9F9,
             0x1FA93...0x1FA93, 0x1FA9A...0x1FA9D, 0x1FAA0...0x1FAA1, 0x1FAA4...0x1FAA5]
        case .household:
            [0x0231A...0x0231B, 0x023F0...0x023F1, 0x02602...0x02602, 0x0260E...0x0260E, 0x026B0...0x026B0,
             0x1F380...0x1F381, 0x1F383...0x1F384, 0x1F388...0x1F388, 0x1F392...0x1F393, 0x1F4A1...0x1F4A1, 0x1F4BB...0x1F4BC,
             0x1F4BE...0x1F4BE, 0x1F4C5...0x1F4C5, 0x1F4D5...0x1F4DA, 0x1F4E6...0x1F4E6, 0x1F4EE...0x1F4EE,
             0x1F4F0...0x1F4F1, 0x1F4F7...0x1F4F7, 0x1F4FA...0x1F4FB, 0x1F50B...0x1F50C, 0x1F514...0x1F514,
             0x1F56F...0x1F570, 0x1F5A5...0x1F5A5, 0x1F5A8...0x1F5A8, 0x1F5B1...0x1F5B1, 0x1F5D1...0x1F5D1,
             0x1F6AA...0x1F6AA, 0x1F6BD...0x1F6BD, 0x1F6BF...0x1F6BF, 0x1F6C1...0x1F6C1, 0x1F6CB...0x1F6CB,
             0x1F6CF...0x1F6CF, 0x1F6D2...0x1F6D2, 0x1F9F3...0x1F9F4, 0x1F9F8...0x1F9F8, 0x1F9FA...0x1F9FD,
             0x1FA91...0x1FA92, 0x1FA9E...0x1FA9F, 0x1FAA3...0x1FAA3]
        case .music:
            [0x1F3A4...0x1F3A4, 0x1F3A7...0x1F3A7, 0x1F3B7...0x1F3BB, 0x1F4EF...0x1F4EF, 0x1F941...0x1F941,
             0x1FA87...0x1FA88, 0x1FA95...0x1FA95, 0x1FA97...0x1FA98]
        case .sport:
            [0x026BD...0x026BE, 0x026F8...0x026F8, 0x1F3A3...0x1F3A3, 0x1F3B1...0x1F3B2, 0x1F3BE...0x1F3C0,
             0x1F3C6...0x1F3C6, 0x1F3C8...0x1F3C9, 0x1F3D0...0x1F3D3, 0x1F3F8...0x1F3F9, 0x1F94A...0x1F94A,
             0x1F945...0x1F945, 0x1F94C...0x1F94F, 0x1FA80...0x1FA83]
        case .clothing:
            [0x1F3A9...0x1F3A9, 0x1F451...0x1F462, 0x1F97B...0x1F97F, 0x1F9E2...0x1F9E6,
             0x1FA70...0x1FA74, 0x1F576...0x1F576]
        }
    }

    /// Words that mark a picture of a person, body part, face or sign rather than an object.
    private static let excludedWords: Set<String> = [
        "face", "person", "man", "woman", "men", "women", "hand", "hands", "finger", "fingers",
        "fist", "button", "sign", "symbol", "arrow", "flag", "heart", "nose", "prints", "spouting",
    ]

    /// The first category whose ranges hold `codepoint`, unless the name says it is not an object.
    static func of(codepoint: UInt32, name: String) -> ObjectCategory? {
        let words = name.lowercased().split(whereSeparator: { $0 == " " || $0 == "-" }).map(String.init)
        if words.contains(where: excludedWords.contains) { return nil }
        // Vehicles are listed by a range that also holds a few places and people.
        if ["station", "stop", "rowing"].contains(where: words.contains) { return nil }
        return allCases.first { c in c.ranges.contains { $0.contains(codepoint) } }
    }
}

/// A dataset build failure: one line naming the file (and line) and what is wrong.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
