import GANTensor

/// What a forward pass is for.
///
/// - `training`: dropout active, batch normalisation uses batch statistics and updates its
///   running statistics.
/// - `trainingFrozenStatistics`: the same, except that running statistics stay as they are. The
///   trainer uses it when a network runs forward in the *other* network's step (the generator
///   during the discriminator's update, the discriminator during the generator's update).
/// - `inference`: dropout off, running statistics (sampling, evaluation).
public enum Phase: Sendable {
    case training, trainingFrozenStatistics, inference

    public var isTraining: Bool { self != .inference }
    public var updatesStatistics: Bool { self == .training }
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
    /// True when one row's output depends on the other rows of the batch (batch normalisation).
    var dependsOnBatch: Bool { get }
    /// Random streams the layer draws from (dropout masks), for exact checkpoints.
    var randomStates: [RandomGenerator] { get set }

    /// Called once per batch capacity before any pass, for layers that keep per-batch state.
    func reserve(batchCapacity: Int)

    /// Floats of per-batch state `reserve` allocates per row (patch matrices, masks, x-hat),
    /// beside the input and output buffers the network holds: what a batch will cost is known
    /// before any of it is allocated.
    var workspacePerRow: Int { get }

    func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                 batchSize: Int, phase: Phase)

    /// `outputGradient` is dLoss/dOutput [batch, outputSize]. With `.input` in `needs`,
    /// `inputGradient` [batch, inputSize] is overwritten; with `.parameters`, gradients are added
    /// to each parameter's `gradient`.
    func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                  outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                  batchSize: Int, needs: Gradients)

    /// Applies the layer's weight constraints (max-norm); called after each optimizer update.
    func applyConstraints()
}

extension Layer {
    public func applyConstraints() {}
    public var parameters: [Parameter] { [] }
    public var attributes: [String: Double] { [:] }
    public var dependsOnBatch: Bool { false }
    public var randomStates: [RandomGenerator] {
        get { [] }
        set {}
    }
    public func reserve(batchCapacity: Int) {}
    public var workspacePerRow: Int { 0 }
}
