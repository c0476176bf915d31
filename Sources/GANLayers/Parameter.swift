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

    public init(key: String, shape: [Int], trainable: Bool = true) {
        self.key = key
        value = Tensor(shape: shape)
        gradient = Tensor(shape: trainable ? shape : [0])
        self.trainable = trainable
    }

    public var shape: [Int] { value.shape }
}
