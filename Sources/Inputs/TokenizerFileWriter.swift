extension TokenizerFile {
    /// The document as Hugging Face tokenizers 0.23 writes it (`Tokenizer.save`, pretty): same
    /// keys in the same order, vocabulary by id, merges as `[left, right]` pairs in rank order.
    func json() -> TokenizerJSON.Value {
        typealias V = TokenizerJSON.Value
        func optional(_ s: String?) -> V { s.map { .string($0) } ?? .null }
        let model: V = .object([
            ("type", .string("BPE")),
            ("dropout", .null),
            ("unk_token", optional(unkToken)),
            ("continuing_subword_prefix", optional(continuingSubwordPrefix)),
            ("end_of_word_suffix", optional(endOfWordSuffix)),
            ("fuse_unk", .bool(fuseUnk)),
            ("byte_fallback", .bool(false)),
            ("ignore_merges", .bool(ignoreMerges)),
            ("vocab", .object(vocab.map { ($0.token, .int($0.id)) })),
            ("merges", .array(merges.map { .array([.string($0.0), .string($0.1)]) })),
        ])
        return .object([
            ("version", .string("1.0")),
            ("truncation", .null),
            ("padding", .null),
            ("added_tokens", .array(addedTokens.map(Self.json))),
            ("normalizer", .null),
            ("pre_tokenizer", Self.json(preTokenizer)),
            ("post_processor", postProcessor.map(Self.json) ?? .null),
            ("decoder", decoder.map(Self.json) ?? .null),
            ("model", model),
        ])
    }

    private static func json(_ t: AddedToken) -> TokenizerJSON.Value {
        .object([
            ("id", .int(t.id)), ("content", .string(t.content)), ("single_word", .bool(t.singleWord)),
            ("lstrip", .bool(t.lstrip)), ("rstrip", .bool(t.rstrip)), ("normalized", .bool(t.normalized)),
            ("special", .bool(t.special)),
        ])
    }

    private static func json(_ o: ByteLevelOptions) -> TokenizerJSON.Value {
        .object([
            ("type", .string("ByteLevel")), ("add_prefix_space", .bool(o.addPrefixSpace)),
            ("trim_offsets", .bool(o.trimOffsets)), ("use_regex", .bool(o.useRegex)),
        ])
    }

    private static func json(_ p: PostProcessor) -> TokenizerJSON.Value {
        switch p {
        case .byteLevel(let o):
            return json(o)
        case .sequence(let list):
            return .object([("type", .string("Sequence")), ("processors", .array(list.map(json)))])
        case let .template(single, pair, specials):
            func items(_ list: [TemplateItem]) -> TokenizerJSON.Value {
                .array(list.map { item in
                    let (kind, id, typeID) = switch item {
                    case let .specialToken(id, typeID): ("SpecialToken", id, typeID)
                    case let .sequence(id, typeID): ("Sequence", id, typeID)
                    }
                    return .object([(kind, .object([("id", .string(id)), ("type_id", .int(typeID))]))])
                })
            }
            return .object([
                ("type", .string("TemplateProcessing")),
                ("single", items(single)),
                ("pair", items(pair)),
                ("special_tokens", .object(specials.map { s in
                    (s.id, .object([("id", .string(s.id)), ("ids", .array(s.ids.map { .int($0) })),
                                    ("tokens", .array(s.tokens.map { .string($0) }))]))
                })),
            ])
        }
    }
}
