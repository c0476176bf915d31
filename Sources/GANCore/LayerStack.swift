import GANLayers
import GANTensor

/// Builds the dense stacks that MLP-style plugins share:
/// `[Dense -> (batch norm) -> activation -> (dropout)] per hidden width -> Dense`.
public struct LayerStack {
    /// Batch normalisation settings, when the stack normalises its hidden layers.
    public struct Normalization: Sendable {
        public var epsilon: Float
        public var momentum: Float
        public init(epsilon: Float, momentum: Float) {
            self.epsilon = epsilon
            self.momentum = momentum
        }
    }

    public var activation: ActivationKind
    public var leakyReLUAlpha: Float = 0.2
    public var initializer: Initializer
    public var normalization: Normalization? = nil
    /// Dropout keep probability on the stack's input (1 = none).
    public var inputKeepProbability: Float = 1
    /// Dropout keep probability after each hidden activation (1 = none).
    public var hiddenKeepProbability: Float = 1

    public init(activation: ActivationKind, leakyReLUAlpha: Float = 0.2, initializer: Initializer,
                normalization: Normalization? = nil, inputKeepProbability: Float = 1, hiddenKeepProbability: Float = 1) {
        self.activation = activation
        self.leakyReLUAlpha = leakyReLUAlpha
        self.initializer = initializer
        self.normalization = normalization
        self.inputKeepProbability = inputKeepProbability
        self.hiddenKeepProbability = hiddenKeepProbability
    }

    public func layers(input: Int, hidden: [Int], output: Int, rng: inout RandomGenerator) -> [any Layer] {
        var layers: [any Layer] = []
        if inputKeepProbability < 1 { layers.append(Self.dropout(input, inputKeepProbability, &rng)) }
        var width = input
        for size in hidden {
            layers.append(Self.dense(width, size, initializer, &rng))
            if let normalization {
                layers.append(BatchNormalization(size: size, epsilon: normalization.epsilon, momentum: normalization.momentum))
            }
            layers.append(activation.makeLayer(size: size, alpha: leakyReLUAlpha))
            if hiddenKeepProbability < 1 { layers.append(Self.dropout(size, hiddenKeepProbability, &rng)) }
            width = size
        }
        layers.append(Self.dense(width, output, initializer, &rng))
        return layers
    }

    public static func dense(_ input: Int, _ output: Int, _ initializer: Initializer, _ rng: inout RandomGenerator) -> Dense {
        let layer = Dense(inputSize: input, outputSize: output)
        initializer.fill(layer.kernel.value, fanIn: input, fanOut: output, rng: &rng)
        return layer
    }

    /// Sets pylearn2's `max_col_norm` on every dense and maxout layer of `layers` (nil: none).
    @discardableResult
    public static func limitColumnNorms(_ layers: [any Layer], _ bound: Float?) -> [any Layer] {
        for layer in layers {
            (layer as? Dense)?.maxColumnNorm = bound
            (layer as? Maxout)?.maxColumnNorm = bound
        }
        return layers
    }

    /// A dropout layer with its own stream, drawn from the initialisation stream.
    public static func dropout(_ size: Int, _ keepProbability: Float, _ rng: inout RandomGenerator) -> Dropout {
        Dropout(size: size, keepProbability: keepProbability, rng: RandomGenerator(seed: rng.next()))
    }

    /// Appends the sigmoid output of a generator, first setting the last dense layer's bias to
    /// the logit of the data's per-pixel mean when asked (and when the mean is known).
    public static func finishGenerator(_ layers: [any Layer], problem: Problem, biasFromDataMean: Bool) -> Network {
        if biasFromDataMean, let output = layers.last as? Dense, output.outputSize == problem.sampleSize {
            output.bias.value.copy(from: problem.meanLogits())
        }
        return Network(layers: layers + [Sigmoid(size: problem.sampleSize)])
    }
}

/// Shared range checks for plugin configurations.
public enum ConfigurationCheck {
    /// Layer widths (or counts): at least one, each in 1...`Limits.maximumWidth`, at most
    /// `Limits.maximumLayers` of them.
    public static func positive(_ values: [Int], _ field: String, plugin: String,
                                maximum: Int = Limits.maximumWidth) throws(ConfigurationError) {
        let shown = values.count > 8 ? "\(values.count) values" : "\(values)"
        if values.isEmpty || values.count > Limits.maximumLayers {
            throw .invalid(plugin: plugin, reason: "\(field) must hold 1 to \(Limits.maximumLayers) sizes in 1...\(maximum), got \(shown)")
        }
        if values.contains(where: { $0 <= 0 || $0 > maximum }) {
            throw .invalid(plugin: plugin, reason: "\(field): each size must lie in 1...\(maximum), got \(shown)")
        }
    }

    /// Refuses a stack of layers of these widths (input, hidden..., output) when one of them
    /// would hold more than `Limits.maximumLayerParameters` parameters, or all of them more than
    /// `Limits.maximumNetworkParameters`: checked before the network is built, so nothing is
    /// allocated.
    public static func layers(_ widths: [Int], pieces: Int = 1, network: String, plugin: String) throws(ConfigurationError) {
        for (input, output) in zip(widths, widths.dropFirst())
        where Limits.product([input, output, pieces], limit: Limits.maximumLayerParameters) == nil {
            throw .invalid(plugin: plugin, reason: "the \(network)'s \(input) x \(output)\(pieces > 1 ? " x \(pieces)" : "") layer would hold "
                           + "more than \(Limits.maximumLayerParameters) parameters (the limit per layer)")
        }
        // Kernels and biases (batch norm's few per unit are far below the margin); each layer is
        // within the per-layer limit here, so the sum of at most 65 of them cannot overflow.
        let total = zip(widths, widths.dropFirst()).reduce(0) { $0 + ($1.0 + 1) * $1.1 * pieces }
        if total > Limits.maximumNetworkParameters {
            throw .invalid(plugin: plugin, reason: "the \(network)'s \(widths.count - 1) layers would hold \(total) parameters, "
                           + "more than \(Limits.maximumNetworkParameters) (the limit per network)")
        }
    }

    public static func probability(_ value: Float, _ field: String, plugin: String) throws(ConfigurationError) {
        guard value > 0, value <= 1 else { throw .invalid(plugin: plugin, reason: "\(field) must lie in (0, 1], got \(value)") }
    }

    /// A max-norm bound: nil (none), or in (0, `WeightConstraint.maximumColumnNorm`].
    public static func columnNorm(_ value: Float?, _ field: String, plugin: String) throws(ConfigurationError) {
        guard let value else { return }
        guard value > 0, value <= WeightConstraint.maximumColumnNorm else {
            throw .invalid(plugin: plugin, reason: "\(field) must lie in (0, \(WeightConstraint.maximumColumnNorm)], got \(value)")
        }
    }

    public static func slope(_ value: Float, _ field: String, plugin: String) throws(ConfigurationError) {
        guard value > 0, value < 1 else { throw .invalid(plugin: plugin, reason: "\(field) must lie in (0, 1), got \(value)") }
    }
}
