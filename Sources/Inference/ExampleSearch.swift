/// A partial or finished answer of one example.
struct Hypothesis {
    /// Tokens produced so far, `<|eos|>` included when it ended there.
    var tokens: [Int32]
    var logProbability: Double
    /// The cache slot that holds this hypothesis' keys and values.
    var slot: Int
    /// Its row in the current step's logits.
    var row: Int
}

/// Before the next step, slot `to` must become a copy of slot `from` (a beam chosen twice).
struct SlotCopy: Equatable {
    let from: Int
    let to: Int
}

/// One example's search state: live hypotheses, the best finished ones (best first, at most
/// the beam width) and the cache slots the example owns.
struct ExampleSearch {
    let slots: Range<Int>
    /// Most tokens this example may produce: the options' `maxTokens`, or fewer where the
    /// prompt leaves less room before `max_positions`.
    let maxTokens: Int
    private(set) var live: [Hypothesis]
    private(set) var finished: [(hypothesis: Hypothesis, score: Double)] = []

    /// Starts from the empty answer, whose prompt sits in the first slot and `row` of the prefill logits.
    init(slots: Range<Int>, row: Int, maxTokens: Int) {
        self.slots = slots
        self.maxTokens = maxTokens
        live = [Hypothesis(tokens: [], logProbability: 0, slot: slots.lowerBound, row: row)]
    }

    var isDone: Bool { live.isEmpty }

    mutating func setRow(_ row: Int, ofLive i: Int) { live[i].row = row }

    /// The best finished hypothesis (valid once the example is done).
    var best: (hypothesis: Hypothesis, score: Double) { finished[0] }

    /// Greedy: the single live hypothesis takes its row's arg-max (ties to the lower id).
    mutating func advanceGreedy(logits: UnsafePointer<Float>, logProbs: UnsafePointer<Float>, vocab: Int,
                                eos: Int32, options: GenerationOptions) {
        var h = live[0]
        let row = logits + h.row * vocab
        var token = 0
        for v in 1..<vocab where row[v] > row[token] { token = v }
        h.tokens.append(Int32(token))
        h.logProbability += Double(logProbs[h.row * vocab + token])
        if Int32(token) == eos || h.tokens.count == maxTokens {
            live = []
            finish(h, options)
        } else {
            live[0] = h
        }
    }

    /// Beam search: ranks every (live hypothesis, token) extension by summed log-probability and
    /// walks them best first: extensions ending in `<|eos|>` or reaching the example's `maxTokens` finish, the
    /// others become the live hypotheses until there are `width` of them. Returns the cache
    /// copies this reselection needs (a hypothesis chosen by one child keeps its slot).
    mutating func advanceBeam(logProbs: UnsafePointer<Float>, vocab: Int, eos: Int32, options: GenerationOptions,
                              candidates: inout TopCandidates) -> [SlotCopy] {
        let width = options.search.width
        // Each live hypothesis has one `<|eos|>` extension, so this many always hold `width` live ones.
        candidates.reset(k: min(width + live.count, live.count * vocab))
        for (i, h) in live.enumerated() {
            let row = logProbs + h.row * vocab
            for v in 0..<vocab { candidates.offer(h.logProbability + Double(row[v]), beam: i, token: Int32(v)) }
        }
        var next: [Hypothesis] = []
        for c in 0..<candidates.count {
            var h = live[candidates.beams[c]]
            h.tokens.append(candidates.tokens[c])
            h.logProbability = candidates.scores[c]
            if candidates.tokens[c] == eos || h.tokens.count == maxTokens {
                finish(h, options)
            } else {
                next.append(h)
                if next.count == width { break }
            }
        }
        if finished.count == width || !next.contains(where: { canBeatBest($0, options) }) {
            live = []
            return []
        }
        // Children still carry their parent's slot: the first child of a parent keeps it, the
        // others take slots no chosen parent holds and copy the parent's positions there.
        let parentSlots = Set(next.map(\.slot))
        var free = slots.filter { !parentSlots.contains($0) }
        var kept = Set<Int>(), copies: [SlotCopy] = []
        for i in next.indices where !kept.insert(next[i].slot).inserted {
            let to = free.removeLast()
            copies.append(SlotCopy(from: next[i].slot, to: to))
            next[i].slot = to
        }
        live = next
        return copies
    }

    /// Keeps `h` among the `width` best finished hypotheses.
    private mutating func finish(_ h: Hypothesis, _ options: GenerationOptions) {
        let score = options.score(logProbability: h.logProbability, count: h.tokens.count)
        let at = finished.firstIndex { $0.score < score } ?? finished.count
        finished.insert((h, score), at: at)
        if finished.count > options.search.width { finished.removeLast() }
    }

    /// Whether some continuation of live `h` could still score above the best finished one:
    /// log P only falls, so the bound is log P now over the most favourable final length.
    private func canBeatBest(_ h: Hypothesis, _ options: GenerationOptions) -> Bool {
        guard let best = finished.first else { return true }
        let shortest = options.score(logProbability: h.logProbability, count: h.tokens.count + 1)
        let longest = options.score(logProbability: h.logProbability, count: maxTokens)
        return max(shortest, longest) > best.score
    }
}

/// The `k` best (score, beam, token) extensions of one step, best first; ties keep the earlier
/// beam and the lower token. k is about twice the beam width, so insertion into a short sorted
/// list beats sorting beams × vocab scores. The arrays keep their capacity across steps.
struct TopCandidates {
    private(set) var scores: [Double] = []
    private(set) var beams: [Int] = []
    private(set) var tokens: [Int32] = []
    private var k = 0

    var count: Int { scores.count }

    mutating func reset(k: Int) {
        self.k = k
        scores.removeAll(keepingCapacity: true)
        beams.removeAll(keepingCapacity: true)
        tokens.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    mutating func offer(_ score: Double, beam: Int, token: Int32) {
        if scores.count == k {
            guard score > scores[k - 1] else { return }
            scores.removeLast(); beams.removeLast(); tokens.removeLast()
        }
        var i = scores.count
        while i > 0 && scores[i - 1] < score { i -= 1 }
        scores.insert(score, at: i)
        beams.insert(beam, at: i)
        tokens.insert(token, at: i)
    }
}
