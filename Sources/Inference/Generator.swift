import Kernels
import Model

/// Text generation with KV caches, for a batch of examples at once.
///
/// One prefill forward runs every example's prompt stream (`<|bos|> [image] [audio] prompt`)
/// into fresh caches; then each decoding step feeds one token per live hypothesis of every
/// unfinished example, all in one batched forward, so a step costs one position per sequence,
/// not its whole prefix. Cache slots (one per hypothesis per example, sized to the longest
/// prompt stream + `maxTokens`) are kept and reused by later calls while they are big enough.
public final class Generator {
    public let model: MultimodalMoE
    /// Cache slots, each one cache per decoder layer.
    private var slots: [[KVCache]] = []
    private var slotCapacity = 0

    public init(model: MultimodalMoE) {
        self.model = model
    }

    /// Generates an answer for each example (its `target` is ignored), in the examples' order.
    ///
    /// OpenBLAS runs single-threaded here and the model's own loops own the cores (the expert
    /// groups split their experts, attention its sequences): a decoding step's GEMMs have a few
    /// rows, and even prefill's are small enough that waking OpenBLAS's second thread costs more
    /// than it saves (captioning 16 images: prefill 33-36 ms this way against 44-85 ms with two
    /// OpenBLAS threads, decoding 22-27 ms against 25-32 ms, four alternating runs each).
    public func generate(_ examples: [Example], options: GenerationOptions = GenerationOptions()) throws -> [Generation] {
        try Cores.withBLASThreads(1) { try generateAlone(examples, options: options) }
    }

    private func generateAlone(_ examples: [Example], options: GenerationOptions) throws -> [Generation] {
        guard !examples.isEmpty else { return [] }
        let budgets = try tokenBudgets(examples, options)
        let config = model.config, vocab = config.vocabSize, width = options.search.width
        let counting = model.moeLayers.contains { $0.skip != nil }
        var skip = SkipCount()
        func forward(_ batch: Batch, _ caches: [[KVCache]]) -> Tensor {
            let hidden = model.forward(batch, caches: caches)
            if counting { for layer in model.moeLayers { skip += layer.skipCount } }
            return hidden
        }

        func moeSeconds() -> Double { model.moeLayers.reduce(0) { $0 + $1.usage.seconds } }
        let start = now(), moeAtStart = moeSeconds()
        let prompt = Batch(examples, config: config, forGeneration: true)
        prepareSlots(examples.count * width, capacity: prompt.segments.map(\.length).max()! + budgets.max()!)
        let prefillCaches = (0..<config.layers).map { l in examples.indices.map { slots[$0 * width][l] } }
        let hidden = forward(prompt, prefillCaches)
        var logits = model.logits(hidden, rows: prompt.segments.map { $0.start + $0.length - 1 })
        let prefillEnd = now(), moeAtPrefillEnd = moeSeconds()

        var searches = examples.indices.map { ExampleSearch(slots: $0 * width..<($0 + 1) * width, row: $0, maxTokens: budgets[$0]) }
        let logProbs = Tensor(zeros: [examples.count * width, vocab])
        let scratch = Tensor(zeros: [vocab])
        var candidates = TopCandidates()
        var tokens: [Int32] = [], positions: [Int] = [], fed: [Int] = []
        while true {
            logSoftmaxForward(logits.data, logProbs.data, rows: logits.rows, cols: vocab, scratch: scratch.data)
            for e in searches.indices where !searches[e].isDone {
                switch options.search {
                case .greedy:
                    searches[e].advanceGreedy(logits: logits.data, logProbs: logProbs.data, vocab: vocab,
                                              eos: config.eosTokenId, options: options)
                case .beam:
                    let copies = searches[e].advanceBeam(logProbs: logProbs.data, vocab: vocab, eos: config.eosTokenId,
                                                         options: options, candidates: &candidates)
                    for c in copies { for l in 0..<config.layers { slots[c.to][l].copy(from: slots[c.from][l]) } }
                }
            }
            tokens.removeAll(keepingCapacity: true)
            positions.removeAll(keepingCapacity: true)
            fed.removeAll(keepingCapacity: true)
            for e in searches.indices {
                for i in searches[e].live.indices {
                    searches[e].setRow(tokens.count, ofLive: i)
                    let h = searches[e].live[i]
                    tokens.append(h.tokens.last!)
                    positions.append(slots[h.slot][0].count)
                    fed.append(h.slot)
                }
            }
            if tokens.isEmpty { break }
            let caches = (0..<config.layers).map { l in fed.map { slots[$0][l] } }
            logits = model.logits(forward(Batch(decoding: tokens, positions: positions), caches), rows: Array(tokens.indices))
        }
        let end = now(), moeAtEnd = moeSeconds()

        return searches.map { s in
            let (h, score) = s.best
            let ended = h.tokens.last == config.eosTokenId
            return Generation(tokens: ended ? Array(h.tokens.dropLast()) : h.tokens, tokenCount: h.tokens.count,
                              endedWithEOS: ended, logProbability: h.logProbability, score: score,
                              prefillSeconds: prefillEnd - start, decodeSeconds: end - prefillEnd,
                              prefillMoESeconds: moeAtPrefillEnd - moeAtStart, decodeMoESeconds: moeAtEnd - moeAtPrefillEnd,
                              skip: counting ? skip : nil)
        }
    }

    /// Makes `count` empty slots of at least `capacity` positions, reusing the ones already there.
    private func prepareSlots(_ count: Int, capacity: Int) {
        if capacity > slotCapacity {
            slots = []
            slotCapacity = capacity
        }
        let d = model.config.dModel
        while slots.count < count {
            slots.append((0..<model.config.layers).map { _ in KVCache(capacity: slotCapacity, d: d) })
        }
        for slot in slots[..<count] { for cache in slot { cache.reset() } }
    }

    /// Checks the examples and options; returns the most tokens each example may produce:
    /// `maxTokens`, or fewer where the prompt leaves less room (as Hugging Face's `max_length`
    /// stops generation at the context size rather than refusing the request).
    private func tokenBudgets(_ examples: [Example], _ options: GenerationOptions) throws -> [Int] {
        let config = model.config
        guard options.maxTokens >= 1 else { throw GenerationError("maxTokens must be at least 1, got \(options.maxTokens)") }
        guard options.search.width >= 1 else { throw GenerationError("beam width must be at least 1, got \(options.search.width)") }
        return try examples.enumerated().map { i, ex in
            let length: Int
            do { length = try ex.promptPositions(in: config, name: "example \(i)") } catch {
                throw GenerationError("\(error)")
            }
            // The last produced token is never fed, so the stream reaches length + budget − 1 positions.
            let room = config.maxPositions - length + 1
            guard room >= 1 else {
                throw GenerationError("example \(i): \(length) prompt positions leave no room for an answer within max_positions \(config.maxPositions)")
            }
            return min(options.maxTokens, room)
        }
    }
}
