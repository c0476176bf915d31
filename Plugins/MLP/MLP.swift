import GANCore
import GANLayers
import GANTensor

/// Plain multilayer perceptrons for both networks, as in the seed implementation.
///
/// Generator: z -> [Dense -> activation] per hidden size -> Dense -> sigmoid (pixels in [0, 1]).
/// Discriminator: x -> [Dense -> activation -> dropout] per hidden size -> Dense -> one logit.
///
/// Defaults (G 100-512-784 leaky ReLU, D 784-256-1 leaky ReLU with dropout 0.5, output bias at
/// the data mean's logit) were chosen on digit 4 of the shipped subset: with a gray start and no
/// dropout the generator collapsed onto a single image within a few hundred steps.
public struct MLP: Architecture {
    public struct Configuration: Codable, Sendable, Equatable {
        /// Hidden layer widths of the generator, input side first.
        public var generatorHiddenSizes: [Int]
        /// Hidden layer widths of the discriminator, input side first.
        public var discriminatorHiddenSizes: [Int]
        public var generatorActivation: ActivationKind
        public var discriminatorActivation: ActivationKind
        /// Negative slope of any leaky ReLU.
        public var leakyReLUAlpha: Float
        /// Kernel initialisation of every dense layer; biases start at zero.
        public var initializer: Initializer
        /// Keep probability of dropout after each hidden layer of the discriminator
        /// (1 = no dropout). Dropout regularises D on small data sets and delays mode collapse.
        public var discriminatorKeepProbability: Float
        /// Start the generator's output bias at the logit of the data's per-pixel mean (as the
        /// paper's code does), so training begins from the mean image instead of flat gray.
        public var outputBiasFromDataMean: Bool

        public init(generatorHiddenSizes: [Int] = [512], discriminatorHiddenSizes: [Int] = [256],
                    generatorActivation: ActivationKind = .leakyReLU,
                    discriminatorActivation: ActivationKind = .leakyReLU,
                    leakyReLUAlpha: Float = 0.2, initializer: Initializer = .glorotUniform,
                    discriminatorKeepProbability: Float = 0.5, outputBiasFromDataMean: Bool = true) {
            self.generatorHiddenSizes = generatorHiddenSizes
            self.discriminatorHiddenSizes = discriminatorHiddenSizes
            self.generatorActivation = generatorActivation
            self.discriminatorActivation = discriminatorActivation
            self.leakyReLUAlpha = leakyReLUAlpha
            self.initializer = initializer
            self.discriminatorKeepProbability = discriminatorKeepProbability
            self.outputBiasFromDataMean = outputBiasFromDataMean
        }
    }

    public static let name = "mlp"
    public static let summary = "plain MLP generator (leaky ReLU, sigmoid output) and discriminator (leaky ReLU, dropout, one logit)"
    public static let defaultConfiguration = Configuration()

    public let configuration: Configuration
    public init(configuration: Configuration) throws {
        let widths = configuration.generatorHiddenSizes + configuration.discriminatorHiddenSizes
        if let bad = widths.first(where: { $0 <= 0 }) {
            throw ConfigurationError.invalid(plugin: Self.name, reason: "hidden sizes must be positive, got \(bad)")
        }
        guard configuration.leakyReLUAlpha > 0, configuration.leakyReLUAlpha < 1 else {
            throw ConfigurationError.invalid(
                plugin: Self.name, reason: "leakyReLUAlpha must lie in (0, 1), got \(configuration.leakyReLUAlpha)")
        }
        guard configuration.discriminatorKeepProbability > 0, configuration.discriminatorKeepProbability <= 1 else {
            throw ConfigurationError.invalid(
                plugin: Self.name,
                reason: "discriminatorKeepProbability must lie in (0, 1], got \(configuration.discriminatorKeepProbability)")
        }
        self.configuration = configuration
    }

    public func makeGenerator(for problem: Problem, rng: inout RandomGenerator) -> Network {
        var layers = stack(input: problem.latentSize, hidden: configuration.generatorHiddenSizes,
                           activation: configuration.generatorActivation,
                           output: problem.sampleSize, keepProbability: 1, rng: &rng)
        if configuration.outputBiasFromDataMean, let output = layers.last as? Dense {
            output.bias.value.copy(from: problem.meanLogits())
        }
        layers.append(Sigmoid(size: problem.sampleSize))
        return Network(layers: layers)
    }

    public func makeDiscriminator(for problem: Problem, rng: inout RandomGenerator) -> Network {
        Network(layers: stack(input: problem.sampleSize, hidden: configuration.discriminatorHiddenSizes,
                              activation: configuration.discriminatorActivation, output: 1,
                              keepProbability: configuration.discriminatorKeepProbability, rng: &rng))
    }

    private func stack(input: Int, hidden: [Int], activation: ActivationKind, output: Int,
                       keepProbability: Float, rng: inout RandomGenerator) -> [any Layer] {
        var layers: [any Layer] = []
        var width = input
        for size in hidden {
            layers.append(dense(width, size, rng: &rng))
            layers.append(activation.makeLayer(size: size, alpha: configuration.leakyReLUAlpha))
            if keepProbability < 1 {
                layers.append(Dropout(size: size, keepProbability: keepProbability,
                                      rng: RandomGenerator(seed: rng.next())))
            }
            width = size
        }
        layers.append(dense(width, output, rng: &rng))
        return layers
    }

    private func dense(_ input: Int, _ output: Int, rng: inout RandomGenerator) -> Dense {
        let layer = Dense(inputSize: input, outputSize: output)
        configuration.initializer.fill(layer.kernel.value, fanIn: input, fanOut: output, rng: &rng)
        return layer
    }
}
