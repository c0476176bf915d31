import Foundation
import GANCore
import GANData
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

/// Files whose recipe left a plugin field to the default of its day (the `training` attribute
/// keeps only what was set) load and resume as the networks they store after that default
/// changed: dcgan's `discriminatorChannels` went from [32, 64] to [32, 64, 128].
@Suite("Files written under older plugin defaults")
struct OlderDefaultsTests {
    @Test func aRecipeWithoutAFieldMeansTheFilesOwnConfiguration() throws {
        let folder = try Hostile.workspace()
        let (configuration, seed) = try Hostile.tinyDCGANFile(in: folder)
        // The recipe as a file from before the change holds it: no discriminatorChannels.
        var older = configuration
        older.architectureConfiguration = try JSONValue(parsing: #"{"generatorChannels":[4,3]}"#)
        let path = try Hostile.make("set-raw-json", "training:" + ConfigurationCoding.encode(older), from: seed, to: folder + "/older.h5")
        let contents = try ModelFile.load(path)
        #expect(DCGANDiscriminatorTests.convolutions(contents.model.discriminator).map(\.channels) == [3, 4])
        let resumed = try TrainingSession.resume(from: path, epochs: 2)
        #expect(DCGANDiscriminatorTests.convolutions(resumed.model.discriminator).map(\.channels) == [3, 4])
        // A field the recipe does state is still checked against the file.
        var edited = configuration
        edited.architectureConfiguration = try JSONValue(parsing: #"{"generatorChannels":[4,3],"discriminatorChannels":[3,5]}"#)
        let bad = try Hostile.make("set-raw-json", "training:" + ConfigurationCoding.encode(edited), from: seed, to: folder + "/edited.h5")
        // ... and the message shows where they part (an excerpt of each whole cut off there).
        #expect { try ModelFile.load(bad) } throws: { "\($0)".contains("discriminatorChannels: recipe [3,5], file [3,4]") }
    }
}

@Suite("Batch buffer accounting")
struct BatchBufferTests {
    /// What a batch row costs is known before anything is allocated: inputs, outputs and each
    /// layer's own per-row state (here the convolution's patch matrix and its gradient, and
    /// batch normalisation's x-hat).
    @Test func floatsPerRowCountEveryBuffer() {
        let image = ImageShape(height: 4, width: 4, channels: 2)
        let conv = Conv2D(input: image, filters: 3, window: Window(size: 3, padding: 1))
        let norm = BatchNormalization2D(shape: conv.outputShape)
        let network = Network(layers: [conv, norm])
        // conv: input 32, output 48, patches 2 x 16 pixels x 18; norm: 48 in, 48 out, 48 x-hat.
        #expect(network.floatsPerRow == (32 + 48 + 2 * 16 * 18) + (48 + 48 + 48))
        #expect(network.rows(within: 800 * 4 * 10) == 10 && network.rows(within: 1) == 1)
    }
}

extension OlderDefaultsTests {
    /// `--resume` with the original command's `--arch-config` but not its `--arch`: the settings
    /// are the checkpoint's plugin's (they were checked against the default plugin, mlp, which
    /// has no `discriminatorChannels`).
    @Test func resumeReadsPluginSettingsAsTheCheckpointsPlugin() throws {
        let folder = Support.temporaryFolder()
        let binary = try #require(Support.ganBinary)
        let config = #"{"generatorChannels":[4,3],"discriminatorChannels":[3,4]}"#
        let first = try Support.run(binary, ["train", "--arch", "dcgan", "--arch-config", config, "--epochs", "1", "--digit", "4",
                                             "--checkpoint-every", "1", "--out", folder + "/a.h5", "--threads", "1"])
        #expect(first.status == 0, "\(first.output)")
        let checkpoint = try #require(try FileManager.default.contentsOfDirectory(atPath: folder + "/a-checkpoints").sorted().last)
        let resumed = try Support.run(binary, ["train", "--resume", folder + "/a-checkpoints/" + checkpoint, "--arch-config", config,
                                               "--epochs", "2", "--out", folder + "/b.h5"])
        #expect(resumed.status == 0, "\(resumed.output)")
        let changed = try Support.run(binary, ["train", "--resume", folder + "/a-checkpoints/" + checkpoint,
                                               "--arch-config", #"{"discriminatorChannels":[3,5]}"#, "--epochs", "2", "--out", folder + "/c.h5"])
        #expect(changed.status == 1 && changed.stderr.contains("discriminatorChannels: checkpoint [3,4], given [3,5]"), "\(changed.output)")
    }
}

/// Round trips and refusals around plugin configurations and sample memory, found by a tester.
@Suite("Plugin configurations and sample memory from the command line")
struct ConfigurationRoundTripTests {
    /// Under the hostile tests' memory limit (1 GiB): an allocation past it is a crash the test sees.
    static func gan(_ arguments: [String]) throws -> Hostile.Run {
        try Hostile.gan(arguments, timeout: 120)
    }

    /// One plugin on both sides with a configuration for one side only: the file is read back
    /// (its architecture_config was the generator's, which a check then took for damage).
    @Test func aPerSideConfigurationLoadsAgain() throws {
        let folder = Support.temporaryFolder()
        let train = try Self.gan(["train", "--generator-config", #"{"generatorHiddenSizes":[24]}"#, "--arch-config",
                                  #"{"discriminatorHiddenSizes":[16]}"#, "--digit", "4", "--epochs", "1", "--out", folder + "/w.h5"])
        #expect(train.status == 0, "\(train.output)")
        let inspect = try Self.gan(["inspect", folder + "/w.h5"])
        #expect(inspect.status == 0 && inspect.stdout.contains("generator:") && inspect.stdout.contains("discriminator:"),
                "both configurations shown: \(inspect.output)")
        #expect(try Self.gan(["sample", "--weights", folder + "/w.h5", "--out", folder + "/s.png"]).status == 0)
    }

    /// A recipe spells out its plugin's configuration: another plugin by flag is refused, naming
    /// where the fields came from; --print-recipe refuses what training would (a condition the
    /// plugin cannot take), and bench a batch whose buffers pass the limit.
    @Test func anotherPluginByFlagNamesTheRecipesConfiguration() throws {
        let recipe = Support.packageRoot + "/models/dcgan-mnist/recipe.json"
        let mlp = try Self.gan(["train", "--recipe", recipe, "--arch", "mlp", "--print-recipe"])
        #expect(mlp.status == 1 && mlp.stderr.contains("unknown field") && mlp.stderr.contains("architectureConfiguration from recipe"),
                "\(mlp.output)")
        let conditional = try Self.gan(["train", "--arch", "dcgan", "--conditional", "--print-recipe"])
        #expect(conditional.status == 1 && conditional.stderr.contains("supportsCondition"), "\(conditional.output)")
        let bench = try Self.gan(["bench", "--arch", "dcgan", "--batch-size", "4096", "--seconds", "0.1", "--repeats", "1"])
        #expect(bench.status == 1 && !bench.signaled && bench.stderr.contains("batch size 4096"), "\(bench.output)")
    }

    /// 128 x 128 samples: at most 8,192 held at once (512 MiB), by gan sample and gan evaluate.
    @Test func sampleCountsAreCappedBySampleSize() throws {
        #expect(Limits.largestSampleCount(of: 128 * 128) == 8_192 && Limits.largestSampleCount(of: 784) > 100_000)
        let folder = Support.temporaryFolder()
        var configuration = Support.tinyConfiguration()
        configuration.problem.sampleShape = [128, 128]
        let rows = 30
        let data = Dataset(images: (0..<(rows * 128 * 128)).map { Float($0 % 7) / 7 }, labels: [UInt8](repeating: 4, count: rows),
                           sampleShape: [128, 128])
        let session = try TrainingSession(configuration: configuration, data: data)
        _ = try session.step()
        try session.save(to: folder + "/big.h5")
        let sample = try Self.gan(["sample", "--weights", folder + "/big.h5", "--count", "9000", "--out", folder + "/s.npy"])
        #expect(sample.status == 1 && !sample.signaled && sample.stderr.contains("at most 8192"), "\(sample.output)")
        let evaluate = try Self.gan(["evaluate", "--weights", folder + "/big.h5", "--count", "9000"])
        #expect(evaluate.status == 1 && !evaluate.signaled && evaluate.stderr.contains("at most 8192"), "\(evaluate.output)")
        #expect(try Self.gan(["sample", "--weights", folder + "/big.h5", "--count", "4", "--out", folder + "/s.npy"]).status == 0)
    }
}
