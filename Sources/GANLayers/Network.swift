import GANTensor

/// A stack of layers with buffers allocated once per batch capacity.
///
/// `forward` keeps a pointer to the caller's input until the matching `backward`, and every
/// activation and gradient lives in a buffer owned here, so a training step allocates nothing
/// once the capacity has been reserved.
public final class Network {
    public let layers: [any Layer]
    /// Storage names, one per layer: `dense_0`, `relu_1`, ...
    public let layerNames: [String]
    public let inputSize: Int
    public let outputSize: Int
    public private(set) var batchCapacity = 0

    private var outputs: [Tensor] = []          // outputs[i]: [capacity, layers[i].outputSize]
    private var inputGradients: [Tensor] = []   // inputGradients[i]: [capacity, layers[i].inputSize]
    private var lastInput: UnsafePointer<Float>?
    /// Below this layer nothing is trained, so a parameter-only backward pass stops there.
    private let firstTrainableLayer: Int
    private var lastBatchSize = 0

    public init(layers: [any Layer]) {
        precondition(!layers.isEmpty, "a network needs at least one layer")
        for (previous, next) in zip(layers, layers.dropFirst()) {
            precondition(previous.outputSize == next.inputSize,
                         "layer sizes do not chain: \(previous.kind) outputs \(previous.outputSize), "
                         + "\(next.kind) expects \(next.inputSize)")
        }
        self.layers = layers
        layerNames = layers.enumerated().map { "\($0.element.kind)_\($0.offset)" }
        trainableParameters = layers.flatMap { $0.parameters.filter(\.trainable) }
        firstTrainableLayer = layers.firstIndex { $0.parameters.contains(where: \.trainable) } ?? layers.count
        inputSize = layers[0].inputSize
        outputSize = layers[layers.count - 1].outputSize
    }

    /// Every parameter, with its layer's storage name.
    public var namedParameters: [(layer: String, parameter: Parameter)] {
        zip(layerNames, layers).flatMap { name, layer in layer.parameters.map { (name, $0) } }
    }

    /// Parameters an optimizer updates, in layer order (computed once: layers are fixed).
    public let trainableParameters: [Parameter]

    /// True when some layer mixes rows of a batch (batch normalisation): such a network must see
    /// real and generated samples in separate passes.
    public var dependsOnBatch: Bool { layers.contains { $0.dependsOnBatch } }

    /// Floats one batch row costs: every layer's output and input gradient (the buffers
    /// `reserve` allocates) and its own per-row state (`workspacePerRow`). Layer sizes are
    /// bounded by `Limits`, so the sum cannot overflow.
    public var floatsPerRow: Int {
        layers.reduce(0) { $0 + $1.outputSize + $1.inputSize + $1.workspacePerRow }
    }

    /// Rows whose buffers fit in `bytes`, at least 1.
    public func rows(within bytes: Int) -> Int {
        max(1, bytes / (MemoryLayout<Float>.size * max(1, floatsPerRow)))
    }

    public var parameterCount: Int { layers.flatMap(\.parameters).reduce(0) { $0 + $1.value.count } }

    /// Sizes every buffer for batches up to `capacity`. Cheap when already large enough.
    public func reserve(batchCapacity capacity: Int) {
        guard capacity > batchCapacity else { return }
        batchCapacity = capacity
        outputs = layers.map { Tensor(shape: [capacity, $0.outputSize]) }
        inputGradients = layers.map { Tensor(shape: [capacity, $0.inputSize]) }
        for layer in layers { layer.reserve(batchCapacity: capacity) }
    }

    /// Runs the stack on input [batchSize, inputSize]; the result [batchSize, outputSize] stays
    /// valid until the next forward pass. `input` must stay alive until `backward`.
    @discardableResult
    public func forward(_ input: UnsafePointer<Float>, batchSize: Int, phase: Phase) -> UnsafeMutablePointer<Float> {
        reserve(batchCapacity: batchSize)
        lastInput = input
        lastBatchSize = batchSize
        var current = input
        for (index, layer) in layers.enumerated() {
            layer.forward(current, into: outputs[index].pointer, batchSize: batchSize, phase: phase)
            current = UnsafePointer(outputs[index].pointer)
        }
        return outputs[layers.count - 1].pointer
    }

    /// An inference pass that writes its result [batchSize, outputSize] to `destination` rather
    /// than to the network's own buffer (one copy fewer when sampling). No `backward` may follow.
    public func infer(_ input: UnsafePointer<Float>, batchSize: Int, into destination: UnsafeMutablePointer<Float>) {
        reserve(batchCapacity: batchSize)
        lastInput = nil
        var current = input
        for (index, layer) in layers.enumerated() {
            let output = index == layers.count - 1 ? destination : outputs[index].pointer
            layer.forward(current, into: output, batchSize: batchSize, phase: .inference)
            current = UnsafePointer(output)
        }
    }

    /// Back-propagates dLoss/dOutput [batchSize, outputSize] of the last forward pass. Returns
    /// dLoss/dInput [batchSize, inputSize] when `.input` is requested (overwritten each call).
    @discardableResult
    public func backward(_ outputGradient: UnsafePointer<Float>, needs: Gradients) -> UnsafeMutablePointer<Float>? {
        guard let input = lastInput else { preconditionFailure("backward called before forward") }
        var gradient = outputGradient
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            // A layer passes a gradient down only if the caller wants the input gradient or a
            // layer below it has parameters to train (dropout in front of the first dense layer
            // of the paper's discriminator must not cost a [2B, 784] product).
            let passesDown = needs.contains(.input) || (needs.contains(.parameters) && index > firstTrainableLayer)
            var layerNeeds = needs.intersection(.parameters)
            if passesDown { layerNeeds.insert(.input) }
            if layerNeeds.isEmpty { break }
            let layerInput = index == 0 ? input : UnsafePointer(outputs[index - 1].pointer)
            layers[index].backward(input: layerInput, output: outputs[index].pointer,
                                   outputGradient: gradient,
                                   inputGradient: inputGradients[index].pointer,
                                   batchSize: lastBatchSize, needs: layerNeeds)
            gradient = UnsafePointer(inputGradients[index].pointer)
            if !passesDown { break }
        }
        return needs.contains(.input) ? inputGradients[0].pointer : nil
    }

    /// The output [batch, size] of layer `index` in the last forward pass.
    public func output(ofLayer index: Int) -> UnsafePointer<Float> { UnsafePointer(outputs[index].pointer) }

    /// Applies every layer's weight constraints (after an optimizer update).
    public func applyConstraints() {
        for layer in layers { layer.applyConstraints() }
    }

    public func zeroGradients() {
        // Shared among the product threads: the paper model's gradients are 15 MB.
        for parameter in trainableParameters {
            let gradient = parameter.gradient.pointer
            parallelFor(parameter.gradient.count, granularity: 16) { r in
                (gradient + r.lowerBound).update(repeating: 0, count: r.count)
            }
        }
    }
}
