import GANCore
import GANLayers
import GANTensor
import GANZoo
import Testing

/// The `dcgan` discriminator's depth: two or three strided convolutions, each image side checked
/// before a layer is built. (Everything else about the plugin is the conformance suite's.)
@Suite("DCGAN discriminator depth")
struct DCGANDiscriminatorTests {
    static func architecture(_ json: String) throws -> AnyArchitecture {
        try Registry.architecture(named: "dcgan").make(configurationJSON: json)
    }

    static func convolutions(_ network: Network) -> [ImageShape] {
        network.layers.compactMap { ($0 as? Conv2D)?.outputShape }
    }

    @Test func threeConvolutionsHalveTheSideAndFeedOneLogit() throws {
        let architecture = try Self.architecture(#"{"generatorChannels":[4,3],"discriminatorChannels":[3,5,7]}"#)
        let problem = Problem(sampleShape: [28, 28], latentSize: 4)
        try architecture.checkSizes(for: problem)
        var rng = RandomGenerator(seed: 1)
        let discriminator = architecture.makeDiscriminator(for: problem, rng: &rng)
        #expect(Self.convolutions(discriminator) == [ImageShape(height: 14, width: 14, channels: 3),
                                                     ImageShape(height: 7, width: 7, channels: 5),
                                                     ImageShape(height: 3, width: 3, channels: 7)])
        // Batch normalisation after every convolution but the first.
        #expect(discriminator.layers.filter { $0 is BatchNormalization2D }.count == 2)
        #expect(discriminator.inputSize == 784 && discriminator.outputSize == 1)
        #expect((discriminator.layers.last as? Dense)?.inputSize == 3 * 3 * 7)
    }

    /// Two convolutions build the layers the zoo's earlier files hold, in the same order.
    @Test func twoConvolutionsKeepTheEarlierLayout() throws {
        let architecture = try Self.architecture(#"{"discriminatorChannels":[3,5]}"#)
        var rng = RandomGenerator(seed: 1)
        let discriminator = architecture.makeDiscriminator(for: Problem(sampleShape: [28, 28], latentSize: 4), rng: &rng)
        #expect(discriminator.layers.map(\.kind) == ["conv2d", "leaky_relu", "conv2d", "batch_normalization2d", "leaky_relu",
                                                     "flatten", "dense"])
    }

    @Test func depthAndImageSizeAreChecked() throws {
        for channels in ["[4]", "[3,4,5,6]"] {
            #expect(throws: ConfigurationError.self) { try Self.architecture("{\"discriminatorChannels\":\(channels)}") }
        }
        // 6 -> 3 -> 1 -> nothing: three halvings need a side of at least 8.
        let three = try Self.architecture(#"{"discriminatorChannels":[3,4,5]}"#)
        #expect(throws: ConfigurationError.self) { try three.checkSizes(for: Problem(sampleShape: [6, 6], latentSize: 4)) }
        try three.checkSizes(for: Problem(sampleShape: [8, 8], latentSize: 4))
        try Self.architecture(#"{"discriminatorChannels":[3,4]}"#).checkSizes(for: Problem(sampleShape: [6, 6], latentSize: 4))
    }
}
