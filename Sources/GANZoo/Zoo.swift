import Foundation
import GANEvaluation
import GANData
import GANStorage

/// The zoo: one folder per model under `models/`, each with a recipe (`recipe.json` or
/// `recipe.yaml`), a model card (`README.md`), and, once published, `metrics.json` (what
/// `gan zoo publish` measured), `samples.png`, `nearest.png` and `weights.h5`.
public enum Zoo {
    /// `GAN_ZOO_MODELS` when set, else the repository's `models/` (found from this source file,
    /// as the shipped data is).
    public static var folder: String {
        if let override = ProcessInfo.processInfo.environment["GAN_ZOO_MODELS"] { return override }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../models").standardized.path
    }

    /// The shipped weights of all models together should stay about this small (the repository
    /// carries them); a model over the rest of the budget ships its card and recipe only.
    /// 32 MB since the conditional and convolutional models joined the five MLPs (20 MB before).
    public static let weightsBudgetBytes = 32 * 1024 * 1024

    /// Every model folder (a folder with a recipe), sorted by name.
    public static func models() throws -> [ZooModel] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().compactMap { ZooModel(name: $0, folder: folder + "/" + $0) }
    }

    public static func model(named name: String) throws -> ZooModel {
        let all = try models()
        guard let model = all.first(where: { $0.name == name }) else {
            throw TrainingError.invalidConfiguration("unknown zoo model '\(name)'; the zoo has: "
                + (all.isEmpty ? "nothing (no models/ folder at \(folder))" : all.map(\.name).joined(separator: ", ")))
        }
        return model
    }
}

public struct ZooModel: Sendable {
    public let name: String
    public let folder: String
    public let recipePath: String

    public init?(name: String, folder: String) {
        let candidates = ["recipe.json", "recipe.yaml", "recipe.yml"].map { folder + "/" + $0 }
        guard let recipe = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else { return nil }
        self.name = name
        self.folder = folder
        recipePath = recipe
    }

    public var cardPath: String { folder + "/README.md" }
    public var weightsPath: String { folder + "/weights.h5" }
    public var metricsPath: String { folder + "/metrics.json" }
    public var samplesPath: String { folder + "/samples.png" }
    public var nearestPath: String { folder + "/nearest.png" }
    /// The training curves (an SVG drawn from the history in the weights), when it has one.
    public var curvesPath: String { folder + "/curves.svg" }
    public var hasWeights: Bool { FileManager.default.fileExists(atPath: weightsPath) }
    /// Size of the shipped `weights.h5`; nil when there is none.
    public var weightsBytes: Int? { try? ZooPublisher.fileSize(weightsPath) }
    /// Where `gan zoo train NAME` writes by default (a full checkpoint, relative to the working folder).
    public var trainedPath: String { "out/zoo/\(name).h5" }

    public func configuration() throws -> TrainingConfiguration {
        try TrainingConfiguration.recipe(contentsOf: recipePath)
    }

    /// What was measured when the model was published; nil before that.
    public func metrics() throws -> ZooMetrics? {
        guard let data = FileManager.default.contents(atPath: metricsPath) else { return nil }
        do {
            return try JSONDecoder().decode(ZooMetrics.self, from: data)
        } catch {
            throw TrainingError.invalidConfiguration("\(metricsPath): does not decode: \(error)")
        }
    }

    /// The weights to sample: the shipped ones, else a local `gan zoo train NAME` result.
    public func resolvedWeights() throws -> String {
        if hasWeights { return weightsPath }
        if FileManager.default.fileExists(atPath: trainedPath) { return trainedPath }
        throw TrainingError.invalidConfiguration("zoo model '\(name)' ships no weights (see \(cardPath)) and \(trainedPath) "
                                                 + "does not exist; reproduce them with: gan zoo train \(name)")
    }
}

/// What `gan zoo publish` measured for a model card; the card's numbers are rendered from it.
public struct ZooMetrics: Codable, Sendable, Equatable {
    public struct FinalEpoch: Codable, Sendable, Equatable {
        public var epoch: Int
        public var discriminatorLoss: Double
        public var generatorLoss: Double
        public var realScore: Double
        public var fakeScore: Double
    }

    public var name: String
    public var generatorArchitecture: String
    public var discriminatorArchitecture: String
    public var loss: String
    public var data: String
    public var labels: [Int]?
    public var trainingImages: Int
    public var epochs: Int
    public var steps: Int
    public var generatorParameters: Int
    public var discriminatorParameters: Int
    public var trainSeconds: Double
    public var threads: Int
    public var machine: String
    public var finalEpoch: FinalEpoch
    public var parzen: ParzenResult
    public var frechet: FrechetResult
    /// Size of the shipped `weights.h5`; nil when the weights are not shipped.
    public var weightsBytes: Int?
    /// Whether the shipped weights include the discriminator (false: a generator-only export).
    public var weightsIncludeDiscriminator: Bool?
    public var createdBy: String
    public var date: String
}
