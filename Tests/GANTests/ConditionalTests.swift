import Foundation
import GANCore
import GANData
import GANEvaluation
import GANLayers
import GANStorage
import GANTensor
import GANZoo
import Testing

/// Conditional generation p(x | c), checked for every plugin that declares `supportsCondition`
/// (parameterized over the registry, so a plugin that opts in is tested the moment it does) in
/// both update modes: shapes, the label's effect, gradients through the label input, seeded
/// determinism, save and load, and an exactly resumed run.
@Suite("Conditional generation")
struct ConditionalTests {
    static let conditional = Registry.architectures.filter(\.supportsCondition).map(\.name)
    static let modes = UpdateMode.allCases
    static let classes = Classes(names: ["a", "b", "c"], shares: [0.5, 0.25, 0.25])
    static let problem = Problem(sampleShape: [6, 6], latentSize: 5, pixelMean: (0..<36).map { Float($0 % 7) / 7 },
                                 classes: classes)

    static func model(_ name: String, seed: UInt64 = 3, json: String? = nil) throws -> GANModel {
        let architecture = try Registry.architecture(named: name).make(configurationJSON: json)
        return try GANModel(generator: architecture, discriminator: architecture, problem: problem, seed: seed)
    }

    @Test func theRegistryHasConditionalPlugins() {
        #expect(Self.conditional.contains("mlp") && Self.conditional.contains("mlp-batchnorm") && Self.conditional.contains("maxout-dropout"))
    }

    @Test(arguments: conditional)
    func networksTakeTheOneHotLabel(name: String) throws {
        let model = try Self.model(name)
        #expect(model.generator.inputSize == 5 + 3 && model.generator.outputSize == 36)
        #expect(model.discriminator.inputSize == 36 + 3 && model.discriminator.outputSize == 1)
        // The same noise under each class: the label changes the sample.
        let noise = model.noise(count: 1, seed: 4)
        let images = (0..<3).map { model.generate(noise: noise, count: 1, labels: [$0]) }
        #expect(images[0] != images[1] && images[1] != images[2] && images[0] != images[2], "\(name): the label has no effect")
        #expect(images.allSatisfy { $0.allSatisfy { $0 >= 0 && $0 <= 1 } })
        // sample(count:seed:) draws its labels from the training shares, reproducibly.
        let labels = model.labels(count: 4000, seed: 9)
        #expect(labels == model.labels(count: 4000, seed: 9) && labels != model.labels(count: 4000, seed: 10))
        let share = Double(labels.filter { $0 == 0 }.count) / 4000
        #expect(abs(share - 0.5) < 0.03, "class a is half of the training data, drawn \(share)")
        let samples = model.samples(count: 6, seed: 2)
        #expect(samples.labels == model.labels(count: 6, seed: 2))
        #expect(samples.values == model.generate(noise: samples.noise, count: 6, labels: samples.labels))
    }

    /// Finite differences through the label columns of both networks' inputs, and over all
    /// coordinates of the conditional networks.
    @Test(arguments: conditional)
    func gradientsThroughTheLabelInput(name: String) throws {
        let model = try Self.model(name)
        ConformanceTests.rescale(model.generator, seed: 1)
        ConformanceTests.rescale(model.discriminator, seed: 2)
        let checker = GradientChecker(absoluteTolerance: 2e-3, relativeTolerance: 2e-2)
        for (role, network, labelColumns) in [("generator", model.generator, 5..<8), ("discriminator", model.discriminator, 36..<39)] {
            let labels = checker.check(network, batchSize: 4, seed: 5, inputColumns: labelColumns)
            #expect(labels.checked == 4 * 3, "\(name) \(role): \(labels.checked) label coordinates")
            #expect(labels.failures.count <= 1, "\(name) \(role) label input: \(labels.failures.prefix(5))")
            let all = checker.check(network, batchSize: 4, seed: 6, coordinates: 400)
            #expect(all.failures.count <= all.checked / 50, "\(name) \(role): \(all.failures.prefix(5))")
        }
    }

    static func trainer(_ model: GANModel, loss: String, mode: UpdateMode, seed: UInt64 = 9) throws -> AdversarialTrainer {
        // 0.01: at SGD 0.1 the least-squares loss diverges against a batch-normalised D (see its reference settings).
        var optimizer = OptimizerConfiguration.defaultSGD
        optimizer.learningRate = 0.01
        return AdversarialTrainer(
            generator: model.generator, discriminator: model.discriminator, loss: try Registry.loss(named: loss).make(),
            problem: model.problem, generatorOptimizer: optimizer.make(for: model.generator.trainableParameters),
            discriminatorOptimizer: optimizer.make(for: model.discriminator.trainableParameters),
            mode: mode, noiseRNG: RandomGenerator(seed: seed), labelRNG: RandomGenerator(seed: seed, stream: 5))
    }

    /// Every loss works unchanged; seeded runs repeat bit for bit; the real rows' labels reach
    /// the discriminator; save and load keep the weights, the classes and the samples.
    @Test(arguments: conditional, modes)
    func seededConditionalStepsAreDeterministicAndSurviveSaveLoad(architecture: String, mode: UpdateMode) throws {
        for loss in Registry.losses.map(\.name) {
            func run(labelShift: Int = 0) throws -> GANModel {
                let json = architecture == "mlp-batchnorm" ? #"{"discriminatorBatchNormalization":true}"# : nil
                let model = try Self.model(architecture, json: json)
                let trainer = try Self.trainer(model, loss: loss, mode: mode)
                var rng = RandomGenerator(seed: 12)
                let real = Tensor(shape: [5, 36])
                for step in 0..<12 {
                    rng.fillUniform(real.pointer, count: real.count, low: 0, high: 1)
                    let labels = (0..<5).map { ($0 + step + labelShift) % 3 }
                    let report = labels.withUnsafeBufferPointer {
                        trainer.step(realBatch: real.pointer, labels: $0.baseAddress, batchSize: 5)
                    }
                    #expect(report.discriminatorLoss.isFinite && (report.generatorLoss?.isFinite ?? false),
                            "\(architecture) + \(loss) (\(mode)): non-finite loss")
                }
                return model
            }
            let first = try run(), second = try run(), relabelled = try run(labelShift: 1)
            #expect(ConformanceTests.bits(first.generator) == ConformanceTests.bits(second.generator))
            #expect(ConformanceTests.bits(first.discriminator) == ConformanceTests.bits(second.discriminator))
            #expect(ConformanceTests.bits(first.discriminator) != ConformanceTests.bits(relabelled.discriminator),
                    "\(architecture) + \(loss): the real rows' labels do not reach the discriminator")

            var configuration = TrainingConfiguration()
            configuration.architecture = architecture
            if architecture == "mlp-batchnorm" {
                configuration.architectureConfiguration = try JSONValue(parsing: #"{"discriminatorBatchNormalization":true}"#)
            }
            configuration.loss = loss
            configuration.conditional = true
            configuration.problem = Self.problem
            configuration.problem.classes = nil  // a conditional run's classes come from its data
            let path = Support.temporaryFolder() + "/\(architecture)-\(loss)-\(mode).h5"
            try ModelFile.save(model: first, configuration: configuration, position: .init(epoch: 0, step: 12),
                               optimizers: nil, randomStates: [:], to: path)
            let loaded = try ModelFile.load(path).model
            #expect(loaded.problem.classes == Self.classes)
            #expect(ConformanceTests.bits(loaded.generator) == ConformanceTests.bits(first.generator))
            #expect(ConformanceTests.bits(loaded.discriminator) == ConformanceTests.bits(first.discriminator))
            let labels = [2, 0, 1, 1, 2, 0, 0]
            #expect(loaded.sample(count: 7, seed: 1, labels: labels).samples == first.sample(count: 7, seed: 1, labels: labels).samples)
            let root = try HDF5File.open(path).root
            #expect(try root.intAttribute("format_version") == 2 && root.intAttribute("classes") == 3)
            #expect(try root.stringsAttribute("class_names") == ["a", "b", "c"])
        }
    }

    /// A conditional run interrupted mid-epoch and resumed from its checkpoint ends with the
    /// same bits as one never interrupted: the generated labels' stream is part of the state.
    @Test(arguments: conditional, modes)
    func conditionalRunResumesBitIdentical(architecture: String, mode: UpdateMode) throws {
        var configuration = Support.tinyConfiguration(epochs: 2)
        configuration.architecture = architecture
        if architecture == "maxout-dropout" {
            configuration.architectureConfiguration = try JSONValue(parsing: #"{"generatorHiddenSizes":[32],"discriminatorUnits":[16]}"#)
        }
        configuration.digits = [3, 4, 7]
        configuration.conditional = true
        configuration.mode = mode
        let straight = try TrainingSession(configuration: configuration)
        while !straight.isFinished { _ = try straight.step() }
        #expect(straight.model.problem.classes?.names == (0...7).map(String.init))
        #expect(straight.model.problem.classes.map { $0.shares[3] > 0 && $0.shares[5] == 0 } == true)

        let first = try TrainingSession(configuration: configuration)
        for _ in 0..<(first.batchesPerEpoch + 5) { _ = try first.step() }
        let path = Support.temporaryFolder() + "/checkpoint-\(architecture)-\(mode).h5"
        try first.save(to: path)
        let resumed = try TrainingSession.resume(from: path)
        #expect(resumed.trainer.labelRNG == first.trainer.labelRNG)
        #expect(ResumeTests.differences(ResumeTests.state(resumed), ResumeTests.state(first)).isEmpty)
        while !resumed.isFinished { _ = try resumed.step() }
        let final = ResumeTests.differences(ResumeTests.state(resumed), ResumeTests.state(straight))
        #expect(final.isEmpty, "resumed vs uninterrupted: \(final.prefix(3))")
        #expect(resumed.trainer.labelRNG == straight.trainer.labelRNG)
        #expect(resumed.history.map(\.discriminatorLoss) == straight.history.map(\.discriminatorLoss))
    }

    /// A plugin that does not declare `supportsCondition` (the default) is refused, naming it.
    struct Plain: Architecture {
        struct Configuration: Codable, Sendable, Equatable {}
        static let name = "plain-test"
        static let summary = "a test plugin without the condition hook"
        static let defaultConfiguration = Configuration()
        let configuration: Configuration
        init(configuration: Configuration) throws { self.configuration = configuration }
        func checkSizes(for problem: Problem) throws(ConfigurationError) {}
        func makeGenerator(for problem: Problem, rng: inout RandomGenerator) -> Network {
            Network(layers: [LayerStack.dense(problem.latentSize, problem.sampleSize, .glorotUniform, &rng)])
        }
        func makeDiscriminator(for problem: Problem, rng: inout RandomGenerator) -> Network {
            Network(layers: [LayerStack.dense(problem.sampleSize, 1, .glorotUniform, &rng)])
        }
    }

    @Test func pluginsThatDoNotOptInRefuseAConditionalProblem() throws {
        #expect(!Plain.supportsCondition)
        let architecture = AnyArchitecture(try Plain(configuration: .init()))
        #expect { try GANModel(generator: architecture, discriminator: architecture, problem: Self.problem, seed: 0) } throws: {
            "\($0)".contains("plain-test") && "\($0)".contains("supportsCondition")
        }
        var plain = Self.problem
        plain.classes = nil
        _ = try GANModel(generator: architecture, discriminator: architecture, problem: plain, seed: 0)
    }

    @Test func unconditionalFilesAreUnchanged() throws {
        let session = try TrainingSession(configuration: Support.tinyConfiguration())
        _ = try session.step()
        let path = Support.temporaryFolder() + "/plain.h5"
        try session.save(to: path)
        let root = try HDF5File.open(path).root
        #expect(try root.intAttribute("format_version") == 1)
        #expect(!root.hasAttribute("classes") && !root.hasAttribute("class_names"))
        #expect(try !root.stringAttribute("problem").contains("classes"))
        #expect(try !root.group("rng").contains("labels"))
        #expect(try ModelFile.load(path).model.problem.classes == nil)
        // Class attributes on an unconditional problem mean a damaged or forged file.
        let forged = Support.temporaryFolder() + "/forged.h5"
        try ModelFile.save(model: session.model, configuration: session.configuration, position: session.position,
                           optimizers: nil, randomStates: [:], to: forged) { try $0.setAttribute("class_names", ["0", "1"]) }
        #expect { try ModelFile.load(forged) } throws: { "\($0)".contains("forged.h5") && "\($0)".contains("unconditional") }
    }

    @Test func badClassesAreRefused() throws {
        for (classes, reason) in [(Classes(names: [], shares: []), "1...256"),
                                  (Classes(names: ["a", "b"], shares: [1]), "2 names but 1 shares"),
                                  (Classes(names: ["a", "b"], shares: [0.9, 0.9]), "sum to 1"),
                                  (Classes(names: ["a", ""], shares: [0.5, 0.5]), "1...64 characters")] {
            var problem = Self.problem
            problem.classes = classes
            #expect { try problem.validate() } throws: { "\($0)".contains(reason) }
        }
    }

    /// The evaluation's conditional accuracy: real test images of the requested classes score
    /// about the classifier's accuracy; the same images under shifted requests about nothing.
    @Test func conditionalAccuracyMeasuresAgreementWithTheRequest() throws {
        let folder = try DatasetFolder.shippedSubset()
        let test = try folder.load(.test)
        func evaluated(shift: Int) -> EvaluatedModel {
            // "Samples" are test images in order (sorted by label: all 1,000 hold every class); the requested class of image i is its label (+ shift).
            EvaluatedModel(path: "fake", sampleSize: 784, dataPath: nil, digits: nil, holdOutValidation: false,
                           validationSplit: { $0.splitValidation() },
                           sample: { count, _ in Array(test.images.prefix(count * 784)) },
                           requestedLabels: { count, _ in test.labels.prefix(count).map { (Int($0) + shift) % 10 } },
                           classNames: (0..<10).map(String.init))
        }
        let right = try Evaluation(evaluated(shift: 0), zooFolder: Zoo.folder).frechet(samples: 1000, kidSubsets: 2)
        let wrong = try Evaluation(evaluated(shift: 1), zooFolder: Zoo.folder).frechet(samples: 1000, kidSubsets: 2)
        #expect((right.conditionalAccuracy ?? 0) > 0.95, "\(String(describing: right.conditionalAccuracy))")
        #expect((wrong.conditionalAccuracy ?? 1) < 0.05, "\(String(describing: wrong.conditionalAccuracy))")
        #expect(right.perClass?.count == 10 && right.perClass?.reduce(0) { $0 + $1.samples } == 1000)
        #expect(right.perClass?.allSatisfy { $0.accuracy > 0.8 && ($0.distance ?? .infinity) < 100 } == true)
        let unconditional = EvaluatedModel(path: "fake", sampleSize: 784, dataPath: nil, digits: nil, holdOutValidation: false,
                                           validationSplit: { $0.splitValidation() },
                                           sample: { count, _ in Array(test.images.prefix(count * 784)) })
        let plain = try Evaluation(unconditional, zooFolder: Zoo.folder).frechet(samples: 1000, kidSubsets: 2)
        #expect(plain.conditionalAccuracy == nil && plain.perClass == nil)
    }
}

/// End to end: `gan train --conditional`, `gan sample --label`, `gan evaluate`, `gan inspect`.
@Suite("Conditional command line", .serialized)
struct ConditionalCommandLineTests {
    static func gan(_ arguments: String...) throws -> Support.Run { try gan(arguments) }

    static func gan(_ arguments: [String]) throws -> Support.Run {
        guard let binary = Support.ganBinary else {
            Issue.record("no gan binary: run `swift build` (or `make test`) first")
            return Support.Run(status: -1, stdout: "", stderr: "")
        }
        return try Support.run(binary, arguments)
    }

    @Test func trainSampleByLabelAndEvaluate() throws {
        let folder = Support.temporaryFolder()
        let weights = folder + "/conditional.h5"
        let train = try Self.gan("train", "--conditional", "--digit", "3", "--digit", "5", "--epochs", "1", "--batch-size", "50",
                                             "--arch-config", CommandLineTests.tinyArch, "--latent-size", "10", "--out", weights)
        #expect(train.status == 0, "\(train.output)")
        let problem = try ModelFile.load(weights).model.problem
        #expect(problem.classes?.names == (0...5).map(String.init) && problem.generatorInputSize == 16)
        #expect(problem.classes.map { $0.shares[3] == 0.5 && $0.shares[5] == 0.5 && $0.shares[0] == 0 } == true)

        // Default: one row per class, 10 columns; --label rows; --count spreads over the rows.
        for (arguments, shape) in [([String](), [60, 28, 28]), (["--label", "5", "--columns", "4"], [4, 28, 28]),
                                   (["--label", "3", "--label", "5", "--count", "6"], [6, 28, 28])] {
            let out = folder + "/s\(shape[0]).npy"
            let run = try Self.gan(["sample", "--weights", weights, "--out", out] + arguments)
            #expect(run.status == 0, "\(run.output)")
            let header = try String(decoding: Data(contentsOf: URL(fileURLWithPath: out)).prefix(128), as: UTF8.self)
            #expect(header.contains("'shape': (\(shape.map(String.init).joined(separator: ", ")))"), "\(header)")
        }
        // The --label row is exactly the class asked for: the same as the API's samples of class 5.
        let model = try ModelFile.load(weights).model
        let api = model.sample(count: 4, seed: 0, labels: [5, 5, 5, 5]).samples
        let npy = try Data(contentsOf: URL(fileURLWithPath: folder + "/s4.npy"))
        let values = npy.suffix(4 * 784 * 4).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(values == api)

        // --save-noise writes the generator's whole input: noise ++ one-hot class.
        let saved = try Self.gan("sample", "--weights", weights, "--label", "5", "--columns", "3", "--out", folder + "/n.npy",
                                 "--save-noise", folder + "/z.npy")
        #expect(saved.status == 0, "\(saved.output)")
        let z = try Data(contentsOf: URL(fileURLWithPath: folder + "/z.npy"))
        #expect(String(decoding: z.prefix(128), as: UTF8.self).contains("'shape': (3, 16)"))
        let inputs = z.suffix(3 * 16 * 4).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect((0..<3).allSatisfy { row in (0..<6).map { inputs[row * 16 + 10 + $0] } == [0, 0, 0, 0, 0, 1] })
        #expect(Array(inputs.prefix(10)) == model.noise(count: 1, seed: 0))

        // A --count that the rows cannot share equally would leave the last classes short: refused.
        for arguments in [["--count", "7"], ["--label", "3", "--label", "5", "--count", "5"]] {
            let short = try Self.gan(["sample", "--weights", weights, "--out", folder + "/short.png"] + arguments)
            #expect(short.status == 1 && short.stderr.contains("a multiple of"), "\(arguments): \(short.output)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/short.png"))
        }

        let unknown = try Self.gan("sample", "--weights", weights, "--label", "12", "--out", folder + "/x.png")
        #expect(unknown.status != 0 && unknown.stderr.contains("Error: --label 12: not a class") && unknown.stderr.contains("0, 1, 2, 3, 4, 5"))
        let plain = try Self.gan("sample", "--model", "mlp-digit4", "--label", "3", "--out", folder + "/x.png")
        #expect(plain.status != 0 && plain.stderr.contains("unconditional"), "\(plain.output)")

        let json = folder + "/frechet.json"
        let evaluate = try Self.gan("evaluate", "--weights", weights, "--metric", "frechet", "--count", "300", "--json", json)
        #expect(evaluate.status == 0, "\(evaluate.output)")
        #expect(evaluate.stdout.contains("conditional accuracy") && evaluate.stdout.contains("class 3:") && evaluate.stdout.contains("class 5:"))
        let result = try JSONDecoder().decode(FrechetResult.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(result.perClass?.map(\.name) == ["3", "5"] && result.perClass?.reduce(0) { $0 + $1.samples } == 300)
        #expect(result.conditionalAccuracy.map { (0...1).contains($0) } == true)

        let inspect = try Self.gan("inspect", weights)
        #expect(inspect.stdout.contains("conditional on 6 classes"), "\(inspect.output)")
    }
}
