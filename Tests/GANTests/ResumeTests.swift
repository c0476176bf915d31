import Foundation
import GANCore
import GANData
import GANLayers
import GANZoo
import Testing

@Suite("Checkpoints and exact resume")
struct ResumeTests {
    static func configuration(_ architecture: String, optimizer: OptimizerConfiguration.Kind) throws -> TrainingConfiguration {
        var configuration = Support.tinyConfiguration(epochs: 3)
        configuration.architecture = architecture
        configuration.generatorOptimizer.kind = optimizer
        configuration.generatorOptimizer.learningRate = optimizer == .sgd ? 0.1 : 0.001
        configuration.generatorOptimizer.schedule = .paper
        configuration.discriminatorOptimizer = configuration.generatorOptimizer
        configuration.k = 2
        return configuration
    }

    /// Everything a checkpoint holds, as bits: weights, statistics, optimizer state, streams.
    static func state(_ session: TrainingSession) -> [String] {
        var lines: [String] = []
        for (role, network) in [("G", session.model.generator), ("D", session.model.discriminator)] {
            for (layer, parameter) in network.namedParameters {
                lines.append("\(role)/\(layer)/\(parameter.key) \(parameter.value.array.map(\.bitPattern))")
            }
            lines.append("\(role) streams \(network.layers.flatMap(\.randomStates).map(\.state))")
        }
        for (role, optimizer) in [("G", session.trainer.generatorOptimizer), ("D", session.trainer.discriminatorOptimizer)] {
            // (The learning rate itself is re-derived from the schedule before every step.)
            lines.append("\(role) optimizer step \(optimizer.stepCount)")
            for (name, tensors) in optimizer.state.sorted(by: { $0.key < $1.key }) {
                lines.append("\(role) \(name) \(tensors.map { $0.array.map(\.bitPattern) })")
            }
        }
        lines.append("noise \(session.trainer.noiseRNG.state) shuffle \(session.shuffleRNG.state) position \(session.position)")
        return lines
    }

    /// The differing lines, shortened, for a readable failure.
    static func differences(_ a: [String], _ b: [String]) -> [String] {
        guard a.count == b.count else { return ["\(a.count) vs \(b.count) lines"] }
        return zip(a, b).filter { $0 != $1 }.map { String($0.0.prefix(80)) + " ... != " + String($0.1.prefix(80)) }
    }

    @Test(arguments: ["mlp", "mlp-batchnorm"], [OptimizerConfiguration.Kind.sgd, .adam])
    func interruptedMidEpochAndResumedIsBitIdentical(architecture: String, optimizer: OptimizerConfiguration.Kind) throws {
        let configuration = try Self.configuration(architecture, optimizer: optimizer)
        let straight = try TrainingSession(configuration: configuration)
        while !straight.isFinished { _ = try straight.step() }

        let first = try TrainingSession(configuration: configuration)
        for _ in 0..<23 { _ = try first.step() }  // 16 steps per epoch: stop 7 steps into epoch 2
        #expect(first.position == TrainingPosition(epoch: 1, step: 23, epochStep: 7))
        let path = Support.temporaryFolder() + "/checkpoint.h5"
        try first.save(to: path)
        let resumed = try TrainingSession.resume(from: path)
        let restored = Self.differences(Self.state(resumed), Self.state(first))
        #expect(restored.isEmpty, "the checkpoint restores every value: \(restored.prefix(3))")
        while !resumed.isFinished { _ = try resumed.step() }
        let final = Self.differences(Self.state(resumed), Self.state(straight))
        #expect(final.isEmpty, "resumed vs uninterrupted: \(final.prefix(3))")
        #expect(resumed.history.map(\.discriminatorLoss) == straight.history.map(\.discriminatorLoss))
        #expect(resumed.history.map(\.generatorLoss) == straight.history.map(\.generatorLoss))
    }

    @Test func trainingOnPastTheOriginalEpochs() throws {
        var configuration = try Self.configuration("mlp", optimizer: .sgd)
        configuration.epochs = 1
        let short = try TrainingSession(configuration: configuration)
        try short.trainEpoch()
        let path = Support.temporaryFolder() + "/one-epoch.h5"
        try short.save(to: path)
        let finished = try TrainingSession.resume(from: path)
        #expect(finished.isFinished)
        let longer = try TrainingSession.resume(from: path, epochs: 2)
        #expect(!longer.isFinished && longer.configuration.epochs == 2)
        try longer.trainEpoch()
        configuration.epochs = 2
        let straight = try TrainingSession(configuration: configuration)
        try straight.trainEpoch()
        try straight.trainEpoch()
        #expect(Self.differences(Self.state(longer), Self.state(straight)).isEmpty)
    }

    @Test func weightsWithoutStateAndChangedDataAreRefused() throws {
        let session = try TrainingSession(configuration: Self.configuration("mlp", optimizer: .sgd))
        try session.trainEpoch()
        let folder = Support.temporaryFolder()
        try ModelFile.save(model: session.model, configuration: session.configuration, position: session.position,
                           optimizers: nil, randomStates: [:], to: folder + "/weights-only.h5")
        #expect { try TrainingSession.resume(from: folder + "/weights-only.h5") } throws: { "\($0)".contains("not a checkpoint") }

        // A checkpoint of a run on a data folder whose contents then change.
        let data = Support.temporaryFolder("data")
        let source = try DatasetFolder.shippedSubset().path
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"] {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: data + "/" + name)
        }
        var configuration = Support.tinyConfiguration()
        configuration.dataPath = data
        let onFolder = try TrainingSession(configuration: configuration)
        _ = try onFolder.step()
        try onFolder.save(to: folder + "/checkpoint.h5")
        let images = try IDXArray(contentsOf: data + "/train-images-idx3-ubyte.gz")
        let labels = try IDXArray(contentsOf: data + "/train-labels-idx1-ubyte.gz")
        let keep = 1800  // rows are sorted by digit: this keeps 200 of the 400 fours
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"] { try FileManager.default.removeItem(atPath: data + "/" + name) }
        try Data(IDXArray(shape: [keep, 28, 28], bytes: Array(images.bytes.prefix(keep * 784))).encoded)
            .write(to: URL(fileURLWithPath: data + "/train-images-idx3-ubyte"))
        try Data(IDXArray(shape: [keep], bytes: Array(labels.bytes.prefix(keep))).encoded)
            .write(to: URL(fileURLWithPath: data + "/train-labels-idx1-ubyte"))
        #expect { try TrainingSession.resume(from: folder + "/checkpoint.h5") } throws: {
            "\($0)".contains("/state/order") && "\($0)".contains("the same --data")
        }
        // Same number of fours, other pixels: the data's fingerprint catches it.
        try FileManager.default.removeItem(atPath: data + "/train-images-idx3-ubyte")
        try FileManager.default.removeItem(atPath: data + "/train-labels-idx1-ubyte")
        try Data(IDXArray(shape: images.shape, bytes: images.bytes.map { 255 - $0 }).encoded)
            .write(to: URL(fileURLWithPath: data + "/train-images-idx3-ubyte"))
        try Data(labels.encoded).write(to: URL(fileURLWithPath: data + "/train-labels-idx1-ubyte"))
        #expect { try TrainingSession.resume(from: folder + "/checkpoint.h5") } throws: {
            "\($0)".contains("/state") && "\($0)".contains("fingerprint")
        }
    }
}
