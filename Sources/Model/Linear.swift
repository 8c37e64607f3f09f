import Kernels

/// `y = x Wᵀ (+ b)`, with `W` stored `[out, in]` as PyTorch's nn.Linear stores it.
public final class Linear {
    public let weight: Parameter  // [out, in]
    public let bias: Parameter?   // [out]
    private var x: Tensor?        // kept for backward: [rows, in]

    public init(_ name: String, in inFeatures: Int, out outFeatures: Int, bias: Bool = false, std: Float, weights: inout WeightInit) {
        weight = Parameter("\(name).weight", weights.normal([outFeatures, inFeatures], std: std))
        self.bias = bias ? Parameter("\(name).bias", Tensor(zeros: [outFeatures]), decays: false) : nil
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }
    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// x: [rows, in] → [rows, out]
    public func forward(_ x: Tensor) -> Tensor {
        self.x = x
        let y = Tensor(uninitialized: Array(x.shape.dropLast()) + [outFeatures])
        matmul(x, weight.value, transB: true, into: y)
        if let bias { addRowVector(y, bias.value) }
        return y
    }

    /// dy: [rows, out] → dx: [rows, in]; accumulates dW = dyᵀ x and db = Σ dy.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x else { preconditionFailure("Linear.backward before forward") }
        matmul(dy, x, transA: true, into: weight.grad, beta: 1)
        if let bias { sumRows(dy, into: bias.grad, accumulate: true) }
        let dx = Tensor(uninitialized: x.shape)
        matmul(dy, weight.value, into: dx)
        return dx
    }
}
