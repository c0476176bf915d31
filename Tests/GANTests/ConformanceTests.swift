import Foundation
import GANCore
import GANLayers
import GANTensor
import GANZoo
import Testing

/// Checks every registered plugin, with no test written for it: parameterized over the
/// registry, as timm parameterizes its tests over list_models(). Architectures are built with
/// their default configuration on a small problem (8x8 samples, latent 5).
@Suite("Plugin conformance")
struct ConformanceTests {
    static let architectures = Registry.architectures.map(\.name)
    static let losses = Registry.losses.map(\.name)
    static let pairs = architectures.flatMap { a in losses.map { (a, $0) } }
    static let problem = Problem(sampleShape: [8, 8], latentSize: 5,
                                 pixelMean: (0..<64).map { Float($0 % 7) / 7 })

    static func model(_ name: String, seed: UInt64 = 3, problem: Problem = problem) throws -> GANModel {
        let architecture = try Registry.architecture(named: name).make()
        return try GANModel(generator: architecture, discriminator: architecture, problem: problem, seed: seed)
    }

    static func random(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
        let tensor = Tensor(shape: shape)
        var rng = RandomGenerator(seed: seed)
        rng.fillUniform(tensor.pointer, count: tensor.count, low: low, high: high)
        return tensor
    }

    static func bits(_ network: Network) -> [[UInt32]] {
        network.namedParameters.map { $0.parameter.value.array.map(\.bitPattern) }
    }

    @Test(arguments: architectures)
    func shapesAndFiniteOutputs(name: String) throws {
        let model = try Self.model(name)
        for batchSize in [1, 3, 17] {
            for phase in [Phase.training, .inference] {
                let noise = Self.random([batchSize, 5], seed: 1)
                let samples = model.generator.forward(noise.pointer, batchSize: batchSize, phase: phase)
                let pixels = Array(UnsafeBufferPointer(start: samples, count: batchSize * 64))
                #expect(pixels.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(name): generator output outside [0, 1]")
                let logits = model.discriminator.forward(samples, batchSize: batchSize, phase: phase)
                #expect(allFinite(logits, count: batchSize), "\(name): non-finite logits, batch \(batchSize), \(phase)")
            }
        }
        #expect(model.generator.inputSize == 5 && model.generator.outputSize == 64)
        #expect(model.discriminator.inputSize == 64 && model.discriminator.outputSize == 1, "one logit per sample")
    }

    /// Redraws trainable parameters at unit scale (kernels U(+-1/sqrt(fan-in)), vectors
    /// U(+-0.5)), so gradients are large enough for finite differences to judge: the paper's
    /// discriminator starts at +-0.005, where any gradient would pass an absolute tolerance.
    static func rescale(_ network: Network, seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        for parameter in network.trainableParameters {
            let shape = parameter.shape
            let limit: Float = shape.count == 2 ? 1 / Float(shape[0]).squareRoot() : 0.5
            rng.fillUniform(parameter.value.pointer, count: parameter.value.count, low: -limit, high: limit)
        }
    }

    @Test(arguments: architectures)
    func finiteDifferenceGradients(name: String) throws {
        let model = try Self.model(name)
        Self.rescale(model.generator, seed: 1)
        Self.rescale(model.discriminator, seed: 2)
        let checker = GradientChecker(absoluteTolerance: 2e-3, relativeTolerance: 2e-2)
        for (role, network, batchSize) in [("generator", model.generator, 4), ("discriminator", model.discriminator, 4)] {
            let result = checker.check(network, batchSize: batchSize, seed: 5, coordinates: 400)
            #expect(result.checked >= 300, "\(name) \(role): only \(result.checked) coordinates")
            // ReLU and maxout kinks can fall inside the step for a few coordinates.
            #expect(result.failures.count <= result.checked / 50, "\(name) \(role): \(result.failures.prefix(5))")
        }
    }

    @Test(arguments: architectures)
    func everyParameterReceivesAGradientAndNetworksAreDisjoint(name: String) throws {
        let model = try Self.model(name)
        for (role, network, input) in [("generator", model.generator, Self.random([8, 5], seed: 2)),
                                       ("discriminator", model.discriminator, Self.random([8, 64], seed: 2, low: 0, high: 1))] {
            network.zeroGradients()
            network.forward(input.pointer, batchSize: 8, phase: .training)
            let upstream = Self.random([8, network.outputSize], seed: 3)
            network.backward(upstream.pointer, needs: .parameters)
            for (layer, parameter) in network.namedParameters where parameter.trainable {
                #expect(parameter.gradient.array.contains { $0 != 0 }, "\(name) \(role) \(layer)/\(parameter.key) got no gradient")
            }
        }
        let generatorIDs = Set(model.generator.namedParameters.map { ObjectIdentifier($0.parameter) })
        let discriminatorIDs = Set(model.discriminator.namedParameters.map { ObjectIdentifier($0.parameter) })
        #expect(generatorIDs.isDisjoint(with: discriminatorIDs))
        #expect(Set(model.generator.layers.map { ObjectIdentifier($0) }).isDisjoint(with: model.discriminator.layers.map { ObjectIdentifier($0) }))
    }

    static func trainer(_ model: GANModel, loss: String, mode: UpdateMode = .alternating, seed: UInt64 = 9) throws -> AdversarialTrainer {
        // SGD at a tenth of the default rate: at 0.1 the least-squares loss (its gradient grows
        // with the logit) drives the dense stacks to infinity within 20 steps on 8x8 noise images.
        var optimizer = OptimizerConfiguration.defaultSGD
        optimizer.learningRate = 0.01
        return AdversarialTrainer(
            generator: model.generator, discriminator: model.discriminator, loss: try Registry.loss(named: loss).make(),
            problem: model.problem, generatorOptimizer: optimizer.make(for: model.generator.trainableParameters),
            discriminatorOptimizer: optimizer.make(for: model.discriminator.trainableParameters),
            mode: mode, noiseRNG: RandomGenerator(seed: seed))
    }

    /// The generator's step leaves every discriminator value bit-identical, running statistics
    /// included; the discriminator's step leaves the generator's.
    @Test(arguments: architectures)
    func eachStepLeavesTheOtherNetworkUntouched(name: String) throws {
        var configuration = try Registry.architecture(named: name).make()
        if name == "mlp-batchnorm" {  // exercise the discriminator's batch normalisation too
            configuration = try Registry.architecture(named: name).make(configurationJSON: #"{"discriminatorBatchNormalization":true}"#)
        }
        let model = try GANModel(generator: configuration, discriminator: configuration, problem: Self.problem, seed: 4)
        let trainer = try Self.trainer(model, loss: "non-saturating")
        let real = Self.random([6, 64], seed: 6, low: 0, high: 1)
        let generatorBefore = Self.bits(model.generator)
        let discriminatorStart = Self.bits(model.discriminator)
        trainer.discriminatorStep(realBatch: real.pointer, batchSize: 6)
        #expect(Self.bits(model.generator) == generatorBefore, "\(name): the discriminator's step changed the generator")
        let discriminatorBefore = Self.bits(model.discriminator)
        #expect(discriminatorBefore != discriminatorStart)
        trainer.generatorStep(batchSize: 6)
        #expect(Self.bits(model.discriminator) == discriminatorBefore, "\(name): the generator's step changed the discriminator")
        #expect(Self.bits(model.generator) != generatorBefore)
        // Running statistics: each network's move in its own step (and only there).
        func statistics(_ network: Network) -> [[Float]] {
            network.namedParameters.filter { !$0.parameter.trainable }.map { $0.parameter.value.array }
        }
        if name == "mlp-batchnorm" {
            #expect(!statistics(model.generator).isEmpty && !statistics(model.discriminator).isEmpty)
            let g = statistics(model.generator), d = statistics(model.discriminator)
            trainer.discriminatorStep(realBatch: real.pointer, batchSize: 6)
            #expect(statistics(model.generator) == g && statistics(model.discriminator) != d)
            let d2 = statistics(model.discriminator)
            trainer.generatorStep(batchSize: 6)
            #expect(statistics(model.generator) != g && statistics(model.discriminator) == d2)
        }
    }

    /// Twenty seeded steps twice give the same bits; save then load reproduces them all,
    /// batch normalisation's running statistics included.
    @Test(arguments: pairs)
    func seededStepsAreDeterministicAndSurviveSaveLoad(architecture: String, loss: String) throws {
        func run() throws -> GANModel {
            let model = try Self.model(architecture)
            let trainer = try Self.trainer(model, loss: loss, mode: architecture == "maxout-dropout" ? .simultaneous : .alternating)
            var rng = RandomGenerator(seed: 12)
            let real = Tensor(shape: [5, 64])
            for _ in 0..<20 {
                rng.fillUniform(real.pointer, count: real.count, low: 0, high: 1)
                let report = trainer.step(realBatch: real.pointer, batchSize: 5)
                #expect(report.discriminatorLoss.isFinite && (report.generatorLoss?.isFinite ?? false),
                        "\(architecture) + \(loss): non-finite loss")
            }
            return model
        }
        let first = try run(), second = try run()
        #expect(Self.bits(first.generator) == Self.bits(second.generator))
        #expect(Self.bits(first.discriminator) == Self.bits(second.discriminator))

        var configuration = TrainingConfiguration()
        configuration.architecture = architecture
        configuration.loss = loss
        configuration.problem = Self.problem
        let path = Support.temporaryFolder() + "/\(architecture)-\(loss).h5"
        try ModelFile.save(model: first, configuration: configuration, position: .init(epoch: 0, step: 20),
                           optimizers: nil, randomStates: [:], to: path)
        let loaded = try ModelFile.load(path).model
        #expect(Self.bits(loaded.generator) == Self.bits(first.generator))
        #expect(Self.bits(loaded.discriminator) == Self.bits(first.discriminator))
        let (samples, _) = loaded.sample(count: 7, seed: 1)
        #expect(samples == first.sample(count: 7, seed: 1).samples && samples.allSatisfy { $0.isFinite })
    }
}
