extension TokenizerFile {
    /// Reads and validates a `tokenizer.json` document. `name` (usually the path) starts every
    /// error message, followed by the place in the document: `model.merges[12]: ...`.
    init(json bytes: [UInt8], name: String) throws {
        let root = try TokenizerJSON.parse(bytes, name: name)
        let r = FieldReader(file: name)
        _ = try r.object(root, "the document")

        for key in ["truncation", "padding", "normalizer"] {
            if let v = root[key], v != .null { throw r.fail(key, "is not supported here (only null)") }
        }
        if let v = root["added_tokens"], v != .null {
            addedTokens = try r.array(v, "added_tokens").enumerated().map { i, item in
                try r.addedToken(item, "added_tokens[\(i)]")
            }
        }

        guard let pre = root["pre_tokenizer"], pre != .null else { throw r.fail("pre_tokenizer", "is missing (a ByteLevel pre-tokenizer is required)") }
        preTokenizer = try r.byteLevel(pre, "pre_tokenizer", what: "pre-tokenizer")

        if let post = root["post_processor"], post != .null { postProcessor = try r.postProcessor(post, "post_processor") }

        let dec = root["decoder"] ?? .null
        decoder = dec == .null ? nil : try r.byteLevel(dec, "decoder", what: "decoder")

        guard let model = root["model"] else { throw r.fail("model", "is missing") }
        try readModel(model, r)
    }

    private mutating func readModel(_ model: TokenizerJSON.Value, _ r: FieldReader) throws {
        _ = try r.object(model, "model")
        if let type = model["type"], try r.string(type, "model.type") != "BPE" {
            throw r.fail("model.type", "is '\(try r.string(type, "model.type"))'; only BPE is supported")
        }
        if let d = model["dropout"], d != .null { throw r.fail("model.dropout", "is not supported here (only null)") }
        if try r.bool(model["byte_fallback"], "model.byte_fallback", default: false) {
            throw r.fail("model.byte_fallback", "is not supported here (only false)")
        }
        continuingSubwordPrefix = try r.optionalString(model["continuing_subword_prefix"], "model.continuing_subword_prefix")
        endOfWordSuffix = try r.optionalString(model["end_of_word_suffix"], "model.end_of_word_suffix")
        for (key, value) in [("continuing_subword_prefix", continuingSubwordPrefix), ("end_of_word_suffix", endOfWordSuffix)] {
            if let v = value, !v.isEmpty { throw r.fail("model.\(key)", "'\(v)' is not supported here (only null or empty)") }
        }
        fuseUnk = try r.bool(model["fuse_unk"], "model.fuse_unk", default: false)
        ignoreMerges = try r.bool(model["ignore_merges"], "model.ignore_merges", default: false)
        unkToken = try r.optionalString(model["unk_token"], "model.unk_token")

        guard let vocabValue = model["vocab"] else { throw r.fail("model.vocab", "is missing") }
        var ids: [String: Int] = [:]
        var owner: [Int: String] = [:]
        for (token, idValue) in try r.object(vocabValue, "model.vocab") {
            let id = try r.id(idValue, "model.vocab[\"\(token)\"]")
            if let other = owner[id] { throw r.fail("model.vocab", "gives id \(id) to both '\(other)' and '\(token)'") }
            if ids[token] != nil { throw r.fail("model.vocab", "lists '\(token)' twice") }
            owner[id] = token
            ids[token] = id
        }
        vocab = owner.sorted { $0.key < $1.key }.map { (token: $0.value, id: $0.key) }
        if let unk = unkToken, ids[unk] == nil { throw r.fail("model.unk_token", "names '\(unk)', which is not in the vocabulary") }

        guard let mergesValue = model["merges"] else { throw r.fail("model.merges", "is missing") }
        merges = try r.array(mergesValue, "model.merges").enumerated().map { i, item in
            let path = "model.merges[\(i)]"
            let pair: (String, String)
            switch item {
            case .string(let s):
                // The older layout: "left right"; byte-level tokens never contain a space.
                let parts = s.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw r.fail(path, "is '\(s)', not two tokens separated by one space") }
                pair = (String(parts[0]), String(parts[1]))
            case .array(let parts):
                guard parts.count == 2 else { throw r.fail(path, "has \(parts.count) tokens, expected 2") }
                pair = (try r.string(parts[0], path + "[0]"), try r.string(parts[1], path + "[1]"))
            default:
                throw r.fail(path, "should be \"a b\" or [\"a\", \"b\"], found \(item.kind)")
            }
            for part in [pair.0, pair.1] where ids[part] == nil {
                throw r.fail(path, "names '\(part)', which is not in the vocabulary")
            }
            guard ids[pair.0 + pair.1] != nil else {
                throw r.fail(path, "merges '\(pair.0)' and '\(pair.1)' into '\(pair.0 + pair.1)', which is not in the vocabulary")
            }
            return pair
        }
    }
}

/// Typed access to the JSON tree with errors naming the file and the field.
private struct FieldReader {
    typealias Value = TokenizerJSON.Value
    let file: String

    func fail(_ path: String, _ what: String) -> TokenizerError { TokenizerError("\(file): \(path) \(what)") }

    func object(_ v: Value, _ path: String) throws -> [(String, Value)] {
        guard case .object(let fields) = v else { throw fail(path, "should be an object, found \(v.kind)") }
        return fields
    }

    func array(_ v: Value, _ path: String) throws -> [Value] {
        guard case .array(let items) = v else { throw fail(path, "should be an array, found \(v.kind)") }
        return items
    }

    func string(_ v: Value, _ path: String) throws -> String {
        guard case .string(let s) = v else { throw fail(path, "should be a string, found \(v.kind)") }
        return s
    }

    func optionalString(_ v: Value?, _ path: String) throws -> String? {
        guard let v, v != .null else { return nil }
        return try string(v, path)
    }

    func bool(_ v: Value?, _ path: String, default fallback: Bool) throws -> Bool {
        guard let v, v != .null else { return fallback }
        guard case .bool(let b) = v else { throw fail(path, "should be true or false, found \(v.kind)") }
        return b
    }

    func int(_ v: Value, _ path: String) throws -> Int {
        guard case .int(let i) = v else { throw fail(path, "should be an integer, found \(v.kind)") }
        return i
    }

    func id(_ v: Value, _ path: String) throws -> Int {
        let i = try int(v, path)
        // Ids size the lookup tables, so a corrupt huge id must not become a huge allocation.
        guard (0..<(1 << 24)).contains(i) else { throw fail(path, "id \(i) is outside 0..<16777216") }
        return i
    }

    func type(_ v: Value, _ path: String) throws -> String {
        _ = try object(v, path)
        guard let t = v["type"] else { throw fail(path, "has no \"type\"") }
        return try string(t, path + ".type")
    }

    func byteLevel(_ v: Value, _ path: String, what: String) throws -> ByteLevelOptions {
        let t = try type(v, path)
        guard t == "ByteLevel" else { throw fail(path, "is a '\(t)' \(what); only ByteLevel is supported") }
        return ByteLevelOptions(
            addPrefixSpace: try bool(v["add_prefix_space"], path + ".add_prefix_space", default: true),
            trimOffsets: try bool(v["trim_offsets"], path + ".trim_offsets", default: true),
            useRegex: try bool(v["use_regex"], path + ".use_regex", default: true))
    }

    func addedToken(_ v: Value, _ path: String) throws -> AddedToken {
        _ = try object(v, path)
        guard let idValue = v["id"] else { throw fail(path, "has no \"id\"") }
        guard let contentValue = v["content"] else { throw fail(path, "has no \"content\"") }
        let content = try string(contentValue, path + ".content")
        guard !content.isEmpty else { throw fail(path + ".content", "is empty") }
        var token = AddedToken(id: try id(idValue, path + ".id"), content: content,
                               special: try bool(v["special"], path + ".special", default: false))
        token.singleWord = try bool(v["single_word"], path + ".single_word", default: false)
        token.lstrip = try bool(v["lstrip"], path + ".lstrip", default: false)
        token.rstrip = try bool(v["rstrip"], path + ".rstrip", default: false)
        token.normalized = try bool(v["normalized"], path + ".normalized", default: !token.special)
        return token
    }

    func postProcessor(_ v: Value, _ path: String) throws -> PostProcessor {
        switch try type(v, path) {
        case "ByteLevel":
            return .byteLevel(try byteLevel(v, path, what: "post-processor"))
        case "Sequence":
            guard let list = v["processors"] else { throw fail(path, "has no \"processors\"") }
            return .sequence(try array(list, path + ".processors").enumerated().map { i, item in
                try postProcessor(item, path + ".processors[\(i)]")
            })
        case "TemplateProcessing":
            var specials: [TemplateSpecialToken] = []
            for (key, entry) in try object(v["special_tokens"] ?? .object([]), path + ".special_tokens") {
                let p = path + ".special_tokens[\"\(key)\"]"
                _ = try object(entry, p)
                let ids = try array(entry["ids"] ?? .null, p + ".ids").map { try id($0, p + ".ids") }
                let tokens = try array(entry["tokens"] ?? .null, p + ".tokens").map { try string($0, p + ".tokens") }
                guard ids.count == tokens.count else { throw fail(p, "has \(ids.count) ids but \(tokens.count) tokens") }
                specials.append(TemplateSpecialToken(id: try string(entry["id"] ?? .null, p + ".id"), ids: ids, tokens: tokens))
            }
            let known = Set(specials.map(\.id))
            func template(_ key: String) throws -> [TemplateItem] {
                try array(v[key] ?? .null, path + "." + key).enumerated().map { i, item in
                    let p = path + ".\(key)[\(i)]"
                    let fields = try object(item, p)
                    guard fields.count == 1, let (kind, body) = fields.first else { throw fail(p, "should hold one SpecialToken or Sequence") }
                    let name = try string(body["id"] ?? .null, p + ".\(kind).id")
                    let typeID = try int(body["type_id"] ?? .int(0), p + ".\(kind).type_id")
                    switch kind {
                    case "SpecialToken":
                        guard known.contains(name) else { throw fail(p, "names '\(name)', which is not in special_tokens") }
                        return .specialToken(id: name, typeID: typeID)
                    case "Sequence": return .sequence(id: name, typeID: typeID)
                    default: throw fail(p, "holds '\(kind)', neither SpecialToken nor Sequence")
                    }
                }
            }
            return .template(single: try template("single"), pair: try template("pair"),
                             specialTokens: specials.sorted { Array($0.id.utf8).lexicographicallyPrecedes(Array($1.id.utf8)) })
        case let other:
            throw fail(path, "is a '\(other)' post-processor; only ByteLevel, TemplateProcessing and Sequence are supported")
        }
    }
}
