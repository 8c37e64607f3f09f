import Kernels

/// A 1-D convolution, kernel 3, padding 1, any stride, as im2col + one GEMM.
/// Weight in PyTorch's Conv1d layout `[out, in, 3]`, viewed as `[out, in·3]`.
/// Input is addressed through strides so the first layer reads the `[80, frames]` log-mel
/// directly and the second reads the first's `[frames, channels]` output.
public final class Conv1d {
    public let weight: Parameter  // [out, in, 3]
    public let bias: Parameter    // [out]
    let stride: Int
    private var cols: Tensor?     // [clips·T_out, in·3], kept for backward
    private var inputShape: (clips: Int, length: Int) = (0, 0)

    public init(_ name: String, in inChannels: Int, out outChannels: Int, stride: Int, std: Float, weights: inout WeightInit) {
        weight = Parameter("\(name).weight", weights.normal([outChannels, inChannels, 3], std: std))
        bias = Parameter("\(name).bias", Tensor(zeros: [outChannels]), decays: false)
        self.stride = stride
    }

    public var parameters: [Parameter] { [weight, bias] }
    var inChannels: Int { weight.shape[1] }
    var outChannels: Int { weight.shape[0] }
    public func outputLength(_ n: Int) -> Int { (n - 1) / stride + 1 }

    /// `x` holds `clips` inputs of `length` steps, element (c, t) of clip b at
    /// `b·clipStride + c·channelStride + t·timeStride`. Returns [clips·T_out, out], time-major.
    public func forward(_ x: Tensor, clips: Int, length: Int, clipStride: Int, channelStride: Int, timeStride: Int) -> Tensor {
        let cin = inChannels, tOut = outputLength(length)
        let cols = Tensor(zeros: [clips * tOut, cin * 3])
        for b in 0..<clips {
            for t in 0..<tOut {
                let row = cols.data + (b * tOut + t) * cin * 3
                for kk in 0..<3 {
                    let src = t * stride + kk - 1
                    guard src >= 0 && src < length else { continue }
                    let base = x.data + b * clipStride + src * timeStride
                    for c in 0..<cin { row[c * 3 + kk] = base[c * channelStride] }
                }
            }
        }
        self.cols = cols
        inputShape = (clips, length)
        let y = Tensor(zeros: [clips * tOut, outChannels])
        matmul(cols, weight.value.reshaped([outChannels, cin * 3]), transB: true, into: y)
        addRowVector(y, bias.value)
        return y
    }

    /// dy: [clips·T_out, out] → dx as [clips·length, in] time-major (the layout of a previous
    /// conv's output); accumulates dW and db.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let cols else { preconditionFailure("Conv1d.backward before forward") }
        let cin = inChannels, (clips, length) = inputShape, tOut = outputLength(length)
        matmul(dy, cols, transA: true, into: weight.grad.reshaped([outChannels, cin * 3]), beta: 1)
        sumRows(dy, into: bias.grad, accumulate: true)
        let dcols = matmul(dy, weight.value.reshaped([outChannels, cin * 3]))
        let dx = Tensor(zeros: [clips * length, cin])
        for b in 0..<clips {
            for t in 0..<tOut {
                let row = dcols.data + (b * tOut + t) * cin * 3
                for kk in 0..<3 {
                    let src = t * stride + kk - 1
                    guard src >= 0 && src < length else { continue }
                    let dst = dx.data + (b * length + src) * cin
                    for c in 0..<cin { dst[c] += row[c * 3 + kk] }
                }
            }
        }
        return dx
    }
}
