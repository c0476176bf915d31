import Foundation
import GANData
import GANTensor

/// The result of `gan evaluate --metric parzen`, as written to JSON.
public struct ParzenResult: Codable, Sendable, Equatable {
    public var metric = "parzen"
    public var weights: String
    public var data: String
    public var labels: [Int]?
    public var mean: Double
    public var standardError: Double
    public var sigma: Double
    public var sigmaGrid: [Double]
    public var validationScores: [Double]
    public var testImages: Int
    public var samples: Int
    public var validationImages: Int
    /// True when the model was trained on the held-out images that chose sigma (a run without
    /// `holdOutValidation`); the estimate is then slightly optimistic.
    public var sigmaChosenOnTrainingImages: Bool
    public var seed: UInt64
    public var seconds: Double
}

/// The result of `gan evaluate --metric frechet`, as written to JSON.
public struct FrechetResult: Codable, Sendable, Equatable {
    public var metric = "frechet"
    public var weights: String
    public var classifier: String
    public var classifierTestAccuracy: Double
    public var distance: Double
    /// Share of the generated samples the classifier puts in each class (mode collapse shows here).
    public var classShares: [Double]
    public var testImages: Int
    public var samples: Int
    public var seed: UInt64
    public var seconds: Double
}

/// The two measurements of a model, shared by `gan evaluate` and the zoo's model cards.
public struct Evaluation {
    public let contents: ModelFile.Contents
    public let folder: DatasetFolder
    public let labels: [Int]?
    /// The test images (label-filtered, possibly cut to a limit).
    public let test: Dataset

    /// `dataPath` and `labels` default to those the model was trained on.
    public init(_ contents: ModelFile.Contents, dataPath: String? = nil, labels: [Int]? = nil, testLimit: Int? = nil) throws {
        self.contents = contents
        let path = dataPath ?? contents.configuration.dataPath
        folder = try DatasetFolder.resolve(path)
        self.labels = labels ?? contents.configuration.digits
        var test = try Self.filtered(folder.load(.test), labels: self.labels, folder: folder)
        if let testLimit, testLimit < test.count { test = test.subset(Array(0..<testLimit)) }
        guard test.sampleSize == contents.model.problem.sampleSize else {
            throw TrainingError.invalidConfiguration(
                "\(folder.path): images of \(test.sampleShape) do not fit the model's \(contents.model.problem.sampleShape)")
        }
        self.test = test
    }

    private static func filtered(_ set: Dataset, labels: [Int]?, folder: DatasetFolder) throws -> Dataset {
        try labels.map { try set.filtered(labels: Set($0.map { UInt8($0) }), source: folder.path) } ?? set
    }

    /// The paper's Parzen-window estimate: `samples` generated kernel centres; sigma chosen from
    /// 10 log-spaced widths in [0.1, 1] by the mean log-likelihood of the first `validation`
    /// held-out images (the last sixth of each label's training images); then the mean
    /// log-likelihood of the test images and its standard error.
    public func parzen(samples: Int = 10_000, validation: Int = 1_000, seed: UInt64 = 0,
                       progress: (Int, Int) -> Void = { _, _ in }) throws -> ParzenResult {
        let start = Date()
        let (generated, _) = contents.model.sample(count: samples, seed: seed)
        let split = contents.configuration.validationSplit
        let heldOut = try Self.filtered(folder.load(.train).splitValidation(split).validation, labels: labels, folder: folder)
        let validationCount = min(validation, heldOut.count)
        let validationImages = Array(heldOut.images.prefix(validationCount * heldOut.sampleSize))
        let estimator = ParzenEstimator(samples: generated, dimension: contents.model.problem.sampleSize)
        let (sigma, scores) = estimator.selectSigma(validation: validationImages)
        let values = estimator.logLikelihoods(test.images, sigma: sigma, progress: progress)
        let (mean, standardError) = ParzenEstimator.meanAndStandardError(values)
        let trainedFolder = (try? DatasetFolder.resolve(contents.configuration.dataPath)).map {
            URL(fileURLWithPath: $0.path).standardized.path
        }
        let sameData = trainedFolder == URL(fileURLWithPath: folder.path).standardized.path
        return ParzenResult(weights: contents.path, data: folder.path, labels: labels, mean: mean, standardError: standardError,
                            sigma: sigma, sigmaGrid: ParzenEstimator.sigmaGrid, validationScores: scores,
                            testImages: test.count, samples: samples, validationImages: validationCount,
                            sigmaChosenOnTrainingImages: sameData && !contents.configuration.holdOutValidation,
                            seed: seed, seconds: Date().timeIntervalSince(start))
    }

    /// The Fréchet distance between the test images and `samples` generated ones, in the
    /// penultimate features of a classifier (by default the zoo's classifier for this data),
    /// and the share of generated samples in each class.
    public func frechet(samples: Int = 10_000, seed: UInt64 = 0, classifier: String? = nil) throws -> FrechetResult {
        let start = Date()
        let path = try classifier ?? Classifier.shippedPath(forData: folder)
        let (model, accuracy) = try Classifier.load(path)
        guard model.inputSize == test.sampleSize else {
            throw TrainingError.invalidConfiguration("\(path): the classifier reads \(model.inputSize) pixels, the images have \(test.sampleSize)")
        }
        let (generated, _) = contents.model.sample(count: samples, seed: seed)
        let distance = FrechetDistance.distance(model.features(test.images), model.features(generated), dimension: model.hiddenSize)
        var histogram = [Int](repeating: 0, count: model.classes)
        for label in model.predict(generated) { histogram[label] += 1 }
        return FrechetResult(weights: contents.path, classifier: path, classifierTestAccuracy: accuracy, distance: distance,
                             classShares: histogram.map { Double($0) / Double(samples) }, testImages: test.count,
                             samples: samples, seed: seed, seconds: Date().timeIntervalSince(start))
    }
}
