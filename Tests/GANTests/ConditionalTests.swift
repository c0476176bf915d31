import Foundation
import GANCore
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
    static let unconditional = Registry.architectures.filter { !$0.supportsCondition }.map(\.name)
    static let modes = UpdateMode.allCases
    static let classes = Classes(names: ["a", "b", "c"], shares: [0.5, 0.25, 0.25])
    static let problem = Problem(sampleShape: [6, 6], latentSize: 5, pixelMean: (0..<36).map { Float($0 % 7) / 7 },
                                 classes: classes)

    static func model(_ name: String, seed: UInt64 = 3, json: String? = nil) throws -> GANModel {
        let architecture = try Registry.architecture(named: name).make(configurationJSON: json)
        return try GANModel(generator: architecture, discriminator: architecture, problem: problem, seed: seed)
    }

    @Test func theRegistryHasConditionalPlugins() {
        #expect(Self.conditional.contains("mlp") && Self.conditional.contains("mlp-batchnorm"))
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
        let optimizer = OptimizerConfiguration.defaultSGD
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
            configuration.loss = loss
            configuration.conditional = true
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

    @Test(arguments: unconditional)
    func pluginsThatDoNotOptInRefuseAConditionalProblem(name: String) throws {
        let architecture = try Registry.architecture(named: name).make()
        #expect { try GANModel(generator: architecture, discriminator: architecture, problem: Self.problem, seed: 0) } throws: {
            "\($0)".contains(name) && "\($0)".contains("conditional")
        }
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
        let folder = try GANData.DatasetFolder.shippedSubset()
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
