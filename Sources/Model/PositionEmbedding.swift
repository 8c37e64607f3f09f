import Kernels

/// A learned absolute position embedding `[tokens, dim]`, added to each of a batch's segments of
/// `tokens` rows (ViT's and Whisper's encoders carry one).
///
/// The encoders' rotary attention sees only relative offsets, and the decoder places every
/// medium at a different stream offset, so without it an image patch cannot tell the decoder
/// where in the picture it lies ("on the left"), nor an audio frame where in the clip it falls.
public final class PositionEmbedding {
    public let weight: Parameter  // [tokens, dim]

    init(_ name: String, tokens: Int, dim: Int, std: Float, rng: inout SplitMix) {
        weight = Parameter("\(name).weight", Tensor(randomNormal: [tokens, dim], std: std, rng: &rng))
    }

    public var parameters: [Parameter] { [weight] }

    /// x: [n·tokens, dim], in place.
    func forward(_ x: Tensor) {
        let block = weight.value.count
        precondition(x.count % block == 0, "position embedding \(weight.shape) for rows \(x.shape)")
        for segment in 0..<(x.count / block) { axpy(1, weight.value.data, x.data + segment * block, block) }
    }

    /// dy: [n·tokens, dim]; accumulates the weight's gradient (the input's gradient is dy itself).
    func backward(_ dy: Tensor) {
        let block = weight.value.count
        for segment in 0..<(dy.count / block) { axpy(1, dy.data + segment * block, weight.grad.data, block) }
    }
}
