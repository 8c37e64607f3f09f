/// The token shapes of the PTB lexer, each as "where does this pattern end if it starts at
/// `k`" over the scalars of the text (returning `k` when it does not match there). Greedy
/// scanning gives the same answer as the lexer's longest match for these shapes.
struct PTBPatterns {
    let s: [Unicode.Scalar]

    typealias L = PTBLexicon

    func at(_ k: Int) -> Unicode.Scalar? { k >= 0 && k < s.count ? s[k] : nil }

    func run(from k: Int, limit: Int = .max, _ accept: (Unicode.Scalar) -> Bool) -> Int {
        var e = k
        while e < s.count, e - k < limit, accept(s[e]) { e += 1 }
        return e
    }

    /// Case-insensitive ASCII literal at `k`; "'" in the literal stands for an ASCII apostrophe.
    func literal(_ text: String, at k: Int) -> Bool {
        var j = k
        for c in text.unicodeScalars {
            guard let d = at(j), lower(d) == c else { return false }
            j += 1
        }
        return true
    }

    func lower(_ c: Unicode.Scalar) -> Unicode.Scalar {
        L.isUpperASCII(c) ? Unicode.Scalar(c.value + 32)! : c
    }

    /// Letters and digits, starting with a letter, with single `.`, `!` or `?` allowed between
    /// letter groups ("end.start", "a!b").
    func word(_ k: Int) -> Int {
        guard let c = at(k), L.isLetter(c) else { return k }
        var e = run(from: k, L.isAlnum)
        while let p = at(e), p == "." || p == "!" || p == "?", let c = at(e + 1), L.isLetter(c) {
            e = run(from: e + 1, L.isAlnum)
        }
        return e
    }

    /// A clitic: apostrophe then m, s, d, re, ve or ll. Returns its length (0: none).
    func clitic(_ k: Int) -> Int {
        guard let a = at(k), L.isApostrophe(a) else { return 0 }
        if literal("re", at: k + 1) || literal("ve", at: k + 1) || literal("ll", at: k + 1) { return 3 }
        if let c = at(k + 1), "msd".unicodeScalars.contains(lower(c)) { return 2 }
        return 0
    }

    /// "n't" with any apostrophe-like middle.
    func negation(_ k: Int) -> Bool {
        guard let n = at(k), lower(n) == "n", let a = at(k + 1), L.isApostropheLike(a),
              let t = at(k + 2), lower(t) == "t" else { return false }
        return true
    }

    /// One part of a hyphenated word: letters/digits, optionally after an elided d', o', l'.
    func thingPart(_ k: Int) -> Int {
        if let c = at(k), "dDoOlL".unicodeScalars.contains(c), let a = at(k + 1), L.isApostropheLike(a),
           let d = at(k + 2), L.isPlainAlnum(d) {
            let e = run(from: k + 3, L.isPlainAlnum)
            if e > k + 3 { return e }
        }
        return run(from: k, L.isPlainAlnum)
    }

    /// Hyphen- or underscore-joined alphanumeric parts ("up-right", "x_y", "1st", "o'clock").
    func thing(_ k: Int) -> Int {
        var e = thingPart(k)
        guard e > k else { return k }
        while let h = at(e), L.isHyphen(h) {
            let next = thingPart(e + 1)
            if next == e + 1 { break }
            e = next
        }
        return e
    }

    /// An acronym without its final period: "u.s", "e.g".
    func acronym(_ k: Int) -> Int {
        guard let c = at(k), L.isASCIILetter(c) else { return k }
        var e = k + 1
        while at(e) == ".", let c = at(e + 1), L.isASCIILetter(c) { e += 2 }
        return e > k + 1 ? e : k
    }

    /// Hyphenated words whose first part may hold periods and commas ("2.5-inch", "u.s.-based").
    func dottedHyphenated(_ k: Int) -> Int {
        guard let c = at(k), L.isASCIIAlnum(c) else { return k }
        var e = run(from: k + 1) { L.isASCIIAlnum($0) || $0 == "." || $0 == "," || $0 == "\u{AD}" }
        var parts = 0
        while at(e) == "-" {
            let plain = run(from: e + 1) { L.isASCIIAlnum($0) || $0 == "\u{AD}" }
            let a = acronym(e + 1)
            let dotted = a > e + 1 && at(a) == "." ? a + 1 : e + 1
            let next = max(plain, dotted)
            if next == e + 1 { break }
            e = next
            parts += 1
        }
        return parts > 0 ? e : k
    }

    /// Capitals joined by & or + ("AT&T", "Q&A").
    func capitalsJoined(_ k: Int) -> Int {
        var e = run(from: k, L.isUpperASCII)
        guard e > k else { return k }
        var joins = 0
        while let j = at(e), j == "&" || j == "+" {
            let next = run(from: e + 1, L.isUpperASCII)
            if next == e + 1 { break }
            e = next
            joins += 1
        }
        return joins > 0 ? e : k
    }

    /// Slash-joined alphanumerics of two or three parts ("and/or", "km/h").
    func slashed(_ k: Int) -> Int {
        func part(_ p: Int) -> Int {
            var e = run(from: p, L.isASCIIAlnum)
            guard e > p else { return p }
            for _ in 0..<2 {
                guard at(e) == "-" else { break }
                let next = run(from: e + 1, L.isASCIILetter)
                if next == e + 1 { break }
                e = next
            }
            return e
        }
        var e = part(k)
        guard e > k else { return k }
        var joins = 0
        while joins < 2 {
            let slash = at(e) == "\\" && at(e + 1) == "/" ? e + 2 : (at(e) == "/" ? e + 1 : e)
            guard slash > e else { break }
            let next = part(slash)
            if next == slash { break }
            e = next
            joins += 1
        }
        return joins > 0 ? e : k
    }

    /// Optional sign, digits, and groups of digits after . : , (soft hyphen, Arabic separators).
    func number(_ k: Int) -> Int {
        var p = k
        if let c = at(p), c == "-" || c == "+" { p += 1 }
        var e = run(from: p, L.isDigit)
        var groups = 0
        while let sep = at(e), ".:,\u{AD}\u{66B}\u{66C}".unicodeScalars.contains(sep) {
            let next = run(from: e + 1, L.isDigit)
            if next == e + 1 { break }
            e = next
            groups += 1
        }
        return e > p ? e : k
    }

    /// d/m/y or d-m-y dates.
    func date(_ k: Int) -> Int {
        let a = run(from: k, L.isDigit)
        guard (1...2).contains(a - k), let s1 = at(a), s1 == "-" || s1 == "/" else { return k }
        let b = run(from: a + 1, L.isDigit)
        guard (1...2).contains(b - a - 1), let s2 = at(b), s2 == "-" || s2 == "/" else { return k }
        let c = run(from: b + 1, limit: 4, L.isDigit)
        return c - b - 1 >= 2 ? c : k
    }

    /// "3/4", "5 7/8", "5-7/8" (at most four digits a part).
    func fraction(_ k: Int) -> Int {
        func simple(_ p: Int) -> Int {
            let a = run(from: p, L.isDigit)
            guard (1...4).contains(a - p) else { return p }
            var slash = a
            if at(a) == "\\" && at(a + 1) == "/" { slash = a + 2 } else if let c = at(a), c == "/" || c == "\u{2044}" { slash = a + 1 }
            guard slash > a else { return p }
            let b = run(from: slash, limit: 4, L.isDigit)
            return b > slash ? b : p
        }
        var best = simple(k)
        let whole = run(from: k, L.isDigit)
        if (1...4).contains(whole - k), let sep = at(whole), sep == "-" || sep == " " || sep == "\u{A0}" {
            let rest = simple(whole + 1)
            if rest > whole + 1 { best = max(best, rest) }
        }
        return best
    }

    /// North American phone numbers: "(555) 555-1212", "555-555-1212" (the last group may run on).
    func phone(_ k: Int) -> Int {
        func digits(_ p: Int, _ n: Int) -> Bool { run(from: p, limit: n, L.isASCIIDigit) == p + n }
        func isSep(_ c: Unicode.Scalar?) -> Bool { c == "-" || c == " " || c == "\u{A0}" || c == "." }
        var p = k
        if at(k) == "(" {
            guard digits(k + 1, 3), at(k + 4) == ")" else { return k }
            p = k + 5
            if let c = at(p), c == " " || c == "\u{A0}" { p += 1 }
        } else {
            guard digits(k, 3), isSep(at(k + 3)) else { return k }
            p = k + 4
        }
        guard digits(p, 3), isSep(at(p + 3)), digits(p + 4, 4) else { return k }
        return run(from: p + 8, L.isASCIIDigit)
    }

    /// http(s) URLs, not ending in sentence punctuation.
    func url(_ k: Int) -> Int {
        let start: Int
        if literal("http://", at: k) { start = k + 7 } else if literal("https://", at: k) { start = k + 8 } else { return k }
        let body = run(from: start) { !" \t\n\u{0C}\r\"<>|()".unicodeScalars.contains($0) && !L.isNewline($0) }
        var e = body
        while e > start, ".!?(){},-".unicodeScalars.contains(s[e - 1]) { e -= 1 }
        return e > start ? e : k
    }

    /// "local@host.domain": the local part runs from an ASCII letter or digit, the host is
    /// period-separated labels up to the next space, bracket or quote ("tis@user??" too).
    func email(_ k: Int) -> Int {
        guard let c = at(k), L.isASCIIAlnum(c) else { return k }
        let barred = " \t\u{0C}\"<>|(){}\u{A0}".unicodeScalars
        let end = run(from: k) { !barred.contains($0) && !L.isNewline($0) }
        guard let sign = s[k..<end].lastIndex(of: "@") else { return k }
        var e = sign + 1
        while true {
            let label = run(from: e) { !barred.contains($0) && $0 != "." && !L.isNewline($0) }
            guard label > e else { break }
            e = label
            guard at(e) == ".", let next = at(e + 1), !barred.contains(next), next != ".", !L.isNewline(next) else { break }
            e += 1
        }
        return e > sign + 1 ? e : k
    }

    /// Host names without a scheme: "www.host.tld", "name.com", with an optional path.
    func likelyURL(_ k: Int) -> Int {
        let stops = " \t\n\u{0C}\r\"<>|.!?(){},".unicodeScalars
        var host = k
        if literal("www.", at: k) {
            var q = k + 4
            while true {
                let label = run(from: q) { !stops.contains($0) && !L.isNewline($0) }
                guard label > q, at(label) == "." else { break }
                let tld = run(from: label + 1, limit: 4, L.isASCIILetter)
                if tld - label - 1 >= 2 { host = max(host, tld) }
                q = label + 1
            }
        }
        var q = k
        while true {
            let label = run(from: q) { !stops.contains($0) && !"`'".unicodeScalars.contains($0) && !($0.value >= 0x2C && $0.value <= 0x5F) && !L.isNewline($0) }
            guard label > q, at(label) == "." else { break }
            if literal("com", at: label + 1) || literal("net", at: label + 1) || literal("org", at: label + 1) || literal("edu", at: label + 1) {
                host = max(host, label + 4)
            }
            q = label + 1
        }
        guard host > k else { return k }
        guard at(host) == "/" else { return host }
        var e = run(from: host + 1) { !" \t\n\u{0C}\r\"<>|()".unicodeScalars.contains($0) && !L.isNewline($0) }
        while e > host + 1, ".!?(){},-".unicodeScalars.contains(s[e - 1]) { e -= 1 }
        return e - host >= 3 ? e : host
    }

    /// Emoticons such as ":)", ";-)", ":D", ":'(", not run into a following word.
    func smiley(_ k: Int) -> Int {
        var q = k
        if let c = at(q), c == "<" || c == ">" { q += 1 }
        guard let eyes = at(q), ":;=".unicodeScalars.contains(eyes) else { return k }
        q += 1
        if let nose = at(q), "-o*'".unicodeScalars.contains(nose), let m = at(q + 1), isMouth(m) { q += 1 }
        guard let mouth = at(q), isMouth(mouth) else { return k }
        if let after = at(q + 1), L.isAlnum(after) { return k }
        return q + 1
    }

    private func isMouth(_ c: Unicode.Scalar) -> Bool { "()[]DdPpO\\|@".unicodeScalars.contains(c) }

    /// SGML tags kept whole: "<b>", "</b>", "<a href='x'>", "<!DOCTYPE ...>".
    func tag(_ k: Int) -> Int {
        guard at(k) == "<", let c = at(k + 1) else { return k }
        let spaces: (Int) -> Int = { run(from: $0) { $0 == " " } }
        if c == "!" || c == "?" {
            guard let d = at(k + 2), L.isASCIILetter(d) || d == "-" else { return k }
            let e = run(from: k + 3) { $0 != ">" && $0 != "\r" && $0 != "\n" }
            return at(e) == ">" ? e + 1 : k
        }
        if c == "/" {
            let e = spaces(name(k + 2))
            return e > k + 2 && at(e) == ">" ? e + 1 : k
        }
        var e = name(k + 1)
        guard e > k + 1 else { return k }
        while true {
            let gap = spaces(e)
            let attribute = name(gap)
            guard gap > e, attribute > gap else { break }
            e = attribute
            let eq = spaces(attribute)
            guard at(eq) == "=" else { continue }
            let v = spaces(eq + 1)
            if let q = at(v), q == "'" || q == "\"" {
                let close = run(from: v + 1) { $0 != q }
                guard at(close) == q else { return k }
                e = close + 1
            } else {
                let value = name(v)
                guard value > v else { return k }
                e = value
            }
        }
        e = spaces(e)
        if at(e) == "/" { e = spaces(e + 1) }
        return at(e) == ">" ? e + 1 : k
    }

    /// A tag or attribute name: a letter, then letters, digits, _ : . -
    private func name(_ k: Int) -> Int {
        guard let c = at(k), L.isASCIILetter(c) else { return k }
        return run(from: k + 1) { L.isASCIIAlnum($0) || "_:.-".unicodeScalars.contains($0) }
    }

    /// "...", "…", ". . ." as one ellipsis token.
    func ellipsis(_ k: Int) -> Int {
        guard let c = at(k) else { return k }
        if c == "\u{2026}" || c == "\u{85}" { return k + 1 }
        let dots = run(from: k, limit: 5) { $0 == "." }
        var best = dots - k >= 3 ? dots : k
        var p = k, pairs = 0
        while pairs < 4, at(p) == ".", let sp = at(p + 1), sp == " " || sp == "\u{A0}" { p += 2; pairs += 1 }
        while pairs >= 2 {
            if at(k + 2 * pairs) == "." { best = max(best, k + 2 * pairs + 1); break }
            pairs -= 1
        }
        return best
    }
}
