import Inputs

/// The architecture, decoded straight from `config.json` (and from the `model:` section of a
/// training recipe). Keys are snake_case, as in Hugging Face configs.
public struct ModelConfig: Codable, Sendable, Equatable {
    public var vocabSize: Int
    public var dModel: Int
    public var layers: Int
    public var heads: Int
    /// Hidden width of the dense SwiGLU feed-forward.
    public var ffnHidden: Int
    public var maxPositions: Int
    public var ropeTheta: Double = 10000
    public var normEps: Float = 1e-5
    /// Which decoder layers use the MoE feed-forward; `nil` means a dense model.
    public var moe: MoEConfig?
    public var image: ImageEncoderConfig?
    public var audio: AudioEncoderConfig?
    public var seed: UInt64 = 0
    /// Special token ids of the tokenizer (`<|bos|>`, `<|eos|>`), as Hugging Face configs carry them.
    public var bosTokenId: Int32 = 1
    public var eosTokenId: Int32 = 2

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", dModel = "d_model", layers, heads, ffnHidden = "ffn_hidden"
        case maxPositions = "max_positions", ropeTheta = "rope_theta", normEps = "norm_eps"
        case moe, image, audio, seed, bosTokenId = "bos_token_id", eosTokenId = "eos_token_id"
    }

    public init(vocabSize: Int, dModel: Int, layers: Int, heads: Int, ffnHidden: Int, maxPositions: Int,
                moe: MoEConfig? = nil, image: ImageEncoderConfig? = nil, audio: AudioEncoderConfig? = nil, seed: UInt64 = 0) {
        self.vocabSize = vocabSize; self.dModel = dModel; self.layers = layers; self.heads = heads
        self.ffnHidden = ffnHidden; self.maxPositions = maxPositions
        self.moe = moe; self.image = image; self.audio = audio; self.seed = seed
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        dModel = try c.decode(Int.self, forKey: .dModel)
        layers = try c.decode(Int.self, forKey: .layers)
        heads = try c.decode(Int.self, forKey: .heads)
        ffnHidden = try c.decode(Int.self, forKey: .ffnHidden)
        maxPositions = try c.decode(Int.self, forKey: .maxPositions)
        ropeTheta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta) ?? 10000
        normEps = try c.decodeIfPresent(Float.self, forKey: .normEps) ?? 1e-5
        moe = try c.decodeIfPresent(MoEConfig.self, forKey: .moe)
        image = try c.decodeIfPresent(ImageEncoderConfig.self, forKey: .image)
        audio = try c.decodeIfPresent(AudioEncoderConfig.self, forKey: .audio)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        bosTokenId = try c.decodeIfPresent(Int32.self, forKey: .bosTokenId) ?? 1
        eosTokenId = try c.decodeIfPresent(Int32.self, forKey: .eosTokenId) ?? 2
    }

    public var headDim: Int { dModel / heads }

    /// Whether decoder layer `i` uses the MoE feed-forward.
    public func isMoE(layer i: Int) -> Bool { moe?.layers.contains(i, of: layers) ?? false }

    /// Refuses inconsistent configs with one line naming the field.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw ConfigError(message) } }
        try check(vocabSize > 0 && dModel > 0 && layers > 0 && heads > 0 && ffnHidden > 0 && maxPositions > 0,
                  "vocab_size, d_model, layers, heads, ffn_hidden and max_positions must be positive")
        try check(dModel % heads == 0, "d_model \(dModel) is not divisible by heads \(heads)")
        try check(headDim % 2 == 0, "head dimension \(headDim) must be even for rotary positions")
        try moe?.validate(layers: layers)
        try image?.validate()
        try audio?.validate()
    }
}

/// The modality-grouped MoE feed-forward (DESIGN §3).
public struct MoEConfig: Codable, Sendable, Equatable {
    /// Hidden width of every expert (shared and routed).
    public var expertHidden: Int
    public var shared: Int
    public var groups: [ExpertGroupConfig]
    public var layers: LayerSelection = .all
    /// Renormalise the top-k gates to sum to one (off: the gate is p itself, as DeepSeekMoE).
    public var renormalize: Bool = false
    /// α1 of the expert-level balance loss.
    public var balanceAlpha: Float = 0.01
    /// λ and the [low, high] band of the modality-routing KL loss; λ = 0 turns it off.
    public var klLambda: Float = 0
    public var klBand: [Float] = [1.5, 2.0]
    /// DeepSeek-V3 loss-free balancing: a selection-only bias moved by ±γ per step; 0 is off.
    public var biasUpdateRate: Float = 0

    enum CodingKeys: String, CodingKey {
        case expertHidden = "expert_hidden", shared = "n_shared", groups, layers, renormalize
        case balanceAlpha = "balance_alpha", klLambda = "kl_lambda", klBand = "kl_band"
        case biasUpdateRate = "bias_update_rate"
    }

    public init(expertHidden: Int, shared: Int, groups: [ExpertGroupConfig], layers: LayerSelection = .all,
                renormalize: Bool = false, balanceAlpha: Float = 0.01, klLambda: Float = 0, klBand: [Float] = [1.5, 2.0],
                biasUpdateRate: Float = 0) {
        self.expertHidden = expertHidden; self.shared = shared; self.groups = groups; self.layers = layers
        self.renormalize = renormalize; self.balanceAlpha = balanceAlpha; self.klLambda = klLambda
        self.klBand = klBand; self.biasUpdateRate = biasUpdateRate
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        expertHidden = try c.decode(Int.self, forKey: .expertHidden)
        shared = try c.decodeIfPresent(Int.self, forKey: .shared) ?? 0
        groups = try c.decode([ExpertGroupConfig].self, forKey: .groups)
        layers = try c.decodeIfPresent(LayerSelection.self, forKey: .layers) ?? .all
        renormalize = try c.decodeIfPresent(Bool.self, forKey: .renormalize) ?? false
        balanceAlpha = try c.decodeIfPresent(Float.self, forKey: .balanceAlpha) ?? 0.01
        klLambda = try c.decodeIfPresent(Float.self, forKey: .klLambda) ?? 0
        klBand = try c.decodeIfPresent([Float].self, forKey: .klBand) ?? [1.5, 2.0]
        biasUpdateRate = try c.decodeIfPresent(Float.self, forKey: .biasUpdateRate) ?? 0
    }

    func validate(layers count: Int) throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw ConfigError("moe: " + message) } }
        try check(expertHidden > 0 && shared >= 0, "expert_hidden must be positive and n_shared not negative")
        try check(!groups.isEmpty || shared > 0, "needs at least one group or one shared expert")
        try check(Set(groups.map(\.name)).count == groups.count, "group names must be distinct")
        try check(klBand.count == 2 && klBand[0] <= klBand[1], "kl_band must be [low, high] with low ≤ high")
        for g in groups {
            try check(!g.name.isEmpty && !g.name.contains("."), "group name '\(g.name)' must be non-empty without dots")
            try check(g.experts > 0 && g.topK > 0 && g.topK <= g.experts,
                      "group \(g.name): top_k \(g.topK) must be in 1...\(g.experts) experts")
            try check(!g.modalities.isEmpty, "group \(g.name) serves no modality")
        }
        if case .list(let ids) = layers {
            try check(ids.allSatisfy { $0 >= 0 && $0 < count }, "layers \(ids) outside 0..<\(count)")
        }
    }
}

/// A group of routed experts serving a fixed set of modalities.
public struct ExpertGroupConfig: Codable, Sendable, Equatable {
    public var name: String
    public var modalities: [Modality]
    public var experts: Int
    public var topK: Int

    enum CodingKeys: String, CodingKey { case name, modalities, experts, topK = "top_k" }

    public init(name: String, modalities: [Modality], experts: Int, topK: Int) {
        self.name = name; self.modalities = modalities; self.experts = experts; self.topK = topK
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .name)
        self.name = name
        let names = try c.decode([String].self, forKey: .modalities)
        modalities = try names.map {
            guard let m = Modality(name: $0) else { throw ConfigError("group \(name): unknown modality '\($0)' (text, image, audio)") }
            return m
        }
        experts = try c.decode(Int.self, forKey: .experts)
        topK = try c.decode(Int.self, forKey: .topK)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(modalities.map(\.description), forKey: .modalities)
        try c.encode(experts, forKey: .experts)
        try c.encode(topK, forKey: .topK)
    }
}

/// Which decoder layers are MoE: `all`, `every_other` (1, 3, 5, …) or an explicit list.
public enum LayerSelection: Codable, Sendable, Equatable {
    case all, everyOther, list([Int])

    func contains(_ i: Int, of count: Int) -> Bool {
        switch self {
        case .all: true
        case .everyOther: i % 2 == 1
        case .list(let ids): ids.contains(i)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let ids = try? c.decode([Int].self) { self = .list(ids); return }
        switch try c.decode(String.self) {
        case "all": self = .all
        case "every_other": self = .everyOther
        case let other: throw ConfigError("moe.layers: '\(other)' is not all, every_other or a list of layer indices")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .all: try c.encode("all")
        case .everyOther: try c.encode("every_other")
        case .list(let ids): try c.encode(ids)
        }
    }
}

public struct ConfigError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
