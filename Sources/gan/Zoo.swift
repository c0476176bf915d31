import ArgumentParser
import Foundation
import GANCore
import GANData
import GANTensor
import GANZoo

struct ZooCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zoo",
        abstract: "The model zoo (models/): list its models, reproduce one from its recipe, publish or re-measure its card.",
        subcommands: [ZooList.self, ZooTrain.self, ZooPublish.self, ZooMeasure.self])
}

struct ZooList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the zoo's models with their headline numbers, grouped by the test set they were measured on.",
        discussion: """
            Scores compare only on the same test images: the rows are grouped by test set (TEST SET: the data, the \
            labels, the number of test images) and --sort orders each group on its own.
            """)

    enum SortKey: String, ExpressibleByArgument, CaseIterable { case name, parzen, frechet, kid }

    @Flag(help: "Print the models and their metrics as JSON.")
    var json = false

    @Option(help: "Order within each test set: name, parzen (highest first), frechet or kid (lowest first).")
    var sort: SortKey = .name

    func run() throws {
        let models = try Zoo.models()
        guard !models.isEmpty else {
            throw CLIError("no models in \(Zoo.folder) (a model is a folder with a recipe.json; set GAN_ZOO_MODELS to use another zoo)")
        }
        var entries: [(model: ZooModel, recipe: TrainingConfiguration, metrics: ZooMetrics?, testSet: String)] = []
        for model in models {
            let recipe = try model.configuration(), metrics = try model.metrics()
            entries.append((model, recipe, metrics, Self.testSet(recipe, metrics)))
        }
        if json {
            print(ConfigurationCoding.encode(entries.map {
                ZooListEntry(name: $0.model.name, recipe: $0.model.recipePath, weights: $0.model.hasWeights ? $0.model.weightsPath : nil,
                             testSet: $0.testSet, metrics: $0.metrics)
            }, pretty: true))
            return
        }
        let groups = Dictionary(grouping: entries, by: \.testSet).sorted { $0.key < $1.key }
        var rows = [["NAME", "GENERATOR / DISCRIMINATOR", "LOSS", "TEST SET", "EPOCHS", "PARZEN", "FRECHET", "KID", "PREC / REC", "TRAIN", "WEIGHTS"]]
        for (_, group) in groups {
            if rows.count > 1 { rows.append([]) }
            for entry in group.sorted(by: { sort.ordered($0.metrics, $1.metrics) ?? ($0.model.name < $1.model.name) }) {
                rows.append(Self.row(entry.model, entry.recipe, entry.metrics, testSet: entry.testSet))
            }
        }
        let widths = rows[0].indices.map { column in rows.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        for row in rows {
            print(zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
        }
        if groups.count > 1 { print("\nScores compare within a test set only; the groups above are measured on different images.") }
    }

    /// The images the scores were measured on: the data's name, its labels, how many test images.
    static func testSet(_ recipe: TrainingConfiguration, _ metrics: ZooMetrics?) -> String {
        let data = metrics?.parzen.data ?? recipe.dataPath
        let name = data.map { $0 == "shipped MNIST subset" ? "mnist-subset" : URL(fileURLWithPath: $0).lastPathComponent } ?? "mnist-subset"
        let labels = (metrics != nil ? metrics?.parzen.labels : recipe.digits).map { " [" + $0.map(String.init).joined(separator: ",") + "]" } ?? ""
        return name + labels + (metrics.map { ", \($0.parzen.testImages) test images" } ?? ", not measured")
    }

    static func row(_ model: ZooModel, _ recipe: TrainingConfiguration, _ metrics: ZooMetrics?, testSet: String) -> [String] {
        let weights = model.weightsBytes.map {
            String(format: "%.1f MB", Double($0) / 1_048_576) + (metrics?.weightsIncludeDiscriminator == false ? " (G only)" : "")
        } ?? "gan zoo train \(model.name)"
        return [
            model.name,
            recipe.generatorPlugin == recipe.discriminatorPlugin ? recipe.generatorPlugin : "\(recipe.generatorPlugin) / \(recipe.discriminatorPlugin)",
            recipe.loss, testSet, String(recipe.epochs),
            metrics.map { String(format: "%.1f ± %.1f", $0.parzen.mean, $0.parzen.standardError) } ?? "-",
            metrics.map { String(format: "%.2f", $0.frechet.distance) } ?? "-",
            metrics?.frechet.kid.map { String(format: "%.4f", $0.mean) } ?? "-",
            metrics?.frechet.precisionRecall.map { String(format: "%.2f / %.2f", $0.precision, $0.recall) } ?? "-",
            metrics.map { $0.trainSeconds < 120 ? String(format: "%.0f s", $0.trainSeconds) : String(format: "%.1f min", $0.trainSeconds / 60) } ?? "-",
            weights,
        ]
    }
}

extension ZooList.SortKey {
    /// Whether `a` comes before `b` by this key; nil when the key does not decide (name, or a model not measured).
    func ordered(_ a: ZooMetrics?, _ b: ZooMetrics?) -> Bool? {
        guard let a, let b else { return a != nil && b == nil ? true : nil }
        switch self {
        case .name: return nil
        case .parzen: return a.parzen.mean == b.parzen.mean ? nil : a.parzen.mean > b.parzen.mean
        case .frechet: return a.frechet.distance == b.frechet.distance ? nil : a.frechet.distance < b.frechet.distance
        case .kid:
            guard let x = a.frechet.kid?.mean, let y = b.frechet.kid?.mean, x != y else { return nil }
            return x < y
        }
    }
}

struct ZooListEntry: Codable {
    var name: String
    var recipe: String
    var weights: String?
    /// The images the metrics were measured on (TEST SET in the table).
    var testSet: String
    var metrics: ZooMetrics?
}

struct ZooTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Reproduce a zoo model from its recipe (a full checkpoint; the shipped weights are not touched).")

    @Argument(help: "The model (see `gan zoo list`).", completion: zooModelNames)
    var name: String

    @Option(help: "Weights file to write. (default: out/zoo/NAME.h5)")
    var out: String?

    @Option(name: .customLong("samples-dir"), help: "Write an 8x8 sample grid PNG here after every epoch.")
    var samplesDir: String?

    @Option(help: "BLAS threads (0 = all cores). (default: the recipe's)")
    var threads: Int?

    @Flag(help: "Then measure the model and update its zoo folder, as `gan zoo publish NAME` does.")
    var publish = false

    func run() throws {
        let model = try Zoo.model(named: name)
        var configuration = try model.configuration()
        if let threads { configuration.threads = threads }
        do { _ = try DatasetFolder.resolve(configuration.dataPath) } catch {
            throw CLIError("\(model.recipePath) trains on \(configuration.dataPath ?? "mnist-subset"): \(error)")
        }
        let out = self.out ?? model.trainedPath
        catchInterrupts()
        try checkWritable(out, flag: "--out")
        if let samplesDir { try prepareSamplesFolder(samplesDir) }
        say("zoo model \(name): \(model.recipePath)")
        let session = try TrainingSession(configuration: configuration)
        let checkpoints = CheckpointPolicy(interval: nil, folder: CheckpointPolicy.defaultFolder(for: out), keep: 3)
        let log = try RunLog(out: out, logEvery: nil, tensorBoard: nil, session: session)
        try TrainingRun(session: session, out: out, samplesDir: samplesDir, checkpoints: checkpoints, onDivergence: .stop, log: log).run()
        if publish {
            try ZooPublisher.publish(model, trained: out, say: say)
            say("updated \(model.folder)")
        } else {
            say("measure it and update its card with: gan zoo publish \(name)" + (self.out.map { " --weights \($0)" } ?? ""))
        }
    }
}

struct ZooPublish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Measure a trained zoo model and write its folder: metrics.json, the card's numbers, sample grids, weights.h5.",
        discussion: """
            Runs `gan evaluate`'s Parzen and Frechet measurements, exports the weights without training state \
            (shuffle + deflate) and ships them when the zoo stays within its weights budget, draws samples.png \
            (64 samples, seed 0) and nearest.png (16 samples beside their nearest training images), writes \
            metrics.json and rewrites the measured block of the card's README.md. Nothing changes if a step fails.
            """)

    @Argument(help: "The model (see `gan zoo list`).", completion: zooModelNames)
    var name: String

    @Option(help: "The finished training run to publish. (default: out/zoo/NAME.h5)")
    var weights: String?

    @Option(help: "BLAS threads for the measurements (0 = all cores).")
    var threads = 0

    func run() throws {
        let model = try Zoo.model(named: name)
        BLASThreads.set(threads)
        try ZooPublisher.publish(model, trained: weights ?? model.trainedPath, say: say)
        say("updated \(model.folder)")
    }
}

struct ZooMeasure: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure",
        abstract: "Measure a published zoo model again from its shipped weights, without retraining.",
        discussion: """
            Runs the same measurements as `gan zoo publish` on the shipped weights.h5 and rewrites metrics.json's \
            measurements and the card's measured block. The weights, the grids and the training facts (epochs, \
            wall time, final losses) are not touched. Use it when the evaluation changes (a new classifier).
            """)

    @Argument(help: "The model (see `gan zoo list`).", completion: zooModelNames)
    var name: String

    @Option(help: "BLAS threads for the measurements (0 = all cores).")
    var threads = 0

    func run() throws {
        let model = try Zoo.model(named: name)
        BLASThreads.set(threads)
        try ZooPublisher.remeasure(model, say: say)
        say("updated \(model.metricsPath) and \(model.cardPath)")
    }
}
