import Kernels

/// A learned absolute position embedding `[tokens, dim]`, added to each of a batch's segments of
/// `tokens` rows (ViT's and Whisper's encoders carry one).
///
/// The encoders' rotary attention sees only relative offsets, and the decoder places every
/// medium at a different stream offset, so without it an image patch cannot tell the decoder
/// where in the picture it lies ("on the left"), nor an audio frame where in the clip it falls.
public final class PositionEmbedding {
    public let weight: Parameter  // [tokens, dim]

    init(_ name: String, tokens: Int, dim: Int, std: Float, weights: inout WeightInit) {
        weight = Parameter("\(name).weight", weights.normal([tokens, dim], std: std))
    }

    public var parameters: [Parameter] { [weight] }

    /// x: segments of `lengths` rows back to back, `[Σ lengths, dim]`; row j of a segment gets
    /// position j (a segment is at most `tokens` long). In place.
    func forward(_ x: Tensor, lengths: [Int]) {
        var row = 0
        for n in lengths {
            precondition(n <= weight.shape[0], "position embedding of \(weight.shape[0]) positions for a segment of \(n)")
            axpy(1, weight.value.data, x.data + row * x.cols, n * x.cols)
            row += n
        }
    }

    /// dy as x in `forward`; accumulates the weight's gradient (the input's gradient is dy itself).
    func backward(_ dy: Tensor, lengths: [Int]) {
        var row = 0
        for n in lengths {
            axpy(1, dy.data + row * dy.cols, weight.grad.data, n * dy.cols)
            row += n
        }
    }
}
