import GANCore
import GANLayers
import GANTensor

/// Plain multilayer perceptrons for both networks, as in the seed implementation.
///
/// Generator: z -> [Dense -> activation] per hidden size -> Dense -> sigmoid (pixels in [0, 1]).
/// Discriminator: x -> [Dense -> activation] per hidden size -> Dense -> one logit.
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

        public init(generatorHiddenSizes: [Int] = [256], discriminatorHiddenSizes: [Int] = [256],
                    generatorActivation: ActivationKind = .relu,
                    discriminatorActivation: ActivationKind = .leakyReLU,
                    leakyReLUAlpha: Float = 0.2, initializer: Initializer = .glorotUniform) {
            self.generatorHiddenSizes = generatorHiddenSizes
            self.discriminatorHiddenSizes = discriminatorHiddenSizes
            self.generatorActivation = generatorActivation
            self.discriminatorActivation = discriminatorActivation
            self.leakyReLUAlpha = leakyReLUAlpha
            self.initializer = initializer
        }
    }

    public static let name = "mlp"
    public static let summary = "plain MLP generator (ReLU, sigmoid output) and discriminator (leaky ReLU, one logit)"
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
        self.configuration = configuration
    }

    public func makeGenerator(for problem: Problem, rng: inout RandomGenerator) -> Network {
        var layers = stack(input: problem.latentSize, hidden: configuration.generatorHiddenSizes,
                           activation: configuration.generatorActivation,
                           output: problem.sampleSize, rng: &rng)
        layers.append(Sigmoid(size: problem.sampleSize))
        return Network(layers: layers)
    }

    public func makeDiscriminator(for problem: Problem, rng: inout RandomGenerator) -> Network {
        Network(layers: stack(input: problem.sampleSize, hidden: configuration.discriminatorHiddenSizes,
                              activation: configuration.discriminatorActivation, output: 1, rng: &rng))
    }

    private func stack(input: Int, hidden: [Int], activation: ActivationKind, output: Int,
                       rng: inout RandomGenerator) -> [any Layer] {
        var layers: [any Layer] = []
        var width = input
        for size in hidden {
            layers.append(dense(width, size, rng: &rng))
            layers.append(activation.makeLayer(size: size, alpha: configuration.leakyReLUAlpha))
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
