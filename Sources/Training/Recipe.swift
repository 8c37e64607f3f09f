import Foundation
import Model
import Yams

/// A training recipe, decoded straight from `configs/*.yaml`: the model, its tokenizer, the
/// data mix, optimiser, schedule, evaluation and checkpoint cadence, and the seed.
public struct Recipe: Codable, Sendable {
    public var model: ModelConfig
    public var tokenizer: TokenizerRecipe
    public var data: DataRecipe
    public var optimizer: OptimizerRecipe
    public var schedule: ScheduleRecipe
    public var eval: EvalRecipe
    public var checkpoint: CheckpointRecipe
    public var seed: UInt64
    /// Where the run writes its checkpoints and metrics, unless `--out` says otherwise.
    public var out: String

    /// Reads and validates a recipe; errors name the file.
    public static func load(_ url: URL) throws -> Recipe {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigError("\(url.path): cannot read the recipe (\(error.localizedDescription))")
        }
        let recipe: Recipe
        do { recipe = try YAMLDecoder().decode(Recipe.self, from: text) } catch let e as ConfigError {
            throw ConfigError("\(url.path): \(e.description)")
        } catch let e as DecodingError {
            throw ConfigError("\(url.path): \(describe(e))")
        } catch {
            throw ConfigError("\(url.path): \(error)")
        }
        do { try recipe.validate() } catch let e as ConfigError { throw ConfigError("\(url.path): \(e.description)") }
        return recipe
    }

    public func validate() throws {
        try model.validate()
        guard tokenizer.vocabSize == model.vocabSize else {
            throw ConfigError("tokenizer.vocab_size \(tokenizer.vocabSize) differs from model.vocab_size \(model.vocabSize)")
        }
        guard !data.train.isEmpty, data.train.allSatisfy({ $0.weight > 0 }) else {
            throw ConfigError("data.train needs at least one manifest, each with a positive weight")
        }
        guard data.batchSize > 0, optimizer.accumulation > 0, schedule.steps > 0, schedule.warmup >= 0,
              optimizer.lr > 0, checkpoint.keep > 0 else {
            throw ConfigError("batch_size, accumulation, steps, lr and checkpoint.keep must be positive")
        }
    }
}

public struct TokenizerRecipe: Codable, Sendable {
    public var vocabSize: Int
    /// An existing `tokenizer.json` to use instead of training one on the training text.
    public var path: String?
    enum CodingKeys: String, CodingKey { case vocabSize = "vocab_size", path }
}

public struct ManifestWeight: Codable, Sendable {
    public var manifest: String
    public var weight: Double
    public init(manifest: String, weight: Double) { self.manifest = manifest; self.weight = weight }
}

public struct DataRecipe: Codable, Sendable {
    public var train: [ManifestWeight]
    public var val: [String]
    public var batchSize: Int
    /// Skip samples whose files cannot be read (counted and reported) instead of stopping.
    public var skipBadSamples: Bool
    enum CodingKeys: String, CodingKey { case train, val, batchSize = "batch_size", skipBadSamples = "skip_bad_samples" }
}

public struct OptimizerRecipe: Codable, Sendable {
    public var lr: Float
    public var betas: [Float]
    public var eps: Float
    public var weightDecay: Float
    /// Global gradient-norm clip; 0 is off.
    public var gradClip: Float
    public var accumulation: Int
    enum CodingKeys: String, CodingKey {
        case lr, betas, eps, weightDecay = "weight_decay", gradClip = "grad_clip", accumulation
    }
}

public struct ScheduleRecipe: Codable, Sendable {
    public var steps: Int
    public var warmup: Int
    public var minLRRatio: Float
    enum CodingKeys: String, CodingKey { case steps, warmup, minLRRatio = "min_lr_ratio" }
}

public struct EvalRecipe: Codable, Sendable {
    /// Validation loss and a quick caption score every this many steps.
    public var every: Int
    /// Validation samples used each time.
    public var samples: Int
}

public struct CheckpointRecipe: Codable, Sendable {
    public var every: Int
    /// How many recent checkpoints to keep besides the best.
    public var keep: Int
}

/// One line naming the key path and what was wrong, instead of Swift's nested description.
func describe(_ error: DecodingError) -> String {
    func path(_ keys: [CodingKey]) -> String { keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }
    switch error {
    case .keyNotFound(let key, let c): return "missing key '\(path(c.codingPath + [key]))'"
    case .typeMismatch(let type, let c): return "'\(path(c.codingPath))' should be \(type)"
    case .valueNotFound(let type, let c): return "'\(path(c.codingPath))' has no \(type) value"
    case .dataCorrupted(let c): return "'\(path(c.codingPath))': \(c.debugDescription)"
    @unknown default: return "\(error)"
    }
}
