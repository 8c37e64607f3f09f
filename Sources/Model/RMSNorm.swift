import Kernels

/// RMSNorm over the last axis with a learned scale.
public final class RMSNorm {
    public let weight: Parameter  // [d]
    let eps: Float
    private var x: Tensor?
    private var rstd: Tensor?

    public init(_ name: String, d: Int, eps: Float) {
        weight = Parameter("\(name).weight", Tensor(shape: [d], repeating: 1), decays: false)
        self.eps = eps
    }

    public func forward(_ x: Tensor) -> Tensor {
        let y = Tensor(uninitialized: x.shape), rstd = Tensor(uninitialized: [x.rows])
        rmsNormForward(x.data, weight.value.data, y.data, rstd: rstd.data, rows: x.rows, cols: x.cols, eps: eps)
        self.x = x
        self.rstd = rstd
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let x, let rstd else { preconditionFailure("RMSNorm.backward before forward") }
        let dx = Tensor(uninitialized: x.shape)
        rmsNormBackward(x.data, weight.value.data, rstd: rstd.data, dy.data, dx.data, weight.grad.data, rows: x.rows, cols: x.cols)
        return dx
    }
}
