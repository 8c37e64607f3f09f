import Kernels

/// A 2-D convolution, kernel 3×3, padding 1, stride 2, as im2col + one GEMM, with GELU after it:
/// one stage of the image encoder's convolutional stem. Weight in PyTorch's Conv2d layout
/// `[out, in, 3, 3]`. The first stage reads the `[n, 3, H, W]` image planes, later stages the
/// previous stage's channels-last output, so the input is addressed through strides.
public final class ConvStage {
    public let weight: Parameter  // [out, in, 3, 3]
    public let bias: Parameter    // [out]
    private let act = GELU()
    private var cols: Tensor?     // [n·H_out·W_out, in·9], kept for backward
    private var inputShape = (images: 0, side: 0)

    public init(_ name: String, in inChannels: Int, out outChannels: Int, std: Float, weights: inout WeightInit) {
        weight = Parameter("\(name).weight", weights.normal([outChannels, inChannels, 3, 3], std: std))
        bias = Parameter("\(name).bias", Tensor(zeros: [outChannels]), decays: false)
    }

    public var parameters: [Parameter] { [weight, bias] }
    var inChannels: Int { weight.shape[1] }
    var outChannels: Int { weight.shape[0] }
    static func outputSide(_ side: Int) -> Int { (side - 1) / 2 + 1 }

    /// Element (c, y, x) of image b sits at `b·imageStride + c·channelStride + (y·side + x)·pixelStride`.
    /// Returns GELU(conv) as [n·side_out², out], channels last.
    public func forward(_ x: Tensor, images: Int, side: Int, imageStride: Int, channelStride: Int, pixelStride: Int) -> Tensor {
        let cin = inChannels, so = Self.outputSide(side), k = cin * 9
        let cols = Tensor(zeros: [images * so * so, k])
        for b in 0..<images {
            for oy in 0..<so {
                for ox in 0..<so {
                    let row = cols.data + ((b * so + oy) * so + ox) * k
                    for ky in 0..<3 {
                        let y = oy * 2 + ky - 1
                        guard y >= 0 && y < side else { continue }
                        for kx in 0..<3 {
                            let xx = ox * 2 + kx - 1
                            guard xx >= 0 && xx < side else { continue }
                            let src = x.data + b * imageStride + (y * side + xx) * pixelStride
                            for c in 0..<cin { row[c * 9 + ky * 3 + kx] = src[c * channelStride] }
                        }
                    }
                }
            }
        }
        self.cols = cols
        inputShape = (images, side)
        let y = Tensor(zeros: [images * so * so, outChannels])
        matmul(cols, weight.value.reshaped([outChannels, k]), transB: true, into: y)
        addRowVector(y, bias.value)
        return act.forward(y)
    }

    /// dy: [n·side_out², out] → dx as [n·side², in] channels last (the layout of a previous
    /// stage's output); accumulates dW and db.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let cols else { preconditionFailure("ConvStage.backward before forward") }
        let dz = act.backward(dy)
        let cin = inChannels, k = cin * 9, (images, side) = inputShape, so = Self.outputSide(side)
        matmul(dz, cols, transA: true, into: weight.grad.reshaped([outChannels, k]), beta: 1)
        sumRows(dz, into: bias.grad, accumulate: true)
        let dcols = matmul(dz, weight.value.reshaped([outChannels, k]))
        let dx = Tensor(zeros: [images * side * side, cin])
        for b in 0..<images {
            for oy in 0..<so {
                for ox in 0..<so {
                    let row = dcols.data + ((b * so + oy) * so + ox) * k
                    for ky in 0..<3 {
                        let y = oy * 2 + ky - 1
                        guard y >= 0 && y < side else { continue }
                        for kx in 0..<3 {
                            let xx = ox * 2 + kx - 1
                            guard xx >= 0 && xx < side else { continue }
                            let dst = dx.data + (b * side * side + y * side + xx) * cin
                            for c in 0..<cin { dst[c] += row[c * 9 + ky * 3 + kx] }
                        }
                    }
                }
            }
        }
        return dx
    }
}
