import Foundation
import Model

/// How the next token is chosen.
public enum Search: Sendable, Equatable {
    /// The most likely token at every step.
    case greedy
    /// Keep the `width` best hypotheses per example (log-probability scores); `.beam(width: 1)`
    /// gives greedy's tokens by a different road, which the tests use.
    case beam(width: Int)

    /// Hypotheses (and cache slots) per example.
    public var width: Int {
        switch self {
        case .greedy: 1
        case .beam(let width): width
        }
    }
}

/// What `Generator.generate` does.
///
/// Scores: a hypothesis of `n` produced tokens (`<|eos|>` included when it ended there) with
/// summed log-probability `log P` scores `log P / n^lengthPenalty`, as Hugging Face's
/// `length_penalty`. The default 1 compares hypotheses by mean log-probability per token, so
/// beam search does not favour short captions merely because each token costs probability;
/// 0 ranks by `log P` itself. Beam search stops an example once it holds `width` finished
/// hypotheses (Hugging Face's `early_stopping=True`, which makes width 1 exactly greedy), or once
/// no live hypothesis can still beat the best finished one, or at `maxTokens`.
public struct GenerationOptions: Sendable, Equatable {
    /// Most tokens produced per example, `<|eos|>` included.
    public var maxTokens: Int
    public var search: Search
    /// α of the length normalisation `log P / n^α`.
    public var lengthPenalty: Double

    public init(maxTokens: Int = 64, search: Search = .greedy, lengthPenalty: Double = 1) {
        self.maxTokens = maxTokens; self.search = search; self.lengthPenalty = lengthPenalty
    }

    /// The score of a hypothesis of `count` tokens with summed log-probability `logProbability`.
    public func score(logProbability: Double, count: Int) -> Double {
        lengthPenalty == 0 ? logProbability : logProbability / Foundation.pow(Double(max(count, 1)), lengthPenalty)
    }
}

/// One example's answer. Timings and skip counts belong to the whole batch the example was
/// generated in (one batched forward serves every example), so batch-mates report the same.
public struct Generation: Sendable {
    /// The answer's token ids, without `<|eos|>`.
    public let tokens: [Int32]
    /// Tokens the model produced, `<|eos|>` included when it stopped there (what tokens/second counts).
    public let tokenCount: Int
    public let endedWithEOS: Bool
    /// Σ log p of the produced tokens (`<|eos|>` included).
    public let logProbability: Double
    /// `logProbability` normalised by length as `GenerationOptions.score` says.
    public let score: Double
    /// Wall-clock seconds of the batch's prefill (encoders and the prompt stream, one forward).
    public let prefillSeconds: Double
    /// Wall-clock seconds of the batch's decoding steps, after the prefill until every example stopped.
    public let decodeSeconds: Double
    /// The part of `prefillSeconds` and of `decodeSeconds` spent inside the MoE layers.
    public let prefillMoESeconds: Double
    public let decodeMoESeconds: Double
    /// Selected and skipped (token, expert) pairs over every MoE layer and every forward of the
    /// batch (prefill and decode); nil when no MoE layer has a skip rule.
    public let skip: SkipCount?

    /// Skipped / selected (token, expert) pairs; nil when no MoE layer has a skip rule.
    public var skipRatio: Double? { skip?.ratio }
}

/// Refused generation input, one line naming the example and what is wrong.
public struct GenerationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
