import GANTensor

/// Whether a forward pass trains (dropout active, batch statistics) or infers.
public enum Phase: Sendable {
    case training, inference
}

/// Which gradients a backward pass produces.
///
/// Parameter gradients *accumulate* into `Parameter.gradient` (BLAS beta = 1), so the
/// discriminator can add its real and its fake half. Input gradients *overwrite* (beta = 0).
/// Leaving `.parameters` out is how the generator step back-propagates through the
/// discriminator without touching its gradients.
public struct Gradients: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let input = Gradients(rawValue: 1)
    public static let parameters = Gradients(rawValue: 2)
    public static let all: Gradients = [.input, .parameters]
}

/// One layer over row-major batches: input [batch, inputSize] -> output [batch, outputSize].
///
/// Buffers are owned by the `Network`, which allocates them once per batch capacity.
public protocol Layer: AnyObject {
    /// Stable kind stored in weight files: "dense", "relu", "leaky_relu", "sigmoid", "tanh".
    var kind: String { get }
    var inputSize: Int { get }
    var outputSize: Int { get }
    /// Trainable parameters and stored state, with stable storage keys.
    var parameters: [Parameter] { get }
    /// Scalar settings that describe the layer in a weights file (e.g. `alpha` of leaky ReLU).
    var attributes: [String: Double] { get }

    /// Called once per batch capacity before any pass, for layers that keep per-batch state.
    func reserve(batchCapacity: Int)

    func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                 batchSize: Int, phase: Phase)

    /// `outputGradient` is dLoss/dOutput [batch, outputSize]. With `.input` in `needs`,
    /// `inputGradient` [batch, inputSize] is overwritten; with `.parameters`, gradients are added
    /// to each parameter's `gradient`.
    func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                  outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                  batchSize: Int, needs: Gradients)
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var attributes: [String: Double] { [:] }
    public func reserve(batchCapacity: Int) {}
}
