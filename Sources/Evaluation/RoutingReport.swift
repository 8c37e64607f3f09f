import Foundation

/// Routing of a model over a set of batches, per MoE layer, expert group and modality
/// (`collected` in `routing.json`, see `RoutingDocument`). Keys are snake_case.
///
/// Definitions (all over the pooled tokens of every batch, not averaged per batch):
/// - `load[i]`: (token, expert) selections of expert i by the modality's tokens, skipped pairs
///   included; `load_fraction[i] = load[i] / tokens`, so the fractions sum to k.
/// - `mean_probs`: p̄_m, the mean routing distribution of the modality's tokens (sums to 1).
/// - `entropy`: H(p̄_m) in nats; `max_entropy` = ln E is the uniform distribution's.
/// - `symmetric_kl`: KL(p̄_a‖p̄_b) + KL(p̄_b‖p̄_a), the quantity the training KL band shapes.
/// - `top_k_agreement`: |A ∩ B| / k, where A and B are the k most-loaded experts of each
///   modality (ties by p̄, then by lower index): 1 when both use the same k experts most, 0 when
///   their favourites are disjoint.
public struct RoutingReport: Codable, Sendable, Equatable {
    public var batches: Int
    /// Tokens per modality name over all batches, whatever their routing.
    public var tokens: [String: Int]
    public var layers: [LayerRouting]

    enum CodingKeys: String, CodingKey { case batches, tokens, layers }

    public init(batches: Int, tokens: [String: Int], layers: [LayerRouting]) {
        self.batches = batches; self.tokens = tokens; self.layers = layers
    }
}

/// One MoE layer: `layer` is the decoder layer index, `moe_index` its rank among MoE layers
/// (the index `metrics.jsonl` uses).
public struct LayerRouting: Codable, Sendable, Equatable {
    public var layer: Int
    public var moeIndex: Int
    public var groups: [GroupRouting]

    enum CodingKeys: String, CodingKey { case layer, moeIndex = "moe_index", groups }

    public init(layer: Int, moeIndex: Int, groups: [GroupRouting]) {
        self.layer = layer; self.moeIndex = moeIndex; self.groups = groups
    }
}

public struct GroupRouting: Codable, Sendable, Equatable {
    public var group: String
    public var experts: Int
    public var topK: Int
    public var maxEntropy: Double
    /// One entry per modality the group serves, in the config's order.
    public var modalities: [ModalityRouting]
    /// One entry per pair of served modalities that both had tokens.
    public var pairs: [PairRouting]

    enum CodingKeys: String, CodingKey {
        case group, experts, topK = "top_k", maxEntropy = "max_entropy", modalities, pairs
    }

    public init(group: String, experts: Int, topK: Int, modalities: [ModalityRouting], pairs: [PairRouting]) {
        self.group = group; self.experts = experts; self.topK = topK
        maxEntropy = Foundation.log(Double(experts))
        self.modalities = modalities; self.pairs = pairs
    }
}

public struct ModalityRouting: Codable, Sendable, Equatable {
    public var modality: String
    public var tokens: Int
    public var load: [Int]
    public var loadFraction: [Double]
    public var meanProbs: [Double]
    public var entropy: Double
    /// The k most-loaded experts, most-loaded first (the sets top-k agreement compares).
    public var topExperts: [Int]

    enum CodingKeys: String, CodingKey {
        case modality, tokens, load, loadFraction = "load_fraction", meanProbs = "mean_probs", entropy
        case topExperts = "top_experts"
    }

    /// Derives fractions, entropy and the favourite experts from the raw sums.
    public init(modality: String, tokens: Int, load: [Int], probSums: [Double], topK: Int) {
        self.modality = modality
        self.tokens = tokens
        self.load = load
        let n = Double(max(tokens, 1))
        loadFraction = load.map { Double($0) / n }
        meanProbs = tokens == 0 ? probSums.map { _ in 0 } : probSums.map { $0 / n }
        entropy = tokens == 0 ? 0 : RoutingMath.entropy(meanProbs)
        topExperts = RoutingMath.topExperts(load: load, meanProbs: meanProbs, k: topK)
    }
}

public struct PairRouting: Codable, Sendable, Equatable {
    public var a: String
    public var b: String
    public var symmetricKL: Double
    public var topKAgreement: Double

    enum CodingKeys: String, CodingKey { case a, b, symmetricKL = "symmetric_kl", topKAgreement = "top_k_agreement" }

    public init(a: String, b: String, symmetricKL: Double, topKAgreement: Double) {
        self.a = a; self.b = b; self.symmetricKL = symmetricKL; self.topKAgreement = topKAgreement
    }
}

/// The statistics behind the report, in Double.
public enum RoutingMath {
    /// Probabilities are floored here so a distribution with an exact zero keeps a finite divergence.
    static let floor = 1e-12

    /// KL(p‖q) + KL(q‖p) = Σ (p_i − q_i)(ln p_i − ln q_i); symmetric, zero iff p = q.
    public static func symmetricKL(_ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count, "symmetricKL: \(p.count) against \(q.count) probabilities")
        var sum = 0.0
        for (a, b) in zip(p, q) {
            let x = max(a, floor), y = max(b, floor)
            sum += (x - y) * (Foundation.log(x) - Foundation.log(y))
        }
        return sum
    }

    /// Shannon entropy −Σ p ln p in nats (0 ln 0 = 0).
    public static func entropy(_ p: [Double]) -> Double {
        -p.reduce(0) { $1 > 0 ? $0 + $1 * Foundation.log($1) : $0 }
    }

    /// The `k` experts with the highest load, ties broken by the higher mean probability, then
    /// by the lower index; most-loaded first.
    public static func topExperts(load: [Int], meanProbs: [Double], k: Int) -> [Int] {
        let order = load.indices.sorted { i, j in
            if load[i] != load[j] { return load[i] > load[j] }
            if meanProbs[i] != meanProbs[j] { return meanProbs[i] > meanProbs[j] }
            return i < j
        }
        return Array(order.prefix(k))
    }

    /// |A ∩ B| / k for two sets of k favourite experts.
    public static func topKAgreement(_ a: [Int], _ b: [Int], k: Int) -> Double {
        guard k > 0 else { return 0 }
        return Double(Set(a).intersection(b).count) / Double(k)
    }
}
