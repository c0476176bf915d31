import Foundation
import GANEvaluation
import GANCore
import GANData
import GANLogging
import GANStorage
import GANTensor

/// `gan zoo publish`: measures a trained model and writes its zoo folder: `metrics.json`, the
/// card's measured block, `samples.png`, `nearest.png`, and `weights.h5` (a weights-only export)
/// when it fits the zoo's weights budget.
public enum ZooPublisher {
    /// `trained` must be a finished run of the model's recipe (as `gan zoo train` writes it);
    /// its training history gives the wall time. `say` reports progress.
    @discardableResult
    public static func publish(_ model: ZooModel, trained: String, zooFolder: String = Zoo.folder,
                               budget: Int = Zoo.weightsBudgetBytes, say: (String) -> Void = { _ in }) throws -> ZooMetrics {
        let recipe = try model.configuration()
        let session = try TrainingSession.resume(from: trained)
        // The recipe completed as a file's is (`ModelFile.completed`): fields it leaves out are the file's.
        var ran = session.configuration
        var wanted = ModelFile.completed(recipe, generator: session.model.generatorArchitecture,
                                         discriminator: session.model.discriminatorArchitecture)
        ran.threads = 0
        wanted.threads = 0
        guard ran == wanted else {
            throw TrainingError.invalidConfiguration("\(trained) was not trained from \(model.recipePath) (its stored recipe differs); "
                                                     + "train it with: gan zoo train \(model.name)")
        }
        guard session.isFinished, let last = session.history.last else {
            throw TrainingError.invalidConfiguration("\(trained) has trained \(session.position.epoch) of \(recipe.epochs) epochs; "
                                                     + "finish it first: gan train --resume \(trained) --out \(trained)")
        }
        // The resumed session already holds the trained networks and the training images.
        let contents = ModelFile.Contents(configuration: session.configuration, position: session.position,
                                          model: session.model, path: trained, history: session.history)
        let (parzen, frechet) = try measure(contents, name: model.name, data: recipe.dataPath, say: say)

        // Weights first, into a temporary name: nothing in the folder changes until all is measured.
        // Both networks when they fit the budget, else the generator alone (all that sampling and
        // evaluation need), else none.
        let exported = model.folder + "/.weights.h5.new"
        defer { try? FileManager.default.removeItem(atPath: exported) }
        let others = try otherShippedBytes(excluding: model, zooFolder: zooFolder)
        var shipped: (bytes: Int, discriminator: Bool)?
        for includeDiscriminator in [true, false] {
            try ModelFile.exportWeights(contents, to: exported, includeDiscriminator: includeDiscriminator)
            let size = try fileSize(exported)
            say(String(format: "weights-only export%@: %.1f MB; the rest of the zoo ships %.1f MB (budget %.0f MB): %@",
                       includeDiscriminator ? "" : " of the generator alone", Double(size) / 1_048_576, Double(others) / 1_048_576,
                       Double(budget) / 1_048_576, others + size <= budget ? "shipped" : "over budget"))
            if others + size <= budget {
                shipped = (size, includeDiscriminator)
                break
            }
        }

        let (samples, _) = contents.model.defaultGrid()  // a conditional model: one row of 8 per class
        let (pairs, _) = contents.model.sample(count: 16, seed: 0)
        let metrics = ZooMetrics(
            name: model.name, generatorArchitecture: recipe.generatorPlugin, discriminatorArchitecture: recipe.discriminatorPlugin,
            loss: recipe.loss, data: recipe.dataPath ?? Classifier.shippedSubsetLabel, labels: recipe.digits,
            trainingImages: session.data.count, epochs: session.position.epoch, steps: session.position.step,
            generatorParameters: contents.model.generator.parameterCount,
            discriminatorParameters: contents.model.discriminator.parameterCount,
            trainSeconds: session.history.reduce(0) { $0 + $1.seconds }, threads: session.configuration.threads, machine: machineDescription(),
            finalEpoch: .init(epoch: last.epoch, discriminatorLoss: Double(last.discriminatorLoss), generatorLoss: Double(last.generatorLoss),
                              realScore: Double(last.realScore), fakeScore: Double(last.fakeScore)),
            parzen: parzen, frechet: frechet, weightsBytes: shipped?.bytes,
            weightsIncludeDiscriminator: shipped?.discriminator,
            createdBy: "gan-zoo \(GANZooVersion.string)", date: ISO8601DateFormatter().string(from: Date()).prefix(10).description)
        let card = FileManager.default.contents(atPath: model.cardPath).map { String(decoding: $0, as: UTF8.self) }
        let block = ZooCard.block(metrics, configuration: recipe, recipeFile: URL(fileURLWithPath: model.recipePath).lastPathComponent,
                                  curves: shipped != nil)
        let newCard = try ZooCard.updated(card: card, name: model.name, block: block)

        try writeCurves(model, history: shipped != nil ? session.history : [])
        try writeAtomically(SampleGrid.png(contents.model, samples: samples, columns: 8), to: model.samplesPath)
        try writeAtomically(SampleGrid.nearestPNG(contents.model, samples: pairs, training: session.data, columns: 4), to: model.nearestPath)
        try writeAtomically(Array(ConfigurationCoding.encode(metrics, pretty: true).utf8) + [10], to: model.metricsPath)
        try writeAtomically(Array(newCard.utf8), to: model.cardPath)
        if shipped != nil {
            try FileManager.default.moveItemReplacing(exported, model.weightsPath)
        } else if model.hasWeights {
            try FileManager.default.removeItem(atPath: model.weightsPath)
        }
        return metrics
    }

    /// The card's `curves.svg` from `history`; removed when there is none to draw.
    static func writeCurves(_ model: ZooModel, history: [EpochSummary]) throws {
        if history.isEmpty {
            if FileManager.default.fileExists(atPath: model.curvesPath) { try FileManager.default.removeItem(atPath: model.curvesPath) }
        } else {
            try writeAtomically(Array(TrainingCurves(title: model.name, history: history).svg.utf8), to: model.curvesPath)
        }
    }

    /// Bytes of every shipped weights or classifier file in the zoo except `model`'s weights.
    static func otherShippedBytes(excluding model: ZooModel, zooFolder: String) throws -> Int {
        var total = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: zooFolder)) ?? [] {
            for file in ["weights.h5", "classifier.h5"] {
                let path = zooFolder + "/" + name + "/" + file
                guard path != model.weightsPath, FileManager.default.fileExists(atPath: path) else { continue }
                total += try fileSize(path)
            }
        }
        return total
    }

    static func fileSize(_ path: String) throws -> Int {
        guard let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber else {
            throw TrainingError.invalidConfiguration("\(path): cannot read its size")
        }
        return size.intValue
    }

    /// "2-core AMD EPYC" (from /proc/cpuinfo on Linux).
    public static func machineDescription() -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let cpu = info.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "CPU"
        return "a \(cores)-core \(cpu)"
    }
}

/// Writes bytes atomically (a temporary file in the same folder, then rename), so a failure
/// never leaves a half-written file in place of a good one; an existing device or FIFO is
/// refused rather than replaced (see `AtomicFile`).
public func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    try AtomicFile.write(bytes, to: path)
}

extension FileManager {
    /// rename(2): replaces `destination` in one step.
    func moveItemReplacing(_ source: String, _ destination: String) throws {
        guard rename(source, destination) == 0 else {
            throw TrainingError.invalidConfiguration("cannot move \(source) to \(destination): \(String(cString: strerror(errno)))")
        }
    }
}
