import Kernels

/// GELU (tanh form) as a layer that keeps its input for backward.
final class GELU {
    private var x: Tensor?

    func forward(_ x: Tensor) -> Tensor {
        self.x = x
        let y = Tensor(uninitialized: x.shape)
        geluTanhForward(x.data, y.data, x.count)
        return y
    }

    func backward(_ dy: Tensor) -> Tensor {
        guard let x else { preconditionFailure("GELU.backward before forward") }
        let dx = Tensor(uninitialized: x.shape)
        geluTanhBackward(x.data, dy.data, dx.data, x.count)
        return dx
    }
}

/// The MLP that maps encoder features into the decoder's width: Linear → GELU → Linear.
public final class Connector {
    public let fc1: Linear
    public let fc2: Linear
    private let act = GELU()

    public init(_ name: String, in inFeatures: Int, out d: Int, std: Float, weights: inout WeightInit) {
        fc1 = Linear("\(name).fc1", in: inFeatures, out: d, bias: true, std: std, weights: &weights)
        fc2 = Linear("\(name).fc2", in: d, out: d, bias: true, std: std, weights: &weights)
    }

    public var parameters: [Parameter] { fc1.parameters + fc2.parameters }

    public func forward(_ x: Tensor) -> Tensor { fc2.forward(act.forward(fc1.forward(x))) }
    public func backward(_ dy: Tensor) -> Tensor { fc1.backward(act.backward(fc2.backward(dy))) }
}
