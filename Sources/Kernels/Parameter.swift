/// A trainable tensor, its gradient, and the name it has in `model.safetensors`.
public final class Parameter {
    public let name: String
    public let value: Tensor
    public let grad: Tensor
    /// Norm scales, biases and router biases are not decayed (the usual AdamW practice).
    public let decays: Bool

    public init(_ name: String, _ value: Tensor, decays: Bool = true) {
        self.name = name
        self.value = value
        self.grad = Tensor(zeros: value.shape)
        self.decays = decays
    }

    public var shape: [Int] { value.shape }
}
