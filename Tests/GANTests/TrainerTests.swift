import GANCore
import GANLayers
import GANTensor
import GANZoo
import Testing

@Suite("Adversarial trainer (Algorithm 1)")
struct TrainerTests {
    static let problem = Problem(sampleShape: [3, 4], latentSize: 5)

    /// A small MLP pair without dropout (deterministic forward passes).
    static func makeTrainer(loss: String = "non-saturating", k: Int = 1, mode: UpdateMode = .alternating,
                            optimizer: OptimizerConfiguration = .init(kind: .sgd, learningRate: 0.05),
                            objective: DiscriminatorObjective = .sum)
        throws -> AdversarialTrainer {
        let architecture = try Registry.architecture(named: "mlp").make(configurationJSON: """
            {"generatorHiddenSizes":[6],"discriminatorHiddenSizes":[7],"discriminatorKeepProbability":1,
             "generatorActivation":"tanh","discriminatorActivation":"tanh"}
            """)
        let model = try GANModel(generator: architecture, discriminator: architecture, problem: problem, seed: 11)
        return AdversarialTrainer(
            generator: model.generator, discriminator: model.discriminator,
            loss: try Registry.loss(named: loss).make(), problem: problem,
            generatorOptimizer: optimizer.make(for: model.generator.trainableParameters),
            discriminatorOptimizer: optimizer.make(for: model.discriminator.trainableParameters),
            k: k, mode: mode, discriminatorObjective: objective, noiseRNG: RandomGenerator(seed: 5))
    }

    static func realBatch(_ batchSize: Int, seed: UInt64 = 3) -> Tensor {
        let batch = Tensor(shape: [batchSize, problem.sampleSize])
        var rng = RandomGenerator(seed: seed)
        rng.fillUniform(batch.pointer, count: batch.count, low: 0, high: 1)
        return batch
    }

    static func snapshot(_ network: Network) -> [[UInt32]] {
        network.namedParameters.map { $0.parameter.value.array.map(\.bitPattern) }
    }

    @Test(arguments: ["non-saturating", "saturating"])
    func generatorStepLeavesTheDiscriminatorBitIdentical(loss: String) throws {
        let trainer = try Self.makeTrainer(loss: loss)
        let real = Self.realBatch(8)
        _ = trainer.discriminatorStep(realBatch: real.pointer, batchSize: 8)
        let discriminatorBefore = Self.snapshot(trainer.discriminator)
        let gradientsBefore = trainer.discriminator.trainableParameters.map { $0.gradient.array.map(\.bitPattern) }
        let generatorBefore = Self.snapshot(trainer.generator)
        _ = trainer.generatorStep(batchSize: 8)
        #expect(Self.snapshot(trainer.discriminator) == discriminatorBefore)
        #expect(trainer.discriminator.trainableParameters.map { $0.gradient.array.map(\.bitPattern) } == gradientsBefore)
        #expect(Self.snapshot(trainer.generator) != generatorBefore, "the generator step must move the generator")
    }

    /// The released code's `average` objective halves every discriminator gradient (exactly: a
    /// power of two) and the reported loss; the generator's gradient from the same pass is unchanged.
    @Test func theAverageObjectiveHalvesTheDiscriminatorsGradientOnly() throws {
        let real = Self.realBatch(8)
        var gradients: [[[Float]]] = [], losses: [Float] = []
        for objective in [DiscriminatorObjective.sum, .average] {
            let trainer = try Self.makeTrainer(mode: .simultaneous, objective: objective)
            let report = trainer.discriminatorStep(realBatch: real.pointer, batchSize: 8, alsoGenerator: true)
            gradients.append((trainer.discriminator.trainableParameters + trainer.generator.trainableParameters).map { $0.gradient.array })
            losses.append(report.discriminatorLoss)
        }
        let discriminatorCount = try Self.makeTrainer().discriminator.trainableParameters.count
        for (index, (sum, average)) in zip(gradients[0], gradients[1]).enumerated() {
            #expect(sum.contains { $0 != 0 }, "parameter \(index) received no gradient")
            #expect(index < discriminatorCount ? average.map { $0 * 2 } == sum : average == sum, "parameter \(index)")
        }
        #expect(losses[1] * 2 == losses[0])
    }

    @Test func discriminatorStepLeavesTheGeneratorBitIdentical() throws {
        let trainer = try Self.makeTrainer()
        let before = Self.snapshot(trainer.generator)
        let real = Self.realBatch(8)
        _ = trainer.discriminatorStep(realBatch: real.pointer, batchSize: 8)
        #expect(Self.snapshot(trainer.generator) == before)
    }

    @Test func kDiscriminatorStepsPerGeneratorStep() throws {
        let trainer = try Self.makeTrainer(k: 3)
        let real = Self.realBatch(4)
        let reports = (0..<6).map { _ in trainer.step(realBatch: real.pointer, batchSize: 4) }
        #expect(reports.map { $0.generatorLoss != nil } == [false, false, true, false, false, true])
    }

    /// The generator's update equals plain SGD on the finite-difference gradient of the mean
    /// generator loss through the (fixed) discriminator: the whole chain G -> D -> loss is right.
    /// In simultaneous mode the same holds for the samples of the shared step, through the
    /// discriminator as it was before its own update.
    @Test(arguments: ["non-saturating", "saturating", "least-squares", "hinge"], [UpdateMode.alternating, .simultaneous])
    func generatorGradientMatchesFiniteDifferences(loss lossName: String, mode: UpdateMode) throws {
        let learningRate: Float = 1
        let trainer = try Self.makeTrainer(loss: lossName, mode: mode, optimizer: .init(kind: .sgd, learningRate: learningRate, momentum: 0))
        let loss = try Registry.loss(named: lossName).make()
        let batchSize = 4
        let noiseCopy = trainer.noiseRNG
        let noise = Tensor(shape: [batchSize, Self.problem.latentSize])
        var rng = noiseCopy
        Self.problem.noise.sample(into: noise.pointer, count: noise.count, rng: &rng)

        func meanLoss() -> Double {
            let samples = trainer.generator.forward(noise.pointer, batchSize: batchSize, phase: .training)
            let logits = trainer.discriminator.forward(samples, batchSize: batchSize, phase: .training)
            return (0..<batchSize).reduce(0) { $0 + Double(loss.generator(logit: logits[$1]).value) } / Double(batchSize)
        }
        let parameters = trainer.generator.trainableParameters
        var numeric: [[Float]] = []
        for parameter in parameters {
            numeric.append((0..<parameter.value.count).map { index in
                let original = parameter.value[index]
                parameter.value[index] = original + 1e-2
                let plus = meanLoss()
                parameter.value[index] = original - 1e-2
                let minus = meanLoss()
                parameter.value[index] = original
                return Float((plus - minus) / 2e-2)
            })
        }
        let before = parameters.map(\.value.array)
        // Both modes draw the same first noise: the stream was copied.
        if mode == .alternating {
            _ = trainer.generatorStep(batchSize: batchSize)
        } else {
            let real = Self.realBatch(batchSize)
            let discriminatorBefore = TrainerTests.snapshot(trainer.discriminator)
            let report = trainer.step(realBatch: real.pointer, batchSize: batchSize)
            #expect(report.generatorLoss != nil && TrainerTests.snapshot(trainer.discriminator) != discriminatorBefore,
                    "a simultaneous step updates both networks")
        }
        for (index, parameter) in parameters.enumerated() {
            let applied = zip(before[index], parameter.value.array).map { ($0 - $1) / learningRate }
            for (a, n) in zip(applied, numeric[index]) {
                #expect(abs(a - n) < 1e-3 + 2e-2 * abs(n), "\(parameter.key): update \(a), finite difference \(n)")
            }
        }
    }
}
