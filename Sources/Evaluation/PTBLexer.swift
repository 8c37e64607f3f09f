/// A Swift rendition of the Penn Treebank lexer in Stanford CoreNLP 3.4.1 with its default
/// (PTB3-escaping, no americanisation) options, for the text shapes captions contain. Like the
/// original it tries every rule at the current position and keeps the longest match (trailing
/// context included), the earlier rule winning a tie; the match may consume less than its
/// length, leaving the rest for the next token ("cannot" → "can" + "not").
struct PTBLexer {
    enum Token: Equatable { case word(String), newline }

    private typealias L = PTBLexicon
    private let p: PTBPatterns
    private var s: [Unicode.Scalar] { p.s }
    private var i = 0

    init(_ text: [Unicode.Scalar]) { p = PTBPatterns(s: text) }

    /// How a winning match becomes token text.
    private enum Render {
        case verbatim, fixed(String), noSoftHyphens, quotes(left: Bool), nonBreakingSpaces, phone, currency, brackets
    }

    private struct Match {
        var length: Int, consumed: Int, render: Render
        init(_ length: Int, _ consumed: Int? = nil, _ render: Render = .verbatim) {
            self.length = length; self.consumed = consumed ?? length; self.render = render
        }
    }

    mutating func next() -> Token? {
        while i < s.count {
            let c = s[i]
            if c == "\n" { i += 1; return .newline }
            if L.isSpaceOrNewline(c) { i += 1; continue }
            var best: Match?
            for m in candidates(at: i) where m.length > (best?.length ?? 0) { best = m }
            guard let m = best else {
                i += 1
                if L.isDeleted(c) { continue }
                return .word(String(Character(c)))
            }
            let text = render(m)
            i += m.consumed
            // A word of nothing but soft hyphens vanishes.
            if !text.isEmpty { return .word(text) }
        }
        return nil
    }

    private func render(_ m: Match) -> String {
        var t = String(String.UnicodeScalarView(s[i..<(i + m.consumed)]))
        switch m.render {
        case .verbatim: break
        case .fixed(let f): t = f
        case .noSoftHyphens: t.unicodeScalars.removeAll { $0 == "\u{AD}" }
        case .quotes(let left): t = L.latexQuotes(t, left: left)
        case .nonBreakingSpaces: t = t.replacingSpaces()
        case .phone: t = t.replacingSpaces().replacingParentheses()
        case .brackets: t = t.replacingParentheses()
        case .currency:
            if let mapped = L.currency[s[i]], let mapped { t = mapped }
        }
        return t
    }

    /// Every rule that matches at `k`, in the lexer's priority order.
    private func candidates(at k: Int) -> [Match] {
        var out: [Match] = []
        func add(_ end: Int, _ render: Render = .verbatim) { if end > k { out.append(Match(end - k, nil, render)) } }
        let c = s[k], next = p.at(k + 1)

        // "cannot", "gonna": the first three letters now, the rest next; "'tis" → "'t" + "is".
        if k + 6 <= s.count, L.assimilations.contains(String(String.UnicodeScalarView(s[k..<k + 6].map(p.lower)))) {
            out.append(Match(6, 3))
        } else if k + 5 <= s.count, L.assimilations.contains(String(String.UnicodeScalarView(s[k..<k + 5].map(p.lower)))) {
            out.append(Match(5, 3))
        }
        if c == "'", p.literal("tis", at: k + 1) { out.append(Match(4, 2)) }
        if c == "'", p.literal("twas", at: k + 1) { out.append(Match(5, 2)) }

        if "\u{96}\u{97}\u{2013}\u{2014}\u{2015}".unicodeScalars.contains(c) { out.append(Match(1, 1, .fixed("--"))) }
        if c == "&", let m = entity(k) { out.append(m) }

        // A word before a clitic or n't gives the clitic its own token.
        let word = p.word(k)
        let wordClitic = word > k ? p.clitic(word) : 0
        if wordClitic > 0 { out.append(Match(word - k + wordClitic, word - k, .noSoftHyphens)) }
        let letters = p.run(from: k) { L.isASCIILetter($0) || $0 == "\u{AD}" }
        if letters > k + 1, p.negation(letters - 1), p.lower(s[letters - 2]) != "n" {
            out.append(Match(letters - k + 2, letters - 1 - k, .noSoftHyphens))
        }
        add(word, .noSoftHyphens)
        add(apostropheWord(k))
        if p.lower(c) == "y", let a = next, L.isApostrophe(a), let l = p.at(k + 2), L.isPlainLetter(l) { out.append(Match(3, 2)) }
        add(p.url(k))
        add(p.likelyURL(k))
        add(p.email(k))
        add(p.smiley(k), .brackets)
        let clitic = p.clitic(k)
        if clitic > 0, let after = p.at(k + clitic), !L.isASCIILetter(after) {
            out.append(Match(clitic + 1, clitic, .quotes(left: false)))
        }
        if p.negation(k) { out.append(Match(3, 3, .quotes(left: false))) }
        add(p.date(k))
        add(p.number(k), .noSoftHyphens)
        add(p.fraction(k), .nonBreakingSpaces)
        if let f = L.fractions[c] { out.append(Match(1, 1, .fixed(f))) }
        if c.value >= 0x2155 && c.value <= 0x215E { out.append(Match(1)) }
        for special in L.specialTokens where p.literal(special, at: k) { add(k + special.unicodeScalars.count) }
        add(p.slashed(k))
        add(dollar(k))
        add(handle(k))
        if L.currency[c] != nil { out.append(Match(1, 1, .currency)) }
        if let m = abbreviation(k) { out.append(m) }
        let dotted = max(word, p.thing(k), p.dottedHyphenated(k), p.capitalsJoined(k))
        if dotted > k, p.at(dotted) == ".", let sep = p.at(dotted + 1), ",;:".unicodeScalars.contains(sep) {
            out.append(Match(dotted + 2 - k, dotted + 1 - k, .noSoftHyphens))
        }
        add(p.phone(k), .phone)
        if c == "\"" {
            let left = next.map { L.isASCIIAlnum($0) || $0 == "$" } ?? false
            out.append(Match(1, 1, .fixed(left ? "``" : "''")))
        }
        if "+%&\u{2030}\u{2031}~^|\\=/<>".unicodeScalars.contains(c) { out.append(Match(1)) }
        if let b = L.brackets[c] { out.append(Match(1, 1, .fixed(b))) }
        add(p.tag(k), .nonBreakingSpaces)
        let hyphens = p.run(from: k) { $0 == "-" }
        if hyphens > k { out.append(Match(hyphens - k, nil, (3...4).contains(hyphens - k) ? .fixed("--") : .verbatim)) }
        add(p.ellipsis(k), .fixed("..."))
        for mark in ["@", "#", "_", "*"] as [Unicode.Scalar] where c == mark { add(p.run(from: k) { $0 == mark }) }
        if ",;:.\u{A1}\u{BF}\u{37E}\u{589}\u{61F}\u{6D4}\u{700}\u{701}\u{702}\u{7FA}".unicodeScalars.contains(c) { out.append(Match(1)) }
        if c == "?" || c == "!" { add(p.run(from: k) { $0 == "?" || $0 == "!" }) }
        add(p.dottedHyphenated(k), .noSoftHyphens)
        add(p.thing(k))
        add(p.capitalsJoined(k))
        // An ASCII quote right before a word opens a quotation.
        if c == "'", let l = next, L.isASCIILetter(l), let after = p.at(k + 2), !" \t\n\r\u{A0}".unicodeScalars.contains(after) {
            out.append(Match(3, 1, .fixed("`")))
        }
        if clitic > 0 { out.append(Match(clitic, clitic, .quotes(left: false))) }
        if L.isApostrophe(c) || L.isQuoteMark(c) {
            let pair = (c == "'" && next == "'") || (L.isQuoteMark(c) && next.map(L.isQuoteMark) == true)
            out.append(Match(pair ? 2 : 1, nil, .quotes(left: false)))
        }
        return out
    }

    /// Words with an apostrophe inside that stay whole: 'n', l', O'Neil, ma'am, '90s, 'em, 'til.
    private func apostropheWord(_ k: Int) -> Int {
        let c = s[k]
        var best = k
        if L.isApostrophe(c) {
            if p.lower(p.at(k + 1) ?? " ") == "n" { best = p.at(k + 2).map(L.isApostrophe) == true ? k + 3 : k + 2 }
            if p.literal("em", at: k + 1) { best = max(best, k + 3) }
            if p.literal("til", at: k + 1) { best = max(best, p.literal("till", at: k + 1) ? k + 5 : k + 4) }
            if p.literal("cause", at: k + 1) { best = max(best, k + 6) }
            if let d = p.at(k + 1), d.value >= 0x32 && d.value <= 0x39, p.at(k + 2) == "0", p.lower(p.at(k + 3) ?? " ") == "s" {
                best = max(best, k + 4)
            }
            return best
        }
        if "lLdDjJ".unicodeScalars.contains(c), let a = p.at(k + 1), L.isApostrophe(a) { best = k + 2 }
        for stem in ["dunkin", "somethin", "ol"] where p.literal(stem, at: k) {
            let e = k + stem.count
            if let a = p.at(e), L.isApostrophe(a) { best = max(best, e + 1) }
        }
        for w in L.apostropheWords where p.literal(w, at: k) { best = max(best, k + w.unicodeScalars.count) }
        if "ABCDEFGHJKLMNOPQRSTUVWXZn".unicodeScalars.contains(c), let a = p.at(k + 1), L.isApostropheLike(a) {
            let e = p.run(from: k + 2, L.isPlainLetter)
            if e - (k + 2) >= 2 { best = max(best, e) }
        }
        let stem = p.run(from: k, L.isPlainLetter)
        if stem - k >= 2, L.isVowel(s[stem - 1]), let a = p.at(stem), L.isApostropheLike(a),
           let v = p.at(stem + 1), "aeiou".unicodeScalars.contains(v) || L.isUpperASCII(v) {
            best = max(best, p.run(from: stem + 2, L.isPlainLetter))
        }
        return best
    }

    /// The few SGML character entities the lexer knows: &amp; &lt; &gt; &quot; become the
    /// character, dash entities "--", and typesetting entities (&#39;) stay as they are.
    private func entity(_ k: Int) -> Match? {
        let semicolon = p.run(from: k + 1, limit: 7) { $0 != ";" && !L.isSpaceOrNewline($0) }
        guard p.at(semicolon) == ";" else { return nil }
        let name = String(String.UnicodeScalarView(s[(k + 1)..<semicolon].map(p.lower)))
        let length = semicolon + 1 - k
        switch name {
        case "amp": return Match(length, nil, .fixed("&"))
        case "lt": return Match(length, nil, .fixed("<"))
        case "gt": return Match(length, nil, .fixed(">"))
        case "quot":
            let left = p.at(k + length).map { L.isASCIIAlnum($0) || $0 == "$" } ?? false
            return Match(length, nil, .fixed(left ? "``" : "''"))
        case "md", "mdash", "ndash": return Match(length, nil, .fixed("--"))
        case "ht", "tl", "ur", "lr", "qc", "ql", "qr", "odq", "cdq": return Match(length)
        default:
            let digits = name.unicodeScalars.dropFirst()
            return name.first == "#" && !digits.isEmpty && digits.allSatisfy(L.isASCIIDigit) ? Match(length) : nil
        }
    }

    /// "$", "US$", "#".
    private func dollar(_ k: Int) -> Int {
        if s[k] == "#" { return k + 1 }
        let caps = p.run(from: k, L.isUpperASCII)
        return p.at(caps) == "$" ? caps + 1 : k
    }

    /// "#tag" and "@user".
    private func handle(_ k: Int) -> Int {
        guard let l = p.at(k + 1), L.isLetter(l) else { return k }
        if s[k] == "#" { return p.run(from: k + 1, L.isLetter) }
        if s[k] == "@", L.isASCIILetter(l) { return p.run(from: k + 1) { L.isASCIIAlnum($0) || $0 == "_" } }
        return k
    }

    /// Tokens that keep a final period: known abbreviations, acronyms, single letters, and
    /// "No." or "fig." before a number. Sentence-final abbreviations ("Calif.") count the next
    /// two characters, as the lexer's look-ahead does, so they beat a one-letter-longer word.
    /// A single letter followed by a sentence-opening word (or a tag) gives its period back, as
    /// the lexer reads that as the end of a sentence.
    private func abbreviation(_ k: Int) -> Match? {
        var end = k, length = 0
        let acro = p.acronym(k)
        if acro > k, p.at(acro) == "." { end = acro + 1 }
        if L.isASCIILetter(s[k]), p.at(k + 1) == "." { end = max(end, k + 2) }
        // Any period inside or right after the word may close an abbreviation ("ph.d.", "inc.x").
        for dot in k..<min(p.word(k) + 1, s.count) where s[dot] == "." && dot > k {
            let w = String(String.UnicodeScalarView(s[k..<dot].map(p.lower)))
            if L.finalAbbreviations.contains(w) || (L.capitalisedAbbreviations.contains(w) && L.isUpperASCII(s[k])) {
                end = max(end, dot + 1)
                if dot + 3 <= s.count { length = max(length, dot + 3 - k) }
            } else if L.abbreviations.contains(w) {
                end = max(end, dot + 1)
            } else if L.numberAbbreviations.contains(w) {
                var d = dot + 1
                if let sp = p.at(d), L.isSpaceOrNewline(sp) { d += 1 }
                if let digit = p.at(d), L.isDigit(digit) { end = max(end, dot + 1) }
            }
        }
        guard end > k else { return nil }
        if end == k + 2, sentenceStarts(after: end) { return Match(2, 1) }
        return Match(max(length, end - k), end - k)
    }

    private func sentenceStarts(after k: Int) -> Bool {
        let start = p.run(from: k, L.isSpaceOrNewline)
        guard start > k, let first = p.at(start) else { return false }
        if p.tag(start) > start { return true }
        guard L.isUpperASCII(first) else { return false }
        let end = p.run(from: start) { L.isASCIILetter($0) || $0 == "." }
        for w in L.sentenceStarters where p.literal(w, at: start) {
            let e = start + w.unicodeScalars.count
            if e <= end, let after = p.at(e), L.isSpaceOrNewline(after) { return true }
        }
        return false
    }
}

extension String {
    fileprivate func replacingSpaces() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == " " ? "\u{A0}" : $0 }))
    }

    fileprivate func replacingParentheses() -> String {
        unicodeScalars.map { $0 == "(" ? "-LRB-" : $0 == ")" ? "-RRB-" : String($0) }.joined()
    }
}
