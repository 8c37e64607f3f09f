import Foundation
import Inputs
import Kernels

/// The whole model (DESIGN §2): encoders feed one token stream; a decoder of pre-norm blocks,
/// each with causal rotary attention and a dense or modality-grouped MoE feed-forward; a
/// final norm; the LM head tied to the text embedding.
public final class MultimodalMoE {
    public let config: ModelConfig
    public let embed: Parameter          // [vocab, d], also the LM head
    public let imageEncoder: ImageEncoder?
    public let audioEncoder: AudioEncoder?
    public let blocks: [Block]
    public let norm: RMSNorm

    // Kept for backward.
    private var batch: Batch?
    private var hidden: Tensor?           // [N, d] after the final norm
    private var targetRows: [Int] = []

    /// A model with weights drawn from `config.seed`, or with `weights: .unset` for one whose
    /// weights are about to be loaded or copied in.
    public init(_ config: ModelConfig, weights initial: WeightInit? = nil) {
        self.config = config
        var weights = initial ?? .random(seed: config.seed)
        let d = config.dModel
        // GPT-2 / Llama practice: N(0, 0.02), residual projections scaled by 1/√(2·layers).
        let std: Float = 0.02, outStd = 0.02 / Float(2 * config.layers).squareRoot()
        embed = Parameter("decoder.embed_tokens.weight", weights.normal([config.vocabSize, d], std: std))
        imageEncoder = config.image.map { ImageEncoder($0, dModel: d, eps: config.normEps, weights: &weights) }
        audioEncoder = config.audio.map { AudioEncoder($0, dModel: d, eps: config.normEps, weights: &weights) }
        let moeLayers = (0..<config.layers).filter(config.isMoE).count
        blocks = (0..<config.layers).map { i in
            let name = "decoder.layers.\(i)"
            let ffn: Block.FeedForward = if let moe = config.moe, config.isMoE(layer: i) {
                .moe(MoELayer(prefix: "\(name).moe", config: moe, d: d, moeLayers: moeLayers, std: std, outStd: outStd, weights: &weights))
            } else {
                .dense(SwiGLU("\(name).mlp", d: d, hidden: config.ffnHidden, std: std, outStd: outStd, weights: &weights))
            }
            return Block(attnNorm: RMSNorm("\(name).attn_norm", d: d, eps: config.normEps),
                         attn: SelfAttention("\(name).attn", d: d, heads: config.heads, causal: true,
                                             maxPositions: config.maxPositions, theta: config.ropeTheta,
                                             std: std, outStd: outStd, weights: &weights),
                         ffnNorm: RMSNorm("\(name).ffn_norm", d: d, eps: config.normEps),
                         ffn: ffn)
        }
        norm = RMSNorm("decoder.norm", d: d, eps: config.normEps)
    }

    /// Every trainable parameter, in a fixed order (the optimiser's and the checkpoint's).
    public var parameters: [Parameter] {
        [embed] + (imageEncoder?.parameters ?? []) + (audioEncoder?.parameters ?? [])
            + blocks.flatMap(\.parameters) + norm.parameters
    }

    public var moeLayers: [MoELayer] { blocks.compactMap(\.moe) }

    // MARK: Forward

    /// The input rows of the stream: text embeddings, and the encoders' outputs at media positions.
    func embedStream(_ batch: Batch) -> Tensor {
        let d = config.dModel
        let x = Tensor(zeros: [batch.count, d])
        for (row, m) in batch.modality.enumerated() where m == .text {
            (x.data + row * d).update(from: embed.value.data + Int(batch.tokenIds[row]) * d, count: d)
        }
        if let images = batch.images, let enc = imageEncoder {
            scatterBlocks(enc.forward(images), starts: batch.imageStarts, lengths: imageTokens(batch, enc), into: x)
        }
        if let audio = batch.audio, let enc = audioEncoder {
            scatterBlocks(enc.forward(audio, lengths: batch.audioFrames), starts: batch.audioStarts, lengths: audioTokens(batch, enc), into: x)
        }
        return x
    }

    /// Final hidden states [N, d] (after the last norm).
    public func forward(_ batch: Batch, caches: [[KVCache]]? = nil) -> Tensor {
        var h = embedStream(batch)
        for (i, block) in blocks.enumerated() {
            h = block.forward(h, segments: batch.segments, modality: batch.modality, caches: caches?[i])
        }
        return norm.forward(h)
    }

    /// Logits [rows.count, vocab] of the given rows of `hidden`, through the tied head.
    public func logits(_ hidden: Tensor, rows: [Int]) -> Tensor {
        let h = Tensor(zeros: [rows.count, config.dModel])
        gatherRows(hidden, rows, into: h)
        return matmul(h, embed.value, transB: true)
    }

    // MARK: Training

    /// The loss terms of one batch (DESIGN §3): the mean target cross-entropy and the routing
    /// losses summed over MoE layers.
    public struct Loss: Sendable {
        public var lm: Double
        public var balance: Double
        public var kl: Double
        public var targets: Int
        public var total: Double { lm + balance + kl }

        public init(lm: Double, balance: Double, kl: Double, targets: Int) {
            self.lm = lm; self.balance = balance; self.kl = kl; self.targets = targets
        }
    }

    /// Forward and the loss; with `gradScale` > 0 also leaves `dlogits` ready for `backward`
    /// (the LM gradient is scaled by `gradScale`, e.g. 1/accumulation steps).
    public func loss(_ batch: Batch, gradScale: Float = 1) -> Loss {
        for m in moeLayers { m.computesLosses = true }
        let hidden = forward(batch)
        for m in moeLayers { m.computesLosses = false }
        targetRows = batch.targets.indices.filter { batch.targets[$0] != ignoreIndex }
        let targets = targetRows.map { batch.targets[$0] }
        let logits = self.logits(hidden, rows: targetRows)
        let n = max(targetRows.count, 1)
        let (sum, count) = crossEntropy(logits.data, targets: targets, rows: logits.rows, cols: logits.cols,
                                        dlogits: logits.data, gradScale: gradScale / Float(n))
        self.batch = batch
        self.hidden = hidden
        dlogits = logits
        for m in moeLayers { m.auxScale = gradScale }
        return Loss(lm: count == 0 ? 0 : sum / Double(count),
                    balance: moeLayers.reduce(0) { $0 + Double($1.balanceLoss) },
                    kl: moeLayers.reduce(0) { $0 + Double($1.klLoss) },
                    targets: count)
    }

    private var dlogits: Tensor?

    /// Accumulates every parameter's gradient for the last `loss` call.
    public func backward() {
        guard let batch, let hidden, let dlogits else { preconditionFailure("backward before loss") }
        let d = config.dModel
        // Tied head: dE += dlogitsᵀ h_t, dh_t = dlogits E.
        let ht = Tensor(zeros: [targetRows.count, d])
        gatherRows(hidden, targetRows, into: ht)
        matmul(dlogits, ht, transA: true, into: embed.grad, beta: 1)
        let dht = matmul(dlogits, embed.value)
        let dHidden = Tensor(zeros: hidden.shape)
        for (i, row) in targetRows.enumerated() { (dHidden.data + row * d).update(from: dht.data + i * d, count: d) }

        var dx = norm.backward(dHidden)
        for block in blocks.reversed() { dx = block.backward(dx) }
        for (row, m) in batch.modality.enumerated() where m == .text {
            axpy(1, dx.data + row * d, embed.grad.data + Int(batch.tokenIds[row]) * d, d)
        }
        if let enc = imageEncoder, batch.images != nil {
            enc.backward(gatherBlocks(dx, starts: batch.imageStarts, lengths: imageTokens(batch, enc)))
        }
        if let enc = audioEncoder, batch.audio != nil {
            enc.backward(gatherBlocks(dx, starts: batch.audioStarts, lengths: audioTokens(batch, enc)))
        }
    }

    public func zeroGradients() { for p in parameters { p.grad.zero() } }

    /// A copy with its own weights (equal to these), gradients and kept activations, so that
    /// another micro-batch can run forward and backward on another core at the same time.
    public func replica() -> MultimodalMoE {
        let copy = MultimodalMoE(config, weights: .unset)
        copy.copyWeights(from: self)
        return copy
    }

    /// Makes every weight, and the loss-free balancing biases, equal to `other`'s.
    public func copyWeights(from other: MultimodalMoE) {
        precondition(config == other.config, "copyWeights between models of different configs")
        for (p, q) in zip(parameters, other.parameters) { p.value.copy(from: q.value) }
        for (layer, source) in zip(moeLayers, other.moeLayers) {
            for (g, h) in zip(layer.groups, source.groups) { g.selectionBias.copy(from: h.selectionBias) }
        }
    }

    // MARK: Stream helpers

    /// Stream rows of each image and each clip in `batch`, in order.
    private func imageTokens(_ batch: Batch, _ enc: ImageEncoder) -> [Int] { batch.imageStarts.map { _ in enc.config.tokens } }
    private func audioTokens(_ batch: Batch, _ enc: AudioEncoder) -> [Int] { batch.audioFrames.map(enc.config.tokens(frames:)) }
}
