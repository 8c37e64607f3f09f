/// Character classes and word lists of the Penn Treebank tokeniser that pycocoevalcap runs
/// (Stanford CoreNLP 3.4.1's PTBLexer with its default options). The lists were checked
/// against that jar, one word at a time, because they decide whether "Inc." or "a." keeps its
/// period, and so whether the caption's n-grams match the references'.
enum PTBLexicon {
    // MARK: character classes

    /// Java's `Character.isLetter`, plus the combining marks and soft hyphen that the lexer
    /// lets into words. Marks above U+1000 (variation selectors, symbol combiners) are not
    /// letters there and get deleted as untokenizable.
    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return c.value <= 0xFFFF
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return c.value < 0x1000
        default:
            return c == "\u{AD}"
        }
    }

    /// Java's `Character.isLetter` alone, which the hyphenated-word and apostrophe patterns use.
    static func isPlainLetter(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return c.value <= 0xFFFF
        default: return false
        }
    }

    static func isPlainAlnum(_ c: Unicode.Scalar) -> Bool { isPlainLetter(c) || isDigit(c) }

    static func isDigit(_ c: Unicode.Scalar) -> Bool {
        c.properties.generalCategory == .decimalNumber && c.value <= 0xFFFF
    }

    static func isAlnum(_ c: Unicode.Scalar) -> Bool { isLetter(c) || isDigit(c) }

    static func isASCIILetter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
    }

    static func isASCIIDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    static func isASCIIAlnum(_ c: Unicode.Scalar) -> Bool { isASCIILetter(c) || isASCIIDigit(c) }

    static func isUpperASCII(_ c: Unicode.Scalar) -> Bool { c >= "A" && c <= "Z" }

    /// Apostrophes that may start a clitic ('s, n't): ASCII, right single quote, CP1252 0x92.
    static func isApostrophe(_ c: Unicode.Scalar) -> Bool {
        c == "'" || c == "\u{2019}" || c == "\u{92}"
    }

    /// Apostrophe-like characters also accepted inside words (o‘clock, n‛t).
    static func isApostropheLike(_ c: Unicode.Scalar) -> Bool {
        isApostrophe(c) || c == "\u{2018}" || c == "\u{201B}" || c == "\u{91}"
    }

    /// Characters that join the parts of a hyphenated word.
    static func isHyphen(_ c: Unicode.Scalar) -> Bool {
        c == "-" || c == "_" || c == "\u{58A}" || c == "\u{2010}" || c == "\u{2011}"
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\u{A0}" || (c.value >= 0x2000 && c.value <= 0x200A) || c == "\u{3000}"
    }

    static func isNewline(_ c: Unicode.Scalar) -> Bool {
        c == "\n" || c == "\r" || c == "\u{2028}" || c == "\u{2029}" || c == "\u{0B}" || c == "\u{0C}"
    }

    static func isSpaceOrNewline(_ c: Unicode.Scalar) -> Bool { isSpace(c) || isNewline(c) }

    /// Characters the lexer drops without a trace: invisible formatting, controls, private
    /// use, unassigned code points, and anything outside the Basic Multilingual Plane (emoji),
    /// which the UTF-16 scanner sees only as unmatched surrogate halves.
    static func isDeleted(_ c: Unicode.Scalar) -> Bool {
        if c.value > 0xFFFF { return true }
        switch c.properties.generalCategory {
        case .control, .format, .privateUse, .unassigned, .surrogate, .lineSeparator, .paragraphSeparator:
            return true
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return !isLetter(c)
        case .spaceSeparator:
            return true
        default:
            return false
        }
    }

    static func isVowel(_ c: Unicode.Scalar) -> Bool { "aeiouyAEIOUY".unicodeScalars.contains(c) }

    /// Currency signs and what the PTB3 normalisation writes for them (nil: kept as it is).
    static let currency: [Unicode.Scalar: String?] = [
        "\u{A2}": "cents", "\u{A3}": "#", "\u{A4}": "$", "\u{80}": "$", "\u{20A0}": "$", "\u{20AC}": "$",
        "\u{A5}": nil, "\u{20AA}": nil, "\u{60B}": nil, "\u{E3F}": nil, "\u{20A4}": nil,
        "\u{FFE0}": nil, "\u{FFE1}": nil, "\u{FFE5}": nil, "\u{FFE6}": nil,
    ]

    /// Vulgar fractions and their spelled-out form (the rest of U+2155–215E stay as they are).
    static let fractions: [Unicode.Scalar: String] = [
        "\u{BC}": "1/4", "\u{BD}": "1/2", "\u{BE}": "3/4", "\u{2153}": "1/3", "\u{2154}": "2/3",
    ]

    static let brackets: [Unicode.Scalar: String] = [
        "(": "-LRB-", ")": "-RRB-", "[": "-LSB-", "]": "-RSB-", "{": "-LCB-", "}": "-RCB-",
    ]

    /// LaTeX-style quote normalisation for a quote or clitic token. `left` says an ASCII quote
    /// opens (it precedes a word); typographic quotes carry their own direction.
    static func latexQuotes(_ token: String, left: Bool) -> String {
        var out = ""
        for c in token.unicodeScalars {
            switch c {
            case "'": out += left ? "`" : "'"
            case "\"": out += left ? "``" : "''"
            case "\u{91}", "\u{2018}", "\u{201B}", "\u{2039}": out += "`"
            case "\u{92}", "\u{2019}", "\u{203A}": out += "'"
            case "\u{93}", "\u{201C}", "\u{AB}": out += "``"
            case "\u{94}", "\u{201D}", "\u{BB}": out += "''"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Quote characters that form quote tokens of one or two characters.
    static func isQuoteMark(_ c: Unicode.Scalar) -> Bool {
        "`\u{2018}\u{2019}\u{201A}\u{201B}\u{201C}\u{201D}\u{201E}\u{201F}\u{2039}\u{203A}\u{AB}\u{BB}\u{91}\u{92}\u{93}\u{94}"
            .unicodeScalars.contains(c)
    }

    // MARK: words

    /// Words split into two tokens (can|not, gon|na): the first three letters, then the rest.
    static let assimilations: Set<String> = ["cannot", "gonna", "gotta", "lemme", "gimme", "wanna"]

    /// Abbreviations that keep their period and often end a sentence (months, states, company
    /// suffixes, "etc."). Compared lower-cased. The lexer prefers these to a longer word, so
    /// "calif.y" is "calif." + "y" while "vs.x" stays whole.
    static let finalAbbreviations: Set<String> = [
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "mon", "tue", "tues", "wed", "thu", "thurs", "fri",
        "ala", "ariz", "calif", "colo", "conn", "dak", "fla", "ga", "ind", "kan", "kans", "ky",
        "md", "mich", "minn", "mo", "mont", "neb", "nev", "okla", "penn", "tenn", "va", "vt",
        "wis", "wisc", "wyo",
        "inc", "co", "cos", "corp", "pty", "ptys", "ltd", "plc", "bancorp", "bhd", "assn", "univ",
        "intl", "sys", "tel", "est", "ext", "sq", "jr", "sr", "bros", "blvd", "rd", "esq", "ph.d",
        "ed.d", "etc", "al", "seq",
    ]

    /// Other abbreviations that keep their period (titles and the like), compared lower-cased.
    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "drs", "prof", "profs", "sen", "sens", "rep", "reps", "atty",
        "attys", "lt", "col", "gen", "messrs", "gov", "govs", "adm", "rev", "maj", "sgt", "cpl",
        "pvt", "mt", "capt", "st", "ste", "ave", "pres", "lieut", "hon", "brig", "cmdr", "comdr",
        "pfc", "spc", "supt", "supts", "det", "vs", "alex", "wm", "jos", "cie", "a.k.a", "cf",
        "treas", "dept", "invt", "elec", "natl", "mfg", "mtg", "ph", "ft",
    ]

    /// Abbreviations that keep their period only before a number ("No. 5", "fig. 2").
    static let numberAbbreviations: Set<String> = ["no", "nos", "fig", "figs", "pp", "art", "op"]

    /// Abbreviations that are also ordinary words, so they keep their period only when
    /// capitalised ("Ark." but "ark .").
    static let capitalisedAbbreviations: Set<String> = [
        "ark", "del", "ill", "la", "mass", "miss", "ore", "pa", "tex", "wash",
    ]

    /// Capitalised words that, after a single-letter abbreviation, show that a sentence
    /// ended there ("... vitamin C. The ..."): the letter then loses its period.
    static let sentenceStarters: Set<String> = [
        "about", "according", "additionally", "after", "an", "a", "as", "at", "but", "earlier",
        "he", "her", "here", "however", "if", "in", "it", "last", "many", "more", "mr.", "ms.",
        "now", "once", "one", "other", "our", "she", "since", "so", "some", "such", "that", "the",
        "then", "there", "these", "they", "this", "we", "when", "while", "what", "yet", "you",
    ]

    /// Contractions with an ASCII apostrophe inside that stay one token.
    static let apostropheWords: [String] = [
        "nor'easter", "c'mon", "e'er", "s'mores", "ev'ry", "li'l", "nat'l", "cap'n", "c'est", "cont'd.",
    ]

    /// Treebank escapes and fixed forms kept whole.
    static let specialTokens: [String] = [
        "-rrb-", "-lrb-", "-rcb-", "-lcb-", "-rsb-", "-lsb-", "c.d.s", "pro-", "anti-",
        "s&p-500", "s&ls", "c++", "c#", "f#", "^_^", "-_-", "<<", ">>",
    ]
}
