import GANTensor

/// A value paired with its gradient and a stable storage key (`kernel`, `bias`, ...).
///
/// Non-trainable state (such as running statistics) has `trainable == false`: it is stored in
/// weight files but never updated by an optimizer.
public final class Parameter: @unchecked Sendable {
    public let key: String
    public let value: Tensor
    public let gradient: Tensor
    public let trainable: Bool
    /// Whether L2 weight decay applies: kernels (`kernel` keys) by default, as the seed's
    /// TensorFlow model decayed its weight matrices and not its biases.
    public let decays: Bool

    public init(key: String, shape: [Int], trainable: Bool = true, decays: Bool? = nil) {
        self.key = key
        value = Tensor(shape: shape)
        gradient = Tensor(shape: trainable ? shape : [0])
        self.trainable = trainable
        self.decays = trainable && (decays ?? (key == "kernel"))
    }

    public var shape: [Int] { value.shape }
}
