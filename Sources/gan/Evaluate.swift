import ArgumentParser
import Foundation
import GANCore
import GANData
import GANTensor
import GANZoo

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a model: the paper's Parzen-window log-likelihood of test images.",
        discussion: """
            parzen: draws --samples images from the generator, picks the kernel width sigma from 10 values \
            between 0.1 and 1.0 (log-spaced) by the mean log-likelihood of the first --validation held-out \
            images (the last sixth of each label's training images), then reports the mean log-likelihood \
            of the test images and its standard error. Data and labels default to the model's own.
            """)

    enum Metric: String, ExpressibleByArgument, CaseIterable { case parzen, frechet }

    @Option(help: "The weights file (.h5).")
    var weights: String

    @Option(help: "What to measure.")
    var metric: Metric = .parzen

    @Option(help: "Folder of MNIST-style IDX files. (default: the data the model was trained on)")
    var data: String?

    @Option(help: "Evaluate on this label (repeatable). (default: the labels the model was trained on)")
    var digit: [Int] = []

    @Option(help: "Generated samples for the kernel centres.")
    var samples = 10_000

    @Option(help: "Held-out images used to choose sigma.")
    var validation = 1_000

    @Option(name: .customLong("test-limit"), help: "Evaluate only the first N test images. (default: all)")
    var testLimit: Int?

    @Option(help: "Seed of the generator's noise.")
    var seed: UInt64 = 0

    @Option(help: "BLAS threads (0 = all cores).")
    var threads = 0

    @Option(help: "Also write the result as JSON to this file.")
    var json: String?

    @Option(help: "frechet: the classifier whose penultimate features are compared. (default: models/mnist-classifier/classifier.h5)")
    var classifier: String?

    func validate() throws {
        guard samples >= 1, validation >= 1 else { throw ValidationError("--samples and --validation must be at least 1") }
        if let testLimit, testLimit < 1 { throw ValidationError("--test-limit must be at least 1") }
    }

    func run() throws {
        if let json { try checkWritable(json, flag: "--json") }
        let contents = try ModelFile.load(weights)
        BLASThreads.set(threads)
        let folderPath = data ?? contents.configuration.dataPath
        let folder = try folderPath.map { path throws(DataError) in try DatasetFolder(path: path) } ?? DatasetFolder.shippedSubset()
        let labels = digit.isEmpty ? contents.configuration.digits : digit
        func filtered(_ set: Dataset) throws -> Dataset {
            try labels.map { try set.filtered(labels: Set($0.map { UInt8($0) }), source: folder.path) } ?? set
        }
        var test = try filtered(folder.load(.test))
        if let testLimit, testLimit < test.count { test = test.subset(Array(0..<testLimit)) }
        guard test.sampleSize == contents.model.problem.sampleSize else {
            throw CLIError("\(folder.path): images of \(test.sampleShape) do not fit the model's \(contents.model.problem.sampleShape)")
        }

        let start = Date()
        let (generated, _) = contents.model.sample(count: samples, seed: seed)
        if metric == .frechet {
            try frechet(generated: generated, test: test, start: start)
            return
        }
        // Parzen only: sigma is chosen on held-out training images.
        let heldOut = try filtered(folder.load(.train)).splitValidation().validation
        let validationImages = Array(heldOut.images.prefix(min(validation, heldOut.count) * heldOut.sampleSize))
        let estimator = ParzenEstimator(samples: generated, dimension: contents.model.problem.sampleSize)
        let (sigma, scores) = estimator.selectSigma(validation: validationImages)
        let bar = ProgressBar(label: "parzen test")
        let values = estimator.logLikelihoods(test.images, sigma: sigma) { bar.update($0, of: $1) }
        bar.finish()
        let (mean, standardError) = ParzenEstimator.meanAndStandardError(values)
        let seconds = Date().timeIntervalSince(start)
        say(String(format: "parzen log-likelihood %.1f +/- %.1f (sigma %.3f; %d test images, %d samples, %d validation images; %.1f s)",
                   mean, standardError, sigma, test.count, samples, validationImages.count / heldOut.sampleSize, seconds))
        if let json {
            let result = ParzenResult(metric: "parzen", weights: weights, data: folder.path, labels: labels, mean: mean,
                                      standardError: standardError, sigma: sigma, sigmaGrid: ParzenEstimator.sigmaGrid,
                                      validationScores: scores, testImages: test.count, samples: samples,
                                      validationImages: validationImages.count / heldOut.sampleSize, seed: seed, seconds: seconds)
            try writeAtomically(Array(ConfigurationCoding.encode(result, pretty: true).utf8), to: json)
        }
    }
}

extension Evaluate {
    func frechet(generated: [Float], test: Dataset, start: Date) throws {
        let path = classifier ?? Classifier.shippedPath
        let (model, accuracy) = try Classifier.load(path)
        let distance = FrechetDistance.distance(model.features(test.images), model.features(generated), dimension: model.hiddenSize)
        var histogram = [Int](repeating: 0, count: model.classes)
        for label in model.predict(generated) { histogram[label] += 1 }
        let shares = histogram.map { Double($0) / Double(samples) }
        let seconds = Date().timeIntervalSince(start)
        say(String(format: "frechet distance %.2f (classifier features; %d test images, %d samples; %.1f s)",
                   distance, test.count, samples, seconds))
        say("generated classes: " + shares.enumerated().map { String(format: "%d: %.1f%%", $0.offset, 100 * $0.element) }
            .joined(separator: "  "))
        if let json {
            let result = FrechetResult(metric: "frechet", weights: weights, classifier: path, classifierTestAccuracy: accuracy,
                                       distance: distance, classShares: shares, testImages: test.count, samples: samples,
                                       seed: seed, seconds: seconds)
            try writeAtomically(Array(ConfigurationCoding.encode(result, pretty: true).utf8), to: json)
        }
    }
}

struct FrechetResult: Codable {
    var metric: String
    var weights: String
    var classifier: String
    var classifierTestAccuracy: Double
    var distance: Double
    var classShares: [Double]
    var testImages: Int
    var samples: Int
    var seed: UInt64
    var seconds: Double
}

struct ParzenResult: Codable {
    var metric: String
    var weights: String
    var data: String
    var labels: [Int]?
    var mean: Double
    var standardError: Double
    var sigma: Double
    var sigmaGrid: [Double]
    var validationScores: [Double]
    var testImages: Int
    var samples: Int
    var validationImages: Int
    var seed: UInt64
    var seconds: Double
}
