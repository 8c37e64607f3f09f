import Inputs

/// Parameter and FLOP counts from the config alone (no weights needed).
///
/// "Active per token" counts the weights a token of a given modality multiplies by: every
/// dense weight on its path, the shared experts, the top-k experts and the router of each group
/// that serves its modality, and for text the LM head (tied to the embedding). A media token goes
/// through its encoder once, so the encoder's weights count for it too, and produces no logits. The embedding lookup
/// is free. FLOPs per token are 2 × active matmul weights plus attention's score and value
/// products at the given context length (forward only; a training step is about 3×).
public struct Accounting: Sendable {
    public let config: ModelConfig

    public init(_ config: ModelConfig) { self.config = config }

    var d: Int { config.dModel }
    var attention: Int { 4 * d * d + 2 * d }                   // q, k, v, o and the two norms
    func swiglu(_ d: Int, _ hidden: Int) -> Int { 3 * d * hidden }
    func block(_ d: Int, hidden: Int) -> Int { 4 * d * d + 2 * d + swiglu(d, hidden) }
    func connector(_ inFeatures: Int) -> Int { inFeatures * d + d + d * d + d }

    public var imageEncoder: Int {
        guard let c = config.image else { return 0 }
        let channels = [3] + c.convStem
        let stem = c.convStem.indices.reduce(0) { $0 + channels[$1] * 9 * channels[$1 + 1] + channels[$1 + 1] }
        let position = c.positionEmbedding ? c.tokens * c.dim : 0
        return stem + c.patchDim * c.dim + c.dim + position + c.layers * block(c.dim, hidden: c.mlpHidden) + c.dim + connector(c.dim)
    }

    public var audioEncoder: Int {
        guard let c = config.audio else { return 0 }
        let convs = (AudioEncoderConfig.melBins * 3 * c.dim + c.dim) + (c.dim * 3 * c.dim + c.dim)
        let position = c.positionEmbedding ? c.tokens * c.dim : 0
        return convs + position + c.layers * block(c.dim, hidden: c.mlpHidden) + c.dim + connector(c.dim)
    }

    func moeTotal(_ m: MoEConfig) -> Int {
        let expert = swiglu(d, m.expertHidden)
        return m.shared * expert + m.groups.reduce(0) { $0 + $1.experts * (expert + d) + $1.modalities.count * $1.experts }
    }

    func moeActive(_ m: MoEConfig, _ modality: Modality) -> Int {
        let expert = swiglu(d, m.expertHidden)
        return m.shared * expert + m.groups.filter { $0.modalities.contains(modality) }
            .reduce(0) { $0 + $1.topK * expert + $1.experts * d }
    }

    func ffnTotal(layer i: Int) -> Int {
        if let m = config.moe, config.isMoE(layer: i) { return moeTotal(m) }
        return swiglu(d, config.ffnHidden)
    }

    func ffnActive(layer i: Int, _ modality: Modality) -> Int {
        if let m = config.moe, config.isMoE(layer: i) { return moeActive(m, modality) }
        return swiglu(d, config.ffnHidden)
    }

    public var decoder: Int {
        config.vocabSize * d + (0..<config.layers).reduce(0) { $0 + attention + ffnTotal(layer: $1) } + d
    }

    public var total: Int { decoder + imageEncoder + audioEncoder }

    /// Weights a token of `modality` multiplies by in one forward pass.
    public func active(_ modality: Modality) -> Int {
        let decoderPath = (0..<config.layers).reduce(0) { $0 + attention + ffnActive(layer: $1, modality) } + d
        let head = modality == .text ? config.vocabSize * d : 0  // media positions produce no logits
        let encoder: Int = switch modality {
        case .text: 0
        case .image: config.image == nil ? 0 : imageEncoder
        case .audio: config.audio == nil ? 0 : audioEncoder
        }
        return decoderPath + head + encoder
    }

    /// Forward FLOPs for one token of `modality` at `context` earlier positions.
    public func flopsPerToken(_ modality: Modality, context: Int) -> Double {
        2 * Double(active(modality)) + Double(config.layers) * 4 * Double(context * d)
    }
}
