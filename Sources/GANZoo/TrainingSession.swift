import Foundation
import GANCore
import GANData
import GANLayers
import GANTensor

/// One epoch's averages.
public struct EpochSummary: Sendable, Equatable {
    public var epoch: Int
    public var discriminatorLoss: Float
    public var generatorLoss: Float
    public var realScore: Float
    public var fakeScore: Float
    public var samplesPerSecond: Double
    public var seconds: Double

    public init(epoch: Int, discriminatorLoss: Float, generatorLoss: Float, realScore: Float, fakeScore: Float,
                samplesPerSecond: Double, seconds: Double) {
        self.epoch = epoch
        self.discriminatorLoss = discriminatorLoss
        self.generatorLoss = generatorLoss
        self.realScore = realScore
        self.fakeScore = fakeScore
        self.samplesPerSecond = samplesPerSecond
        self.seconds = seconds
    }
}

/// Sums over the steps of the epoch in progress (part of a checkpoint, so a run resumed
/// mid-epoch reports the same epoch line).
struct EpochAccumulator: Equatable {
    var discriminatorLoss = 0.0, generatorLoss = 0.0, realScore = 0.0, fakeScore = 0.0
    var generatorSteps = 0, steps = 0, samples = 0, seconds = 0.0

    var values: [Double] {
        [discriminatorLoss, generatorLoss, realScore, fakeScore, Double(generatorSteps), Double(steps), Double(samples), seconds]
    }

    init() {}
    init(values: [Double]) {
        (discriminatorLoss, generatorLoss, realScore, fakeScore) = (values[0], values[1], values[2], values[3])
        (generatorSteps, steps, samples, seconds) = (Int(values[4]), Int(values[5]), Int(values[6]), values[7])
    }
}

/// A training run: data, model, optimizers and the trainer, wired from a configuration.
/// Its whole state (weights, optimizer moments, random streams, data order, position, history)
/// goes into a checkpoint, and a session restored from one continues bit for bit.
public final class TrainingSession {
    public internal(set) var configuration: TrainingConfiguration
    public let model: GANModel
    public let data: Dataset
    public let trainer: AdversarialTrainer
    public internal(set) var position = TrainingPosition()
    public internal(set) var shuffleRNG: RandomGenerator
    public internal(set) var history: [EpochSummary] = []

    var order: [Int]
    var accumulator = EpochAccumulator()
    private let batch: Tensor
    /// The real rows' classes (conditional runs): the data's labels.
    private var batchLabels: [Int]
    private var stepStart = Date()

    public init(configuration: TrainingConfiguration, data: Dataset? = nil) throws {
        try configuration.validate()
        var configuration = configuration
        configuration.threads = BLASThreads.resolved(configuration.threads)  // the file records the count used
        self.configuration = configuration
        let loaded = try data ?? TrainingSession.loadData(configuration)
        guard loaded.sampleSize == configuration.problem.sampleSize else {
            throw TrainingError.invalidConfiguration(
                "the data's images are \(loaded.sampleShape) but the problem expects \(configuration.problem.sampleShape) "
                + "(a --recipe's problem.sampleShape sets the image shape; there is no flag for it)")
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
        if configuration.conditional { problem.classes = Classes(labels: loaded.labels) }
        model = try GANModel(configuration: configuration, problem: problem)
        try Self.checkBatchBuffers(model, batchSize: configuration.batchSize)
        // The recipe a file stores spells out the plugins' configurations, so that it means the
        // same networks after a plugin's default changes.
        self.configuration = ModelFile.completed(configuration, generator: model.generatorArchitecture,
                                                 discriminator: model.discriminatorArchitecture)
        trainer = AdversarialTrainer(
            generator: model.generator, discriminator: model.discriminator, loss: loss,
            problem: problem,
            generatorOptimizer: configuration.generatorOptimizer.make(for: model.generator.trainableParameters),
            discriminatorOptimizer: configuration.discriminatorOptimizer.make(for: model.discriminator.trainableParameters),
            k: configuration.k, mode: configuration.mode, discriminatorObjective: configuration.discriminatorObjective,
            noiseRNG: RandomGenerator(seed: configuration.seed, stream: RandomStream.noise),
            labelRNG: RandomGenerator(seed: configuration.seed, stream: RandomStream.trainingLabels))
        shuffleRNG = RandomGenerator(seed: configuration.seed, stream: RandomStream.shuffle)
        batch = Tensor(shape: [configuration.batchSize, loaded.sampleSize])
        batchLabels = [Int](repeating: 0, count: configuration.conditional ? configuration.batchSize : 0)
        order = Array(0..<loaded.count)
    }

    /// The training split of the configured folder (or the shipped subset), label-filtered.
    /// Refuses a batch whose buffers would pass `Limits.maximumBatchBufferBytes` before any is
    /// allocated: the generator runs on B rows, the discriminator on 2B (real and generated).
    static func checkBatchBuffers(_ model: GANModel, batchSize: Int) throws {
        let floats = model.generator.floatsPerRow + 2 * model.discriminator.floatsPerRow
        let perImage = MemoryLayout<Float>.size * floats
        let largest = Limits.maximumBatchBufferBytes / perImage
        guard batchSize <= largest else {
            let gigabytes = Double(perImage) * Double(batchSize) / Double(1 << 30)
            throw TrainingError.invalidConfiguration(
                "batch size \(batchSize): the networks' buffers would take \(String(format: "%.1f", gigabytes)) GiB "
                + "(\(perImage / 1024) KiB per image), more than the limit of \(Limits.maximumBatchBufferBytes >> 30) GiB; "
                + (largest > 0 ? "this model trains with a batch size of at most \(largest)" : "this model is too large to train here"))
        }
    }

    public static func loadData(_ configuration: TrainingConfiguration) throws -> Dataset {
        let folder = try DatasetFolder.resolve(configuration.dataPath)
        var data = try folder.load(.train)
        try checkSplit(data, configuration.validationSplit, source: folder.path)
        // Split before filtering labels: the held-out rows are the same whichever labels train.
        if configuration.holdOutValidation { data = data.splitValidation(configuration.validationSplit).training }
        if let digits = configuration.digits {
            data = try data.filtered(labels: Set(digits.map { UInt8($0) }), source: folder.path)
        }
        return data
    }

    /// `last-rows` on a set sorted by label (the shipped subset) would hold out whole labels:
    /// refused, since neither training nor the Parzen width would then see every label.
    static func checkSplit(_ data: Dataset, _ split: ValidationSplit, source: String) throws {
        guard split == .lastRows else { return }
        let (training, validation) = data.splitValidation(split)
        let all = Set(data.labels), trained = Set(training.labels), held = Set(validation.labels)
        func names(_ labels: Set<UInt8>) -> String { labels.sorted().map(String.init).joined(separator: ", ") }
        let untrained = all.subtracting(trained), unheld = all.subtracting(held)
        guard untrained.isEmpty && unheld.isEmpty else {
            throw TrainingError.invalidConfiguration(
                "\(source): validationSplit last-rows trains on no image of label(s) \(names(untrained)) and holds out none of "
                + "label(s) \(names(unheld)) (the set is sorted by label); use per-label")
        }
    }

    /// Ends the run at the epoch just completed (a plateau stop): the recorded total becomes this
    /// epoch, so the saved file is a finished run, reproduced exactly by a recipe with these epochs
    /// (no schedule depends on the total).
    public func stopAtCurrentEpoch() {
        precondition(position.epochStep == 0, "a run stops only between epochs")
        configuration.epochs = position.epoch
    }

    /// The held-out validation images of this run's data (label-filtered), or nil when the
    /// run trains on them (no `holdOutValidation`).
    public func validationImages() throws -> Dataset? {
        guard configuration.holdOutValidation else { return nil }
        let folder = try DatasetFolder.resolve(configuration.dataPath)
        var held = try folder.load(.train).splitValidation(configuration.validationSplit).validation
        if let digits = configuration.digits {
            held = try held.filtered(labels: Set(digits.map { UInt8($0) }), source: folder.path)
        }
        return held
    }

    public var batchesPerEpoch: Int { (data.count + configuration.batchSize - 1) / configuration.batchSize }
    public var isFinished: Bool { position.epoch >= configuration.epochs }

    /// Trains one minibatch: shuffles at the start of an epoch, applies the schedules, checks the
    /// losses, and returns the epoch's summary when this step completed it.
    public func step() throws -> (report: StepReport, epoch: EpochSummary?) {
        if position.epochStep == 0 { shuffleRNG.shuffle(&order) }
        stepStart = Date()
        let size = data.sampleSize
        let first = position.epochStep * configuration.batchSize
        let rows = min(configuration.batchSize, data.count - first)
        data.images.withUnsafeBufferPointer { images in
            for row in 0..<rows {
                (batch.pointer + row * size).update(from: images.baseAddress! + order[first + row] * size, count: size)
            }
        }
        for row in 0..<(configuration.conditional ? rows : 0) { batchLabels[row] = Int(data.labels[order[first + row]]) }
        configuration.generatorOptimizer.applySchedule(to: trainer.generatorOptimizer, epoch: position.epoch + 1)
        configuration.discriminatorOptimizer.applySchedule(to: trainer.discriminatorOptimizer, epoch: position.epoch + 1)
        let report = batchLabels.withUnsafeBufferPointer { labels in
            trainer.step(realBatch: batch.pointer, labels: configuration.conditional ? labels.baseAddress : nil, batchSize: rows)
        }
        try checkFinite(report, step: position.step + 1)
        position.step += 1
        position.epochStep += 1
        accumulate(report, rows: rows)
        guard position.epochStep == batchesPerEpoch else { return (report, nil) }
        return (report, finishEpoch())
    }

    /// Trains to the end of the current epoch. `progress` gets (batches done, batches in the epoch).
    @discardableResult
    public func trainEpoch(progress: (Int, Int) -> Void = { _, _ in }) throws -> EpochSummary {
        while true {
            let (_, summary) = try step()
            progress(position.epochStep == 0 ? batchesPerEpoch : position.epochStep, batchesPerEpoch)
            if let summary { return summary }
        }
    }

    private func accumulate(_ report: StepReport, rows: Int) {
        accumulator.discriminatorLoss += Double(report.discriminatorLoss)
        accumulator.realScore += Double(report.realScore)
        accumulator.fakeScore += Double(report.fakeScore)
        if let g = report.generatorLoss {
            accumulator.generatorLoss += Double(g)
            accumulator.generatorSteps += 1
        }
        accumulator.steps += 1
        accumulator.samples += rows
        accumulator.seconds += Date().timeIntervalSince(stepStart)
    }

    /// The averages of the epoch in progress over its steps so far (`epochStepsSoFar`): the
    /// running figures of the progress line and the metrics log. A checkpoint keeps the sums, so
    /// a resumed run continues the same averages.
    public var epochSoFar: EpochSummary {
        let a = accumulator, steps = Double(max(a.steps, 1))
        return EpochSummary(
            epoch: position.epoch + 1, discriminatorLoss: Float(a.discriminatorLoss / steps),
            generatorLoss: Float(a.generatorLoss / Double(max(a.generatorSteps, 1))),
            realScore: Float(a.realScore / steps), fakeScore: Float(a.fakeScore / steps),
            samplesPerSecond: Double(a.samples) / max(a.seconds, 1e-9), seconds: a.seconds)
    }

    public var epochStepsSoFar: Int { accumulator.steps }

    /// Seconds spent in training steps since the run began, resumed runs included.
    public var elapsedSeconds: Double { history.reduce(0) { $0 + $1.seconds } + accumulator.seconds }

    private func finishEpoch() -> EpochSummary {
        let summary = epochSoFar
        position.epoch += 1
        position.epochStep = 0
        history.append(summary)
        accumulator = EpochAccumulator()
        return summary
    }

    private func checkFinite(_ report: StepReport, step: Int) throws {
        if !report.discriminatorLoss.isFinite {
            throw TrainingError.diverged(step: step, what: "the discriminator's loss (\(configuration.loss))")
        }
        if let g = report.generatorLoss, !g.isFinite {
            throw TrainingError.diverged(step: step, what: "the generator's loss (\(configuration.loss))")
        }
    }

    /// The first non-finite parameter, as "generator/dense_0/kernel", if any.
    public func firstNonFiniteParameter() -> String? {
        for (role, network) in [("generator", model.generator), ("discriminator", model.discriminator)] {
            for (layer, parameter) in network.namedParameters where !parameter.value.isFinite {
                return "\(role)/\(layer)/\(parameter.key)"
            }
        }
        return nil
    }

    /// Saves the whole state. Refuses non-finite weights, so a diverged run never replaces a
    /// good file.
    public func save(to path: String) throws {
        if let bad = firstNonFiniteParameter() {
            throw TrainingError.diverged(step: position.step, what: "the weights (\(bad))")
        }
        try ModelFile.save(session: self, to: path)
    }
}
