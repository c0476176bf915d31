import GANCore
import GANLayers
import GANTensor

/// DCGAN (Radford, Metz & Chintala 2015) for single-channel images, sized for a small CPU.
///
/// Generator: z -> Dense -> Reshape [h/4, w/4, C0] -> BatchNorm2D -> ReLU -> ConvTranspose 4x4
/// stride 2 (C1 channels, h/2 x w/2) -> BatchNorm2D -> ReLU -> ConvTranspose 4x4 stride 2 (one
/// channel, h x w) -> sigmoid (the data lie in [0, 1]). Discriminator: Conv 4x4 stride 2 (D0)
/// -> leaky ReLU -> Conv 4x4 stride 2 (D1) -> BatchNorm2D -> leaky ReLU [-> Conv 4x4 stride 2
/// (D2) -> BatchNorm2D -> leaky ReLU] -> Flatten -> Dense(1), one logit: two or three strided
/// convolutions, one per entry of `discriminatorChannels`. Padding 1 everywhere, so each step
/// halves or doubles a side; an odd side gets its last row back through the transposed
/// convolution's output padding (28 -> 14 -> 7, 6 -> 3 -> 1), and the discriminator's third
/// convolution floors it (7 -> 3). Kernels are N(0, 0.02), biases 0, batch normalisation gamma
/// 1 and beta 0.
///
/// Why a third convolution: two 4x4 stride-2 convolutions see 10x10 patches, and the dense
/// logit only adds them up linearly, so the discriminator cannot judge a digit's whole shape
/// (a stroke broken in the middle, two digits half drawn); the third sees 22x22.
public struct DCGAN: Architecture {
    public struct Configuration: Codable, Sendable, Equatable {
        /// The generator's channels at a quarter and at half the image side (C0, C1).
        public var generatorChannels: [Int] = [64, 32]
        /// The discriminator's channels at half, a quarter [and an eighth] of the image side
        /// (D0, D1 [, D2]): two or three strided convolutions. Three by default: on the full MNIST
        /// they took the Fréchet distance after 10 epochs from 55.7 to 19.5 (same generator).
        public var discriminatorChannels: [Int] = [32, 64, 128]
        public var leakyReLUAlpha: Float = 0.2
        /// Standard deviation of the N(0, std^2) kernels.
        public var initStd: Float = 0.02
        /// PyTorch's BatchNorm2d defaults (epsilon 1e-5, momentum 0.1, which is 0.9 here).
        public var batchNormEpsilon: Float = 1e-5
        public var batchNormMomentum: Float = 0.9
        /// Start the output layer's bias at the logit of the data's mean pixel.
        public var outputBiasFromDataMean = true

        public init() {}
    }

    public static let name = "dcgan"
    public static let summary = "DCGAN: dense + transposed convolutions with batch norm (G), strided convolutions with leaky ReLU (D)"
    public static let defaultConfiguration = Configuration()
    /// The DCGAN paper's training: Adam 2e-4 with beta1 0.5, batch 64 (and N(0, 0.02)
    /// initialisation, which the configuration's `initStd` carries); noise uniform in [-1, 1].
    public static let referenceSettings = ReferenceSettings(
        optimizer: OptimizerConfiguration(kind: .adam, learningRate: 0.0002, beta1: 0.5),
        batchSize: 64, noise: NoisePrior(kind: .uniform, scale: 1),
        reason: "the DCGAN paper (Radford et al. 2015), section 4")

    public let configuration: Configuration

    private static let window = Window(size: 4, stride: 2, padding: 1)

    public init(configuration: Configuration) throws {
        guard configuration.generatorChannels.count == 2 else {
            throw ConfigurationError.invalid(plugin: Self.name,
                                             reason: "generatorChannels must hold 2 channel counts, got \(configuration.generatorChannels.count)")
        }
        guard (2...3).contains(configuration.discriminatorChannels.count) else {
            throw ConfigurationError.invalid(plugin: Self.name, reason: "discriminatorChannels must hold 2 or 3 channel counts "
                                             + "(one per strided convolution), got \(configuration.discriminatorChannels.count)")
        }
        for (field, channels) in [("generatorChannels", configuration.generatorChannels),
                                  ("discriminatorChannels", configuration.discriminatorChannels)] {
            try ConfigurationCheck.positive(channels, field, plugin: Self.name, maximum: 4096)
        }
        try ConfigurationCheck.slope(configuration.leakyReLUAlpha, "leakyReLUAlpha", plugin: Self.name)
        guard configuration.initStd > 0, configuration.initStd <= 1 else {
            throw ConfigurationError.invalid(plugin: Self.name, reason: "initStd must lie in (0, 1], got \(configuration.initStd)")
        }
        guard configuration.batchNormEpsilon > 0, configuration.batchNormEpsilon < 0.1 else {
            throw ConfigurationError.invalid(plugin: Self.name, reason: "batchNormEpsilon must lie in (0, 0.1), got \(configuration.batchNormEpsilon)")
        }
        guard configuration.batchNormMomentum >= 0, configuration.batchNormMomentum < 1 else {
            throw ConfigurationError.invalid(plugin: Self.name, reason: "batchNormMomentum must lie in [0, 1), got \(configuration.batchNormMomentum)")
        }
        self.configuration = configuration
    }

    /// The image sides of the three resolutions (full, half, quarter) and the output paddings
    /// that bring a doubled side back to an odd one.
    struct Geometry {
        let image: ImageShape
        let half: (height: Int, width: Int)
        let quarter: (height: Int, width: Int)
        /// Output padding of the quarter -> half and the half -> full transposed convolution.
        let paddings: (Int, Int)
    }

    /// [h, w] or [1, h, w]: one channel, both sides at least 4, and height and width halving
    /// alike (the same output padding serves both).
    static func geometry(_ problem: Problem) throws(ConfigurationError) -> Geometry {
        let shape = problem.sampleShape
        let sides: [Int]
        switch shape.count {
        case 2: sides = shape
        case 3 where shape[0] == 1: sides = Array(shape.dropFirst())
        default:
            throw .invalid(plugin: name, reason: "it builds single-channel images: sampleShape must be [height, width] "
                           + "or [1, height, width], got \(shape)")
        }
        let (h, w) = (sides[0], sides[1])
        guard h >= 4, w >= 4, h % 2 == w % 2, (h / 2) % 2 == (w / 2) % 2 else {
            throw .invalid(plugin: name, reason: "sampleShape \(shape): height and width must be at least 4 and halve alike "
                           + "(the same parity at full and half size), e.g. [28, 28]")
        }
        return Geometry(image: ImageShape(height: h, width: w, channels: 1), half: (h / 2, w / 2), quarter: (h / 4, w / 4),
                        paddings: ((h / 2) % 2, h % 2))
    }

    /// The discriminator's image after each strided convolution, or nil when one no longer fits.
    func discriminatorShapes(_ g: Geometry) -> [ImageShape]? {
        var shapes: [ImageShape] = []
        var shape = g.image
        for channels in configuration.discriminatorChannels {
            guard let side = Self.window.outputSide(over: shape), side.height > 0, side.width > 0 else { return nil }
            shape = ImageShape(height: side.height, width: side.width, channels: channels)
            shapes.append(shape)
        }
        return shapes
    }

    public func checkSizes(for problem: Problem) throws(ConfigurationError) {
        let g = try Self.geometry(problem)
        let (c0, c1) = (configuration.generatorChannels[0], configuration.generatorChannels[1])
        guard let shapes = discriminatorShapes(g), let last = shapes.last else {
            throw .invalid(plugin: Self.name, reason: "sampleShape \(problem.sampleShape) is too small for "
                           + "\(configuration.discriminatorChannels.count) strided convolutions (each halves the side; "
                           + "three need a side of at least 8)")
        }
        let quarter = g.quarter.height * g.quarter.width
        var discriminatorKernels: [[Int]] = []
        var channels = 1
        for shape in shapes {
            discriminatorKernels.append([16, channels, shape.channels])
            channels = shape.channels
        }
        discriminatorKernels.append([last.height * last.width, last.channels, 1])
        // Kernel sizes of each network's layers (biases and batch norm add far less than the margin).
        for (network, kernels) in [("generator", [[problem.latentSize, quarter, c0], [16, c0, c1], [16, c1, 1]]),
                                   ("discriminator", discriminatorKernels)] {
            var total = 0
            for kernel in kernels {
                guard let count = Limits.product(kernel, limit: Limits.maximumLayerParameters) else {
                    throw .invalid(plugin: Self.name, reason: "a \(network) layer of \(kernel.map(String.init).joined(separator: " x ")) "
                                   + "weights would hold more than \(Limits.maximumLayerParameters) parameters (the limit per layer)")
                }
                total += count
            }
            if total > Limits.maximumNetworkParameters {
                throw .invalid(plugin: Self.name, reason: "the \(network) would hold \(total) parameters, "
                               + "more than \(Limits.maximumNetworkParameters) (the limit per network)")
            }
        }
    }

    private func normal(_ kernel: Tensor, _ rng: inout RandomGenerator) {
        Initializer.normal(std: configuration.initStd).fill(kernel, fanIn: 1, fanOut: 1, rng: &rng)
    }

    private func batchNorm(_ shape: ImageShape) -> BatchNormalization2D {
        BatchNormalization2D(shape: shape, epsilon: configuration.batchNormEpsilon, momentum: configuration.batchNormMomentum)
    }

    /// Call `checkSizes` first: the problem's shape is known to fit.
    public func makeGenerator(for problem: Problem, rng: inout RandomGenerator) -> Network {
        guard let g = try? Self.geometry(problem) else { preconditionFailure("dcgan: checkSizes was not called for \(problem.sampleShape)") }
        let start = ImageShape(height: g.quarter.height, width: g.quarter.width, channels: configuration.generatorChannels[0])
        let dense = Dense(inputSize: problem.latentSize, outputSize: start.size)
        normal(dense.kernel.value, &rng)
        let up1 = TransposedConv2D(input: start, filters: configuration.generatorChannels[1], window: Self.window, outputPadding: g.paddings.0)
        normal(up1.kernel.value, &rng)
        let up2 = TransposedConv2D(input: up1.outputShape, filters: 1, window: Self.window, outputPadding: g.paddings.1)
        normal(up2.kernel.value, &rng)
        if configuration.outputBiasFromDataMean, let mean = problem.pixelMean, !mean.isEmpty {
            let average = min(max(mean.reduce(0, +) / Float(mean.count), 1e-4), 1 - 1e-4)
            up2.bias.value.fill(logFloat(average / (1 - average)))
        }
        return Network(layers: [
            dense, Reshape(output: start), batchNorm(start), ReLU(size: start.size),
            up1, batchNorm(up1.outputShape), ReLU(size: up1.outputSize),
            up2, Sigmoid(size: up2.outputSize),
        ])
    }

    public func makeDiscriminator(for problem: Problem, rng: inout RandomGenerator) -> Network {
        guard let g = try? Self.geometry(problem), let shapes = discriminatorShapes(g), let last = shapes.last else {
            preconditionFailure("dcgan: checkSizes was not called for \(problem.sampleShape)")
        }
        let alpha = configuration.leakyReLUAlpha
        var layers: [any Layer] = []
        var input = g.image
        for (index, shape) in shapes.enumerated() {
            let conv = Conv2D(input: input, filters: shape.channels, window: Self.window)
            normal(conv.kernel.value, &rng)
            layers.append(conv)
            if index > 0 { layers.append(batchNorm(shape)) }
            layers.append(LeakyReLU(size: shape.size, alpha: alpha))
            input = shape
        }
        let logit = Dense(inputSize: last.size, outputSize: 1)
        normal(logit.kernel.value, &rng)
        return Network(layers: layers + [Flatten(input: last), logit])
    }
}
