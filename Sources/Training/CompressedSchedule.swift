import Foundation
import Model

extension Recipe {
    /// The recipe's schedule run in `steps` total steps (`moe-mm train --steps`), so a short
    /// comparison run still finishes its schedule: the cosine decays over `steps`, warm-up is
    /// min(the recipe's, steps / 10), and evaluations and checkpoints keep the recipe's count
    /// (⌈recipe steps / every⌉, at least 1), now every ⌈steps / count⌉ steps; the last step
    /// always evaluates and checkpoints. Only runs shorter than count × (count − 1) steps get
    /// fewer evaluations than the recipe, as the spacing is a whole number of steps.
    public func compressed(toSteps steps: Int) throws -> Recipe {
        guard steps >= 1 else { throw ConfigError("a compressed schedule needs at least 1 step, got \(steps)") }
        var r = self
        r.schedule.steps = steps
        r.schedule.warmup = min(schedule.warmup, steps / 10)
        r.eval.every = Self.spacing(for: steps, keeping: Self.count(schedule.steps, every: eval.every))
        r.checkpoint.every = Self.spacing(for: steps, keeping: Self.count(schedule.steps, every: checkpoint.every))
        return r
    }

    /// How many times a cadence of `every` fires in `steps` steps, counting the final step's.
    static func count(_ steps: Int, every: Int) -> Int { max(1, (steps + max(every, 1) - 1) / max(every, 1)) }

    static func spacing(for steps: Int, keeping count: Int) -> Int { max(1, (steps + count - 1) / count) }

    /// The parts of the recipe (`schedule`, `data`, `optimizer`, ...) in which `other` trains
    /// differently from this one. `out` is not compared: a run folder may move.
    public func differences(from other: Recipe) -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func same<T: Encodable>(_ a: T, _ b: T) -> Bool { (try? encoder.encode(a)) == (try? encoder.encode(b)) }
        var parts: [String] = []
        if model != other.model { parts.append("model") }
        if !same(tokenizer, other.tokenizer) { parts.append("tokenizer") }
        if !same(data, other.data) { parts.append("data") }
        if !same(optimizer, other.optimizer) { parts.append("optimizer") }
        if !same(schedule, other.schedule) { parts.append("schedule") }
        if !same(eval, other.eval) { parts.append("eval") }
        if !same(checkpoint, other.checkpoint) { parts.append("checkpoint") }
        if seed != other.seed { parts.append("seed") }
        return parts
    }
}
