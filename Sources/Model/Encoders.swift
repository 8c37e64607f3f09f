import Inputs
import Kernels

/// A small dense ViT: an optional convolutional stem (3×3 stride-2 stages, which give the
/// transformer local features to start from and learn far faster on small data than raw
/// pixels) → non-overlapping patches → linear embedding → non-causal blocks (rotary positions
/// in raster order) → norm → connector to `d_model`. One image is one segment.
public final class ImageEncoder {
    public let config: ImageEncoderConfig
    public let stem: [ConvStage]
    public let patchEmbed: Linear
    public let position: PositionEmbedding?
    public let blocks: [Block]
    public let norm: RMSNorm
    public let connector: Connector

    init(_ c: ImageEncoderConfig, dModel: Int, eps: Float, weights: inout WeightInit) {
        config = c
        let std: Float = 0.02, outStd = 0.02 / Float(2 * c.layers).squareRoot()
        let channels = [3] + c.convStem
        stem = c.convStem.indices.map { i in
            // He-style scale for a convolution followed by GELU: keeps activations from vanishing.
            ConvStage("image_encoder.stem.\(i)", in: channels[i], out: channels[i + 1],
                      std: (2 / Float(channels[i] * 9)).squareRoot(), weights: &weights)
        }
        patchEmbed = Linear("image_encoder.patch_embed", in: c.patchDim, out: c.dim, bias: true, std: std, weights: &weights)
        position = c.positionEmbedding
            ? PositionEmbedding("image_encoder.position_embedding", tokens: c.tokens, dim: c.dim, std: std, weights: &weights) : nil
        blocks = (0..<c.layers).map { i in
            denseBlock("image_encoder.layers.\(i)", d: c.dim, heads: c.heads, hidden: c.mlpHidden, positions: c.tokens,
                       eps: eps, std: std, outStd: outStd, weights: &weights)
        }
        norm = RMSNorm("image_encoder.norm", d: c.dim, eps: eps)
        connector = Connector("image_connector", in: c.dim, out: dModel, std: std, weights: &weights)
    }

    public var parameters: [Parameter] {
        stem.flatMap(\.parameters) + patchEmbed.parameters + (position?.parameters ?? []) + blocks.flatMap(\.parameters) + norm.parameters + connector.parameters
    }

    /// images: [n, 3, size, size] → [n·tokens, d_model]
    public func forward(_ images: Tensor) -> Tensor {
        let n = images.shape[0]
        let patches: Tensor
        if stem.isEmpty {
            patches = Tensor(zeros: [n * config.tokens, config.patchDim])
            movePlanarPatches(images, patches)
        } else {
            var grid = images, side = config.size, channels = 3
            for (i, stage) in stem.enumerated() {
                grid = i == 0
                    ? stage.forward(grid, images: n, side: side, imageStride: 3 * side * side, channelStride: side * side, pixelStride: 1)
                    : stage.forward(grid, images: n, side: side, imageStride: side * side * channels, channelStride: 1, pixelStride: channels)
                side = ConvStage.outputSide(side)
                channels = stage.outChannels
            }
            patches = Tensor(zeros: [n * config.tokens, config.patchDim])
            moveGridPatches(grid, patches, images: n, toPatches: true)
        }
        let segments = Segment.packed(Array(repeating: config.tokens, count: n))
        let modality = [Modality](repeating: .image, count: n * config.tokens)
        var h = patchEmbed.forward(patches)
        position?.forward(h, lengths: Array(repeating: config.tokens, count: n))
        for block in blocks { h = block.forward(h, segments: segments, modality: modality) }
        return connector.forward(norm.forward(h))
    }

    public func backward(_ dy: Tensor) {
        var dh = norm.backward(connector.backward(dy))
        for block in blocks.reversed() { dh = block.backward(dh) }
        position?.backward(dh, lengths: Array(repeating: config.tokens, count: dh.rows / config.tokens))
        let dPatches = patchEmbed.backward(dh)
        guard !stem.isEmpty else { return }
        let n = dPatches.rows / config.tokens
        var dGrid = Tensor(zeros: [n * config.gridSide * config.gridSide, config.convStem.last!])
        moveGridPatches(dGrid, dPatches, images: n, toPatches: false)
        for stage in stem.reversed() { dGrid = stage.backward(dGrid) }
    }

    /// Cuts `[n, 3, size, size]` planes into patches, channel-major within a patch.
    private func movePlanarPatches(_ images: Tensor, _ patches: Tensor) {
        let n = images.shape[0], p = config.patch, side = config.patchesPerSide, size = config.size
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
    }

    /// Moves rows of the stem's channels-last grid `[n·g·g, C]` to or from patches
    /// `[n·tokens, p·p·C]` (pixel-major within a patch); the backward pass runs it in reverse.
    private func moveGridPatches(_ grid: Tensor, _ patches: Tensor, images n: Int, toPatches: Bool) {
        let g = config.gridSide, p = config.gridPatch, side = config.patchesPerSide, c = grid.cols
        for b in 0..<n {
            for py in 0..<side {
                for px in 0..<side {
                    var patch = patches.data + ((b * side + py) * side + px) * config.patchDim
                    for y in 0..<p {
                        let pixel = grid.data + ((b * g + py * p + y) * g + px * p) * c
                        if toPatches { patch.update(from: pixel, count: p * c) } else { pixel.update(from: patch, count: p * c) }
                        patch += p * c
                    }
                }
            }
        }
    }
}

/// The audio encoder: log-mel → conv (stride 2) → GELU → conv (stride 2) → GELU →
/// non-causal blocks → norm → connector to `d_model`. One clip is one segment.
///
/// Clips of different lengths share one zero-padded batch through the convolutions; each clip
/// then keeps only its own tokens. The first convolution's outputs past a clip's end are zeroed
/// before the second reads them, so a clip gives the same tokens alone as beside a longer one
/// (the zero frames after it are exactly the convolution's own zero padding).
public final class AudioEncoder {
    public let config: AudioEncoderConfig
    public let conv1: Conv1d
    public let conv2: Conv1d
    private let act1 = GELU(), act2 = GELU()
    public let position: PositionEmbedding?
    public let blocks: [Block]
    public let norm: RMSNorm
    public let connector: Connector
    /// Kept for backward: each clip's length after conv1 and after conv2, and the padded lengths.
    private var kept: (t1: [Int], t2: [Int], paddedT1: Int, paddedT2: Int) = ([], [], 0, 0)

    init(_ c: AudioEncoderConfig, dModel: Int, eps: Float, weights: inout WeightInit) {
        config = c
        let std: Float = 0.02, outStd = 0.02 / Float(2 * c.layers).squareRoot()
        conv1 = Conv1d("audio_encoder.conv1", in: AudioEncoderConfig.melBins, out: c.dim, stride: 2, std: std, weights: &weights)
        conv2 = Conv1d("audio_encoder.conv2", in: c.dim, out: c.dim, stride: 2, std: std, weights: &weights)
        position = c.positionEmbedding
            ? PositionEmbedding("audio_encoder.position_embedding", tokens: c.tokens, dim: c.dim, std: std, weights: &weights) : nil
        blocks = (0..<c.layers).map { i in
            denseBlock("audio_encoder.layers.\(i)", d: c.dim, heads: c.heads, hidden: c.mlpHidden, positions: c.tokens,
                       eps: eps, std: std, outStd: outStd, weights: &weights)
        }
        norm = RMSNorm("audio_encoder.norm", d: c.dim, eps: eps)
        connector = Connector("audio_connector", in: c.dim, out: dModel, std: std, weights: &weights)
    }

    public var parameters: [Parameter] {
        conv1.parameters + conv2.parameters + (position?.parameters ?? []) + blocks.flatMap(\.parameters) + norm.parameters + connector.parameters
    }

    /// mel: [n, 80, frames] zero-padded, clip i `lengths[i]` frames long → [Σ tokens_i, d_model],
    /// clip by clip (`tokens_i = config.tokens(frames: lengths[i])`).
    public func forward(_ mel: Tensor, lengths: [Int]) -> Tensor {
        let n = mel.shape[0], frames = mel.shape[2], bins = AudioEncoderConfig.melBins
        precondition(lengths.count == n && lengths.allSatisfy { (1...frames).contains($0) }, "audio lengths \(lengths) for mel \(mel.shape)")
        let t1 = conv1.outputLength(frames), t2 = conv2.outputLength(t1)
        kept = (lengths.map(conv1.outputLength), lengths.map { conv2.outputLength(conv1.outputLength($0)) }, t1, t2)
        let h1 = act1.forward(conv1.forward(mel, clips: n, length: frames, clipStride: bins * frames, channelStride: frames, timeStride: 1))
        zeroRows(h1, after: kept.t1, padded: t1)
        let h2 = act2.forward(conv2.forward(h1, clips: n, length: t1, clipStride: t1 * config.dim, channelStride: 1, timeStride: config.dim))
        var h = gatherBlocks(h2, starts: clipStarts(padded: t2), lengths: kept.t2)
        position?.forward(h, lengths: kept.t2)
        let segments = Segment.packed(kept.t2)
        let modality = [Modality](repeating: .audio, count: h.rows)
        for block in blocks { h = block.forward(h, segments: segments, modality: modality) }
        return connector.forward(norm.forward(h))
    }

    public func backward(_ dy: Tensor) {
        var dh = norm.backward(connector.backward(dy))
        for block in blocks.reversed() { dh = block.backward(dh) }
        position?.backward(dh, lengths: kept.t2)
        let dh2 = Tensor(zeros: [kept.t2.count * kept.paddedT2, dh.cols])
        scatterBlocks(dh, starts: clipStarts(padded: kept.paddedT2), lengths: kept.t2, into: dh2)
        let dh1 = conv2.backward(act2.backward(dh2))
        zeroRows(dh1, after: kept.t1, padded: kept.paddedT1)
        _ = conv1.backward(act1.backward(dh1))
    }

    /// Zeroes each clip's rows past its own length in a padded `[n·padded, C]` matrix.
    private func zeroRows(_ x: Tensor, after lengths: [Int], padded: Int) {
        let c = x.cols
        for (i, n) in lengths.enumerated() where n < padded {
            (x.data + (i * padded + n) * c).initialize(repeating: 0, count: (padded - n) * c)
        }
    }

    /// First row of each clip in a padded `[n·padded, C]` matrix.
    private func clipStarts(padded: Int) -> [Int] { kept.t1.indices.map { $0 * padded } }
}

/// A non-causal pre-norm block with a dense SwiGLU, as both encoders use.
func denseBlock(_ name: String, d: Int, heads: Int, hidden: Int, positions: Int, eps: Float,
                std: Float, outStd: Float, weights: inout WeightInit) -> Block {
    Block(attnNorm: RMSNorm("\(name).attn_norm", d: d, eps: eps),
          attn: SelfAttention("\(name).attn", d: d, heads: heads, causal: false, maxPositions: positions, theta: 10000,
                              std: std, outStd: outStd, weights: &weights),
          ffnNorm: RMSNorm("\(name).ffn_norm", d: d, eps: eps),
          ffn: .dense(SwiGLU("\(name).mlp", d: d, hidden: hidden, std: std, outStd: outStd, weights: &weights)))
}
