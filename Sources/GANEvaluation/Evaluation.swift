import Foundation
import GANData
import GANTensor

/// The measurements of a model, shared by `gan evaluate` and the zoo's model cards.
public struct Evaluation {
    public let model: EvaluatedModel
    public let folder: DatasetFolder
    public let labels: [Int]?
    /// The test images (label-filtered, possibly cut to a limit).
    public let test: Dataset
    /// Where the zoo's classifiers live (for the Fréchet distance's default classifier).
    public let zooFolder: String

    /// `dataPath` and `labels` default to those the model was trained on.
    public init(_ model: EvaluatedModel, dataPath: String? = nil, labels: [Int]? = nil, testLimit: Int? = nil,
                zooFolder: String) throws {
        self.model = model
        self.zooFolder = zooFolder
        let path = dataPath ?? model.dataPath
        folder = try DatasetFolder.resolve(path)
        self.labels = labels ?? model.digits
        var test = try Self.filtered(folder.load(.test), labels: self.labels, folder: folder)
        if let testLimit, testLimit < test.count { test = test.subset(Array(0..<testLimit)) }
        guard test.sampleSize == model.sampleSize else {
            throw EvaluationError("\(folder.path): images of \(test.sampleShape) do not fit the model's \(model.sampleSize) pixels")
        }
        self.test = test
    }

    private static func filtered(_ set: Dataset, labels: [Int]?, folder: DatasetFolder) throws -> Dataset {
        try labels.map { try set.filtered(labels: Set($0.map { UInt8($0) }), source: folder.path) } ?? set
    }

    /// The training images of the evaluated labels, split by the model's own held-out rule.
    /// The split comes before the label filter, as in training: the held-out rows are the same
    /// whichever labels a model trains on.
    public func trainingSplit() throws -> (training: Dataset, validation: Dataset) {
        let (training, validation) = model.validationSplit(try folder.load(.train))
        return (try Self.filtered(training, labels: labels, folder: folder), try Self.filtered(validation, labels: labels, folder: folder))
    }

    /// True when the data evaluated is the data the model trained on.
    var isTrainingData: Bool {
        let trainedFolder = (try? DatasetFolder.resolve(model.dataPath)).map { URL(fileURLWithPath: $0.path).standardized.path }
        return trainedFolder == URL(fileURLWithPath: folder.path).standardized.path
    }
}
