/// Hidden-layer activations a configuration can name.
public enum ActivationKind: String, Codable, Sendable, CaseIterable {
    case relu
    case leakyReLU = "leaky-relu"
    case tanh
    case sigmoid

    /// The layer for `size` units; `alpha` is leaky ReLU's negative slope.
    public func makeLayer(size: Int, alpha: Float) -> any Layer {
        switch self {
        case .relu: return ReLU(size: size)
        case .leakyReLU: return LeakyReLU(size: size, alpha: alpha)
        case .tanh: return Tanh(size: size)
        case .sigmoid: return Sigmoid(size: size)
        }
    }
}
