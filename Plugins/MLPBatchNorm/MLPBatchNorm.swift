import GANCore
import GANLayers
import GANTensor

/// The MLP with batch normalisation after each hidden dense layer of the generator, and
/// optionally of the discriminator.
///
/// Generator: z -> [Dense -> BatchNorm -> activation] per hidden width -> Dense -> sigmoid.
/// Discriminator: x -> [Dense -> (BatchNorm) -> activation -> dropout] per hidden width -> Dense.
///
/// Batch normalisation (see `BatchNormalization`): training passes use batch statistics;
/// running statistics move as `moving = momentum * moving + (1 - momentum) * batch` only in
/// the pass that trains that network (the generator's own step; the discriminator's own step,
/// where real and generated halves are normalised separately). Sampling and evaluation use the
/// running statistics.
public struct MLPBatchNorm: Architecture {
    public struct Configuration: Codable, Sendable, Equatable {
        public var generatorHiddenSizes: [Int] = [256, 512]
        public var discriminatorHiddenSizes: [Int] = [256]
        public var generatorActivation: ActivationKind = .leakyReLU
        public var discriminatorActivation: ActivationKind = .leakyReLU
        public var leakyReLUAlpha: Float = 0.2
        public var initializer: Initializer = .glorotUniform
        /// Normalise the discriminator's hidden layers too (off by default, as in DCGAN's
        /// discriminator input layer and most MLP GANs).
        public var discriminatorBatchNormalization = false
        /// Added to the batch variance before the square root (Keras's default).
        public var batchNormEpsilon: Float = 1e-3
        /// Weight of the old running statistics in each update (Keras's convention; PyTorch's
        /// `momentum=0.1` is 0.9 here).
        public var batchNormMomentum: Float = 0.99
        public var discriminatorKeepProbability: Float = 0.5
        public var outputBiasFromDataMean = true

        /// pylearn2's `max_col_norm` on the generator's dense layers: after each update, each
        /// unit's incoming weight vector is scaled back to at most this norm. nil: no constraint.
        public var generatorMaxColumnNorm: Float?
        /// The same for the discriminator's dense (and maxout) layers.
        public var discriminatorMaxColumnNorm: Float?

        public init() {}
    }

    public static let name = "mlp-batchnorm"
    public static let summary = "MLP with batch normalization after each hidden layer of the generator (and optionally the discriminator)"
    public static let defaultConfiguration = Configuration()

    /// Conditional networks take the one-hot label appended to their input (the paper's form).
    public static let supportsCondition = true

    public let configuration: Configuration

    public init(configuration: Configuration) throws {
        try ConfigurationCheck.positive(configuration.generatorHiddenSizes, "generatorHiddenSizes", plugin: Self.name)
        try ConfigurationCheck.positive(configuration.discriminatorHiddenSizes, "discriminatorHiddenSizes", plugin: Self.name)
        try ConfigurationCheck.slope(configuration.leakyReLUAlpha, "leakyReLUAlpha", plugin: Self.name)
        try ConfigurationCheck.probability(configuration.discriminatorKeepProbability, "discriminatorKeepProbability", plugin: Self.name)
        guard configuration.batchNormEpsilon > 0, configuration.batchNormEpsilon < 0.1 else {
            throw ConfigurationError.invalid(plugin: Self.name, reason: "batchNormEpsilon must lie in (0, 0.1), got \(configuration.batchNormEpsilon)")
        }
        guard configuration.batchNormMomentum >= 0, configuration.batchNormMomentum < 1 else {
            throw ConfigurationError.invalid(plugin: Self.name, reason: "batchNormMomentum must lie in [0, 1), got \(configuration.batchNormMomentum)")
        }
        try ConfigurationCheck.columnNorm(configuration.generatorMaxColumnNorm, "generatorMaxColumnNorm", plugin: Self.name)
        try ConfigurationCheck.columnNorm(configuration.discriminatorMaxColumnNorm, "discriminatorMaxColumnNorm", plugin: Self.name)
        self.configuration = configuration
    }

    private var normalization: LayerStack.Normalization {
        .init(epsilon: configuration.batchNormEpsilon, momentum: configuration.batchNormMomentum)
    }

    public func checkSizes(for problem: Problem) throws(ConfigurationError) {
        try ConfigurationCheck.layers([problem.generatorInputSize] + configuration.generatorHiddenSizes + [problem.sampleSize],
                                      network: "generator", plugin: Self.name)
        try ConfigurationCheck.layers([problem.discriminatorInputSize] + configuration.discriminatorHiddenSizes + [1],
                                      network: "discriminator", plugin: Self.name)
    }

    public func makeGenerator(for problem: Problem, rng: inout RandomGenerator) -> Network {
        let stack = LayerStack(activation: configuration.generatorActivation, leakyReLUAlpha: configuration.leakyReLUAlpha,
                               initializer: configuration.initializer, normalization: normalization)
        let layers = stack.layers(input: problem.generatorInputSize, hidden: configuration.generatorHiddenSizes,
                                  output: problem.sampleSize, rng: &rng)
        return LayerStack.finishGenerator(LayerStack.limitColumnNorms(layers, configuration.generatorMaxColumnNorm), problem: problem,
                                          biasFromDataMean: configuration.outputBiasFromDataMean)
    }

    public func makeDiscriminator(for problem: Problem, rng: inout RandomGenerator) -> Network {
        let stack = LayerStack(activation: configuration.discriminatorActivation, leakyReLUAlpha: configuration.leakyReLUAlpha,
                               initializer: configuration.initializer,
                               normalization: configuration.discriminatorBatchNormalization ? normalization : nil,
                               hiddenKeepProbability: configuration.discriminatorKeepProbability)
        return Network(layers: LayerStack.limitColumnNorms(stack.layers(input: problem.discriminatorInputSize, hidden: configuration.discriminatorHiddenSizes,
                                            output: 1, rng: &rng), configuration.discriminatorMaxColumnNorm))
    }
}
