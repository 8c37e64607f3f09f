import Inputs
import Kernels

/// A small dense ViT: non-overlapping patches → linear embedding → non-causal blocks (rotary
/// positions in raster order) → norm → connector to `d_model`. One image is one segment.
public final class ImageEncoder {
    public let config: ImageEncoderConfig
    public let patchEmbed: Linear
    public let blocks: [Block]
    public let norm: RMSNorm
    public let connector: Connector

    init(_ c: ImageEncoderConfig, dModel: Int, eps: Float, rng: inout SplitMix) {
        config = c
        let std: Float = 0.02, outStd = 0.02 / Float(2 * c.layers).squareRoot()
        patchEmbed = Linear("image_encoder.patch_embed", in: c.patchDim, out: c.dim, bias: true, std: std, rng: &rng)
        blocks = (0..<c.layers).map { i in
            denseBlock("image_encoder.layers.\(i)", d: c.dim, heads: c.heads, hidden: c.mlpHidden, positions: c.tokens,
                       eps: eps, std: std, outStd: outStd, rng: &rng)
        }
        norm = RMSNorm("image_encoder.norm", d: c.dim, eps: eps)
        connector = Connector("image_connector", in: c.dim, out: dModel, std: std, rng: &rng)
    }

    public var parameters: [Parameter] {
        patchEmbed.parameters + blocks.flatMap(\.parameters) + norm.parameters + connector.parameters
    }

    /// images: [n, 3, size, size] → [n·tokens, d_model]
    public func forward(_ images: Tensor) -> Tensor {
        let n = images.shape[0], p = config.patch, side = config.patchesPerSide, size = config.size
        let patches = Tensor(zeros: [n * config.tokens, config.patchDim])
        for b in 0..<n {
            for py in 0..<side {
                for px in 0..<side {
                    var dst = patches.data + ((b * side + py) * side + px) * config.patchDim
                    for c in 0..<3 {
                        for y in 0..<p {
                            let src = images.data + ((b * 3 + c) * size + py * p + y) * size + px * p
                            dst.update(from: src, count: p)
                            dst += p
                        }
                    }
                }
            }
        }
        let segments = Segment.packed(Array(repeating: config.tokens, count: n))
        let modality = [Modality](repeating: .image, count: n * config.tokens)
        var h = patchEmbed.forward(patches)
        for block in blocks { h = block.forward(h, segments: segments, modality: modality) }
        return connector.forward(norm.forward(h))
    }

    public func backward(_ dy: Tensor) {
        var dh = norm.backward(connector.backward(dy))
        for block in blocks.reversed() { dh = block.backward(dh) }
        _ = patchEmbed.backward(dh)
    }
}

/// The audio encoder: log-mel → conv (stride 2) → GELU → conv (stride 2) → GELU →
/// non-causal blocks → norm → connector to `d_model`. One clip is one segment.
public final class AudioEncoder {
    public let config: AudioEncoderConfig
    public let conv1: Conv1d
    public let conv2: Conv1d
    private let act1 = GELU(), act2 = GELU()
    public let blocks: [Block]
    public let norm: RMSNorm
    public let connector: Connector

    init(_ c: AudioEncoderConfig, dModel: Int, eps: Float, rng: inout SplitMix) {
        config = c
        let std: Float = 0.02, outStd = 0.02 / Float(2 * c.layers).squareRoot()
        conv1 = Conv1d("audio_encoder.conv1", in: AudioEncoderConfig.melBins, out: c.dim, stride: 2, std: std, rng: &rng)
        conv2 = Conv1d("audio_encoder.conv2", in: c.dim, out: c.dim, stride: 2, std: std, rng: &rng)
        blocks = (0..<c.layers).map { i in
            denseBlock("audio_encoder.layers.\(i)", d: c.dim, heads: c.heads, hidden: c.mlpHidden, positions: c.tokens,
                       eps: eps, std: std, outStd: outStd, rng: &rng)
        }
        norm = RMSNorm("audio_encoder.norm", d: c.dim, eps: eps)
        connector = Connector("audio_connector", in: c.dim, out: dModel, std: std, rng: &rng)
    }

    public var parameters: [Parameter] {
        conv1.parameters + conv2.parameters + blocks.flatMap(\.parameters) + norm.parameters + connector.parameters
    }

    /// mel: [n, 80, frames] → [n·tokens, d_model]
    public func forward(_ mel: Tensor) -> Tensor {
        let n = mel.shape[0], frames = mel.shape[2], bins = AudioEncoderConfig.melBins
        let t1 = conv1.outputLength(frames)
        let h1 = act1.forward(conv1.forward(mel, clips: n, length: frames, clipStride: bins * frames, channelStride: frames, timeStride: 1))
        let t2 = conv2.outputLength(t1)
        var h = act2.forward(conv2.forward(h1, clips: n, length: t1, clipStride: t1 * config.dim, channelStride: 1, timeStride: config.dim))
        let segments = Segment.packed(Array(repeating: t2, count: n))
        let modality = [Modality](repeating: .audio, count: n * t2)
        for block in blocks { h = block.forward(h, segments: segments, modality: modality) }
        return connector.forward(norm.forward(h))
    }

    public func backward(_ dy: Tensor) {
        var dh = norm.backward(connector.backward(dy))
        for block in blocks.reversed() { dh = block.backward(dh) }
        _ = conv1.backward(act1.backward(conv2.backward(act2.backward(dh))))
    }
}

/// A non-causal pre-norm block with a dense SwiGLU, as both encoders use.
func denseBlock(_ name: String, d: Int, heads: Int, hidden: Int, positions: Int, eps: Float,
                std: Float, outStd: Float, rng: inout SplitMix) -> Block {
    Block(attnNorm: RMSNorm("\(name).attn_norm", d: d, eps: eps),
          attn: SelfAttention("\(name).attn", d: d, heads: heads, causal: false, maxPositions: positions, theta: 10000,
                              std: std, outStd: outStd, rng: &rng),
          ffnNorm: RMSNorm("\(name).ffn_norm", d: d, eps: eps),
          ffn: .dense(SwiGLU("\(name).mlp", d: d, hidden: hidden, std: std, outStd: outStd, rng: &rng)))
}
