import GANCore
import GANLayers
import GANTensor

/// The paper's MNIST model, as its released code configured it.
///
/// Generator: z (uniform in [-sqrt 3, sqrt 3]) -> ReLU 1200 -> ReLU 1200 -> sigmoid 784, weights
/// uniform in [-0.05, 0.05], output bias at the logit of the per-pixel data mean (clipped to
/// [1e-7, 1 - 1e-7]). Discriminator: dropout(keep 0.8) -> maxout 240 x 5 -> dropout(0.5) ->
/// maxout 240 x 5 -> dropout(0.5) -> one logit, weights uniform in [-0.005, 0.005]. Dropout is
/// inverted (kept units scaled by 1.25 and 2.0) and active in training passes only.
public struct MaxoutDropout: Architecture {
    public struct Configuration: Codable, Sendable, Equatable {
        public var generatorHiddenSizes: [Int] = [1200, 1200]
        public var generatorActivation: ActivationKind = .relu
        /// Generator weights uniform in [-scale, scale].
        public var generatorInitScale: Float = 0.05
        /// Maxout units of each discriminator hidden layer.
        public var discriminatorUnits: [Int] = [240, 240]
        public var discriminatorPieces: Int = 5
        /// Discriminator weights uniform in [-scale, scale].
        public var discriminatorInitScale: Float = 0.005
        /// Dropout keep probability on the discriminator's input.
        public var inputKeepProbability: Float = 0.8
        /// Dropout keep probability on each maxout layer's output.
        public var hiddenKeepProbability: Float = 0.5
        public var outputBiasFromDataMean = true

        /// pylearn2's `max_col_norm` on the generator's dense layers: after each update, each
        /// unit's incoming weight vector is scaled back to at most this norm. nil: no constraint.
        public var generatorMaxColumnNorm: Float?
        /// The same for the discriminator's dense (and maxout) layers.
        public var discriminatorMaxColumnNorm: Float?

        public init() {}
    }

    public static let name = "maxout-dropout"
    public static let summary = "the paper's MNIST model: ReLU/sigmoid generator, maxout + dropout discriminator"
    public static let defaultConfiguration = Configuration()
    /// The released code's training: batch 100, SGD 0.1 divided by 1.000004 per step (floor
    /// 1e-6), momentum 0.5 rising to 0.7 by epoch 250, both updates from the same pass, D's
    /// objective the average of its halves, noise uniform in [-sqrt 3, sqrt 3] (unit variance).
    public static let referenceSettings = ReferenceSettings(
        optimizer: OptimizerConfiguration(kind: .sgd, learningRate: 0.1, momentum: 0.5, schedule: .paper),
        batchSize: 100, mode: .simultaneous, discriminatorObjective: .average,
        noise: NoisePrior(kind: .uniform, scale: Float(3).squareRoot()),
        reason: "the paper's released MNIST code (pylearn2 mnist.yaml, AdversaryCost2)")

    /// Conditional networks take the one-hot label appended to their input (the paper's form);
    /// the discriminator's input dropout drops label entries as it drops pixels.
    public static let supportsCondition = true

    public let configuration: Configuration

    public init(configuration: Configuration) throws {
        try ConfigurationCheck.positive(configuration.generatorHiddenSizes, "generatorHiddenSizes", plugin: Self.name)
        try ConfigurationCheck.positive(configuration.discriminatorUnits, "discriminatorUnits", plugin: Self.name)
        try ConfigurationCheck.positive([configuration.discriminatorPieces], "discriminatorPieces", plugin: Self.name,
                                        maximum: Limits.maximumPieces)
        try ConfigurationCheck.probability(configuration.inputKeepProbability, "inputKeepProbability", plugin: Self.name)
        try ConfigurationCheck.probability(configuration.hiddenKeepProbability, "hiddenKeepProbability", plugin: Self.name)
        for (field, scale) in [("generatorInitScale", configuration.generatorInitScale),
                               ("discriminatorInitScale", configuration.discriminatorInitScale)] where !(scale > 0) {
            throw ConfigurationError.invalid(plugin: Self.name, reason: "\(field) must be positive, got \(scale)")
        }
        try ConfigurationCheck.columnNorm(configuration.generatorMaxColumnNorm, "generatorMaxColumnNorm", plugin: Self.name)
        try ConfigurationCheck.columnNorm(configuration.discriminatorMaxColumnNorm, "discriminatorMaxColumnNorm", plugin: Self.name)
        self.configuration = configuration
    }

    public func checkSizes(for problem: Problem) throws(ConfigurationError) {
        try ConfigurationCheck.layers([problem.generatorInputSize] + configuration.generatorHiddenSizes + [problem.sampleSize],
                                      network: "generator", plugin: Self.name)
        try ConfigurationCheck.layers([problem.discriminatorInputSize] + configuration.discriminatorUnits + [1],
                                      pieces: configuration.discriminatorPieces, network: "discriminator", plugin: Self.name)
    }

    public func makeGenerator(for problem: Problem, rng: inout RandomGenerator) -> Network {
        let stack = LayerStack(activation: configuration.generatorActivation,
                               initializer: .uniform(scale: configuration.generatorInitScale))
        let layers = stack.layers(input: problem.generatorInputSize, hidden: configuration.generatorHiddenSizes,
                                  output: problem.sampleSize, rng: &rng)
        return LayerStack.finishGenerator(LayerStack.limitColumnNorms(layers, configuration.generatorMaxColumnNorm), problem: problem,
                                          biasFromDataMean: configuration.outputBiasFromDataMean)
    }

    public func makeDiscriminator(for problem: Problem, rng: inout RandomGenerator) -> Network {
        let initializer = Initializer.uniform(scale: configuration.discriminatorInitScale)
        var layers: [any Layer] = []
        var width = problem.discriminatorInputSize
        var keep = configuration.inputKeepProbability
        for units in configuration.discriminatorUnits {
            if keep < 1 { layers.append(LayerStack.dropout(width, keep, &rng)) }
            let maxout = Maxout(inputSize: width, units: units, pieces: configuration.discriminatorPieces)
            initializer.fill(maxout.kernel.value, fanIn: width, fanOut: units * configuration.discriminatorPieces, rng: &rng)
            layers.append(maxout)
            width = units
            keep = configuration.hiddenKeepProbability
        }
        if keep < 1 { layers.append(LayerStack.dropout(width, keep, &rng)) }
        layers.append(LayerStack.dense(width, 1, initializer, &rng))
        return Network(layers: LayerStack.limitColumnNorms(layers, configuration.discriminatorMaxColumnNorm))
    }
}
