/// One entry of `added_tokens`: text matched whole before pre-tokenization and given its id.
public struct AddedToken: Equatable, Sendable {
    public var id: Int
    public var content: String
    /// Match only when not touching a word character on either side.
    public var singleWord = false
    /// Swallow the whitespace on the left / right of a match.
    public var lstrip = false, rstrip = false
    /// Matched after normalization (there is no normalizer here, so: in a second pass).
    public var normalized = false
    /// Skipped by `decode(_:skipSpecialTokens:)`.
    public var special = true

    public init(id: Int, content: String, special: Bool = true) {
        self.id = id
        self.content = content
        self.special = special
        normalized = !special
    }
}

/// The options shared by the ByteLevel pre-tokenizer, decoder and post-processor.
struct ByteLevelOptions: Equatable {
    var addPrefixSpace = true
    var trimOffsets = true
    var useRegex = true
}

/// The supported `post_processor`s. ByteLevel only trims offsets, so it leaves ids alone.
indirect enum PostProcessor: Equatable {
    case byteLevel(ByteLevelOptions)
    case template(single: [TemplateItem], pair: [TemplateItem], specialTokens: [TemplateSpecialToken])
    case sequence([PostProcessor])
}

enum TemplateItem: Equatable {
    case specialToken(id: String, typeID: Int)
    case sequence(id: String, typeID: Int)
}

struct TemplateSpecialToken: Equatable {
    var id: String
    var ids: [Int]
    var tokens: [String]
}

/// Everything `tokenizer.json` says, validated: what the tokenizer is built from and what
/// `save` writes back, in the layout of Hugging Face tokenizers 0.23.
struct TokenizerFile {
    var addedTokens: [AddedToken] = []
    var preTokenizer = ByteLevelOptions(addPrefixSpace: false)
    var postProcessor: PostProcessor? = nil
    /// nil: no decoder, so `decode` joins tokens with spaces, as Hugging Face does.
    var decoder: ByteLevelOptions? = ByteLevelOptions()
    /// Model vocabulary, ordered by id.
    var vocab: [(token: String, id: Int)] = []
    /// Merges in rank order.
    var merges: [(String, String)] = []
    var unkToken: String? = nil
    var fuseUnk = false
    var ignoreMerges = false
    /// Kept as read (null or empty) so that a file round-trips; anything else is refused.
    var continuingSubwordPrefix: String? = nil
    var endOfWordSuffix: String? = nil
}
