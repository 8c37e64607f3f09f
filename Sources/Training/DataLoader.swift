import Dispatch
import Foundation
import Kernels
import Model

/// Batches drawn from a weighted mix of sources, deterministic given the seed and the loader's
/// position, prepared on a background thread while the current step runs.
///
/// Each slot of a batch picks a source by weight, then the next item of that source's current
/// epoch (a seeded permutation per source and epoch). The position — the RNG state and one
/// cursor per source — is all there is to save for a bit-exact resume.
///
/// Batches are packed end to end (see `Batch`), so there is no padding to bucket away: a batch's
/// cost is its total length, whatever the mix of lengths.
public final class DataLoader {
    public struct Source: Sendable {
        public let name: String
        public let count: Int
        public let weight: Double
        public init(name: String, count: Int, weight: Double) { self.name = name; self.count = count; self.weight = weight }
    }

    /// Where the loader is: enough to continue exactly.
    public struct Position: Codable, Sendable, Equatable {
        public var rng: SplitMix
        public var cursors: [Int]
    }

    public struct Prepared {
        public let batch: Batch
        public let ids: [String]
        /// Samples that could not be read and were replaced, with the reason.
        public let skipped: [String]
        /// The position after this batch: what a checkpoint taken after consuming it saves.
        public let position: Position
    }

    public let sources: [Source]
    let batchSize: Int
    let seed: UInt64
    let config: ModelConfig
    let skipBad: Bool
    /// Turns (source, item) into an example and an id for messages; throws on unreadable data.
    let prepare: @Sendable (Int, Int) throws -> (id: String, example: Example)
    private var position: Position
    /// The position the loader started from.
    public let position0: Position
    private var permutations: [Int: [Int]] = [:]   // (source, epoch) → order, cached per source

    private let queue = DispatchQueue(label: "moe-mm.data-loader")
    private let ready = NSCondition()
    private var results: [Int: Result<Prepared, Error>] = [:]
    private var produced = 0, consumed = 0

    public init(sources: [Source], batchSize: Int, seed: UInt64, config: ModelConfig, skipBad: Bool,
                position: Position? = nil, prepare: @escaping @Sendable (Int, Int) throws -> (id: String, example: Example)) {
        precondition(!sources.isEmpty && sources.allSatisfy { $0.count > 0 }, "the data loader needs non-empty sources")
        self.sources = sources
        self.batchSize = batchSize
        self.seed = seed
        self.config = config
        self.skipBad = skipBad
        self.prepare = prepare
        self.position = position ?? Position(rng: SplitMix(seed: seed ^ 0x5EED_DA7A), cursors: Array(repeating: 0, count: sources.count))
        position0 = self.position
    }

    /// The next batch; the one after it is already being prepared in the background.
    public func next() throws -> Prepared {
        while produced <= consumed + 1 {
            let index = produced
            produced += 1
            queue.async { [self] in
                let r = Result { try withoutParallelism { try produceBatch() } }
                ready.lock()
                results[index] = r
                ready.broadcast()
                ready.unlock()
            }
        }
        ready.lock()
        defer { ready.unlock() }
        while results[consumed] == nil { ready.wait() }
        let r = results.removeValue(forKey: consumed)!
        consumed += 1
        return try r.get()
    }

    private func produceBatch() throws -> Prepared {
        var examples: [Example] = [], ids: [String] = [], skipped: [String] = []
        let total = sources.reduce(0) { $0 + $1.weight }
        while examples.count < batchSize {
            var u = Double(position.rng.uniform()) * total, s = 0
            while s < sources.count - 1 && u >= sources[s].weight { u -= sources[s].weight; s += 1 }
            let item = nextItem(source: s)
            do {
                let (id, example) = try prepare(s, item)
                examples.append(example)
                ids.append(id)
            } catch {
                guard skipBad else { throw error }
                skipped.append("\(error)")
                if skipped.count > 100 * batchSize { throw TrainingError("more than \(skipped.count) unreadable samples in a row; last: \(error)") }
            }
        }
        return Prepared(batch: Batch(examples, config: config), ids: ids, skipped: skipped, position: position)
    }

    private func nextItem(source s: Int) -> Int {
        let n = sources[s].count, cursor = position.cursors[s]
        position.cursors[s] += 1
        let epoch = cursor / n
        let key = s << 32 | epoch
        if permutations[key] == nil {
            permutations = permutations.filter { $0.key >> 32 != s }   // keep one epoch per source
            var rng = SplitMix(seed: seed &+ UInt64(s) &* 0x9E37_79B9 &+ UInt64(epoch) &* 0x85EB_CA6B)
            var order = Array(0..<n)
            for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            permutations[key] = order
        }
        return permutations[key]![cursor % n]
    }
}

public struct TrainingError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
