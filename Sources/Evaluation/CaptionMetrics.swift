/// Caption scores as pycocoevalcap reports them: BLEU-1...4, ROUGE-L and CIDEr-D, for the
/// corpus and per item. METEOR is not computed (it needs Java and WordNet), so no field
/// pretends to hold it.
public struct CaptionScores: Sendable, Equatable {
    /// Corpus BLEU-1...BLEU-4.
    public var bleu: [Double]
    public var rougeL: Double
    public var ciderD: Double
    /// One entry per item, in the order scored.
    public var items: [Item]

    public struct Item: Sendable, Equatable {
        public var id: String
        /// BLEU-1...BLEU-4 of this item alone (with its own brevity penalty).
        public var bleu: [Double]
        public var rougeL: Double
        public var ciderD: Double
    }
}

public enum CaptionMetricsError: Error, Equatable, CustomStringConvertible {
    case noReferences(id: String)
    case missingReferences(id: String)
    case missingCandidate(id: String)

    public var description: String {
        switch self {
        case .noReferences(let id): "caption item \(id): the reference list is empty"
        case .missingReferences(let id): "caption item \(id): a candidate has no references"
        case .missingCandidate(let id): "caption item \(id): references have no candidate"
        }
    }
}

public enum CaptionMetrics {
    /// Scores candidates against references keyed by item id, in id order (numeric ids in
    /// numeric order). Raw captions are PTB-tokenised first, references in one pass and
    /// candidates in another, as pycocoevalcap does; pass `tokenize: false` for captions that
    /// are already tokenised.
    public static func score(candidates: [String: String], references: [String: [String]], tokenize: Bool = true) throws -> CaptionScores {
        for id in candidates.keys where references[id] == nil { throw CaptionMetricsError.missingReferences(id: id) }
        for id in references.keys where candidates[id] == nil { throw CaptionMetricsError.missingCandidate(id: id) }
        let ids = candidates.keys.sorted { a, b in
            if let x = Int(a), let y = Int(b) { return x < y }
            return a < b
        }
        return try score(ids.map { (id: $0, candidate: candidates[$0]!, references: references[$0]!) }, tokenize: tokenize)
    }

    /// Scores items in the given order.
    public static func score(_ items: [(id: String, candidate: String, references: [String])], tokenize: Bool = true) throws -> CaptionScores {
        if let empty = items.first(where: { $0.references.isEmpty }) { throw CaptionMetricsError.noReferences(id: empty.id) }
        var candidates = items.map(\.candidate)
        var references = items.map(\.references)
        if tokenize {
            candidates = PTBTokenizer.tokenize(candidates)
            var flat = PTBTokenizer.tokenize(references.flatMap { $0 })[...]
            references = references.map { refs in
                defer { flat = flat.dropFirst(refs.count) }
                return Array(flat.prefix(refs.count))
            }
        }
        let pairs = Array(zip(candidates, references)).map { (candidate: $0, references: $1) }
        let bleu = BLEU.score(pairs)
        let rouge = RougeL.score(pairs)
        let cider = CIDErD.score(pairs)
        return CaptionScores(
            bleu: bleu.corpus, rougeL: rouge.corpus, ciderD: cider.corpus,
            items: items.indices.map {
                .init(id: items[$0].id, bleu: bleu.perItem[$0], rougeL: rouge.perItem[$0], ciderD: cider.perItem[$0])
            })
    }
}
