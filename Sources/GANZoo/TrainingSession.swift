import Foundation
import GANCore
import GANData
import GANLayers
import GANTensor

/// One epoch's averages.
public struct EpochSummary: Sendable {
    public var epoch: Int
    public var discriminatorLoss: Float
    public var generatorLoss: Float
    public var realScore: Float
    public var fakeScore: Float
    public var samplesPerSecond: Double
    public var seconds: Double
}

/// A training run: data, model, optimizers and the trainer, wired from a configuration.
public final class TrainingSession {
    public let configuration: TrainingConfiguration
    public let model: GANModel
    public let data: Dataset
    public let trainer: AdversarialTrainer
    public private(set) var position = TrainingPosition()
    public private(set) var shuffleRNG: RandomGenerator
    public private(set) var history: [EpochSummary] = []

    private let batch: Tensor
    private var order: [Int]

    public init(configuration: TrainingConfiguration, data: Dataset? = nil) throws {
        try configuration.validate()
        self.configuration = configuration
        let loaded = try data ?? TrainingSession.loadData(configuration)
        guard loaded.sampleSize == configuration.problem.sampleSize else {
            throw TrainingError.invalidConfiguration(
                "the data's images are \(loaded.sampleShape) but the problem expects \(configuration.problem.sampleShape)")
        }
        guard configuration.batchSize <= loaded.count else {
            throw TrainingError.invalidConfiguration(
                "batch size \(configuration.batchSize) is larger than the \(loaded.count) training images")
        }
        self.data = loaded
        BLASThreads.set(configuration.threads)
        let loss = try Registry.loss(named: configuration.loss).make()
        var problem = configuration.problem
        problem.pixelMean = loaded.pixelMean
        model = try GANModel(configuration: configuration, problem: problem)
        trainer = AdversarialTrainer(
            generator: model.generator, discriminator: model.discriminator, loss: loss,
            problem: configuration.problem,
            generatorOptimizer: configuration.generatorOptimizer.make(for: model.generator.trainableParameters),
            discriminatorOptimizer: configuration.discriminatorOptimizer.make(for: model.discriminator.trainableParameters),
            k: configuration.k, mode: configuration.mode,
            noiseRNG: RandomGenerator(seed: configuration.seed, stream: RandomStream.noise))
        shuffleRNG = RandomGenerator(seed: configuration.seed, stream: RandomStream.shuffle)
        batch = Tensor(shape: [configuration.batchSize, loaded.sampleSize])
        order = Array(0..<loaded.count)
    }

    /// The training split of the configured folder (or the shipped subset), label-filtered.
    public static func loadData(_ configuration: TrainingConfiguration) throws -> Dataset {
        let folder = try configuration.dataPath.map { path throws(DataError) in try DatasetFolder(path: path) }
            ?? DatasetFolder.shippedSubset()
        let all = try folder.load(.train)
        guard let digits = configuration.digits else { return all }
        return try all.filtered(labels: Set(digits.map { UInt8($0) }), source: folder.path)
    }

    public var batchesPerEpoch: Int { (data.count + configuration.batchSize - 1) / configuration.batchSize }

    /// Trains one epoch: a fresh shuffle, then every minibatch (the last one may be smaller).
    /// `progress` is called after each step with (batch index, batches in the epoch).
    @discardableResult
    public func trainEpoch(progress: (Int, Int) -> Void = { _, _ in }) throws -> EpochSummary {
        let start = Date()
        shuffleRNG.shuffle(&order)
        let size = data.sampleSize
        var sums = (d: 0.0, g: 0.0, real: 0.0, fake: 0.0), generatorSteps = 0
        let batches = batchesPerEpoch
        try data.images.withUnsafeBufferPointer { (images) throws in
            for index in 0..<batches {
                let first = index * configuration.batchSize
                let rows = min(configuration.batchSize, data.count - first)
                for row in 0..<rows {
                    (batch.pointer + row * size).update(from: images.baseAddress! + order[first + row] * size, count: size)
                }
                configuration.generatorOptimizer.applySchedule(to: trainer.generatorOptimizer, epoch: position.epoch + 1)
                configuration.discriminatorOptimizer.applySchedule(to: trainer.discriminatorOptimizer, epoch: position.epoch + 1)
                let report = trainer.step(realBatch: batch.pointer, batchSize: rows)
                position.step += 1
                try checkFinite(report)
                sums.d += Double(report.discriminatorLoss)
                sums.real += Double(report.realScore)
                sums.fake += Double(report.fakeScore)
                if let g = report.generatorLoss { sums.g += Double(g); generatorSteps += 1 }
                progress(index + 1, batches)
            }
        }
        position.epoch += 1
        let seconds = Date().timeIntervalSince(start)
        let summary = EpochSummary(
            epoch: position.epoch, discriminatorLoss: Float(sums.d / Double(batches)),
            generatorLoss: Float(sums.g / Double(max(generatorSteps, 1))),
            realScore: Float(sums.real / Double(batches)), fakeScore: Float(sums.fake / Double(batches)),
            samplesPerSecond: Double(data.count) / max(seconds, 1e-9), seconds: seconds)
        history.append(summary)
        return summary
    }

    private func checkFinite(_ report: StepReport) throws {
        if !report.discriminatorLoss.isFinite {
            throw TrainingError.diverged(step: position.step, what: "the discriminator loss")
        }
        if let g = report.generatorLoss, !g.isFinite {
            throw TrainingError.diverged(step: position.step, what: "the generator loss")
        }
    }

    /// Saves weights, optimizer state, random streams and position. Refuses non-finite weights,
    /// so a diverged run never replaces a good file.
    public func save(to path: String) throws {
        for (role, network) in [("generator", model.generator), ("discriminator", model.discriminator)] {
            for (layer, parameter) in network.namedParameters where !parameter.value.isFinite {
                throw TrainingError.diverged(step: position.step, what: "\(role)/\(layer)/\(parameter.key)")
            }
        }
        try ModelFile.save(
            model: model, configuration: configuration, position: position,
            optimizers: (trainer.generatorOptimizer, trainer.discriminatorOptimizer),
            randomStates: ["noise": trainer.noiseRNG, "shuffle": shuffleRNG], to: path)
    }
}
