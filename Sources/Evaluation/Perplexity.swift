import Foundation

/// Perplexity of held-out text: exp(summed negative log-likelihood in nats / token count).
public enum Perplexity {
    public struct InvalidInput: Error, CustomStringConvertible {
        public let description: String
    }

    /// `summedNLL` is Σ −log p(token) over `tokenCount` predicted tokens, in nats.
    public static func from(summedNLL: Double, tokenCount: Int) throws -> Double {
        guard tokenCount > 0 else {
            throw InvalidInput(description: "perplexity: token count is \(tokenCount), need at least one predicted token")
        }
        guard summedNLL.isFinite, summedNLL >= 0 else {
            throw InvalidInput(description: "perplexity: summed negative log-likelihood is \(summedNLL), need a finite value ≥ 0")
        }
        return exp(summedNLL / Double(tokenCount))
    }
}
