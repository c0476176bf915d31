import GANCore
import GANLayers
import GANTensor

/// Plain multilayer perceptrons for both networks, as in the seed implementation.
///
/// Generator: z -> [Dense -> activation] per hidden width -> Dense -> sigmoid (pixels in [0, 1]).
/// Discriminator: x -> [Dense -> activation -> dropout] per hidden width -> Dense -> one logit.
///
/// Defaults (G 100-512-784 leaky ReLU, D 784-256-1 leaky ReLU with dropout 0.5, output bias at
/// the data mean's logit) were chosen on digit 4 of the shipped subset: with a gray start and no
/// dropout the generator collapsed onto a single image within a few hundred steps.
public struct MLP: Architecture {
    public struct Configuration: Codable, Sendable, Equatable {
        /// Hidden layer widths of the generator, input side first.
        public var generatorHiddenSizes: [Int] = [512]
        /// Hidden layer widths of the discriminator, input side first.
        public var discriminatorHiddenSizes: [Int] = [256]
        public var generatorActivation: ActivationKind = .leakyReLU
        public var discriminatorActivation: ActivationKind = .leakyReLU
        /// Negative slope of any leaky ReLU.
        public var leakyReLUAlpha: Float = 0.2
        /// Kernel initialisation of every dense layer; biases start at zero.
        public var initializer: Initializer = .glorotUniform
        /// Keep probability of dropout after each hidden layer of the discriminator
        /// (1 = no dropout). Dropout regularises D on small data sets and delays mode collapse.
        public var discriminatorKeepProbability: Float = 0.5
        /// Start the generator's output bias at the logit of the data's per-pixel mean (as the
        /// paper's code does), so training begins from the mean image instead of flat gray.
        public var outputBiasFromDataMean = true

        /// pylearn2's `max_col_norm` on the generator's dense layers: after each update, each
        /// unit's incoming weight vector is scaled back to at most this norm. nil: no constraint.
        public var generatorMaxColumnNorm: Float?
        /// The same for the discriminator's dense (and maxout) layers.
        public var discriminatorMaxColumnNorm: Float?

        public init() {}
    }

    public static let name = "mlp"
    public static let summary = "plain MLP generator (leaky ReLU, sigmoid output) and discriminator (leaky ReLU, dropout, one logit)"
    public static let defaultConfiguration = Configuration()

    /// Conditional networks take the one-hot label appended to their input (the paper's form).
    public static let supportsCondition = true

    public let configuration: Configuration

    public init(configuration: Configuration) throws {
        try ConfigurationCheck.positive(configuration.generatorHiddenSizes, "generatorHiddenSizes", plugin: Self.name)
        try ConfigurationCheck.positive(configuration.discriminatorHiddenSizes, "discriminatorHiddenSizes", plugin: Self.name)
        try ConfigurationCheck.slope(configuration.leakyReLUAlpha, "leakyReLUAlpha", plugin: Self.name)
        try ConfigurationCheck.probability(configuration.discriminatorKeepProbability, "discriminatorKeepProbability", plugin: Self.name)
        try ConfigurationCheck.columnNorm(configuration.generatorMaxColumnNorm, "generatorMaxColumnNorm", plugin: Self.name)
        try ConfigurationCheck.columnNorm(configuration.discriminatorMaxColumnNorm, "discriminatorMaxColumnNorm", plugin: Self.name)
        self.configuration = configuration
    }

    public func checkSizes(for problem: Problem) throws(ConfigurationError) {
        try ConfigurationCheck.layers([problem.generatorInputSize] + configuration.generatorHiddenSizes + [problem.sampleSize],
                                      network: "generator", plugin: Self.name)
        try ConfigurationCheck.layers([problem.discriminatorInputSize] + configuration.discriminatorHiddenSizes + [1],
                                      network: "discriminator", plugin: Self.name)
    }

    public func makeGenerator(for problem: Problem, rng: inout RandomGenerator) -> Network {
        let stack = LayerStack(activation: configuration.generatorActivation,
                               leakyReLUAlpha: configuration.leakyReLUAlpha, initializer: configuration.initializer)
        let layers = stack.layers(input: problem.generatorInputSize, hidden: configuration.generatorHiddenSizes,
                                  output: problem.sampleSize, rng: &rng)
        return LayerStack.finishGenerator(LayerStack.limitColumnNorms(layers, configuration.generatorMaxColumnNorm), problem: problem,
                                          biasFromDataMean: configuration.outputBiasFromDataMean)
    }

    public func makeDiscriminator(for problem: Problem, rng: inout RandomGenerator) -> Network {
        let stack = LayerStack(activation: configuration.discriminatorActivation,
                               leakyReLUAlpha: configuration.leakyReLUAlpha, initializer: configuration.initializer,
                               hiddenKeepProbability: configuration.discriminatorKeepProbability)
        return Network(layers: LayerStack.limitColumnNorms(stack.layers(input: problem.discriminatorInputSize, hidden: configuration.discriminatorHiddenSizes,
                                            output: 1, rng: &rng), configuration.discriminatorMaxColumnNorm))
    }
}
