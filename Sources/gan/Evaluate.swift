import ArgumentParser
import Foundation
import GANEvaluation
import GANCore
import GANData
import GANTensor
import GANZoo

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a model: the paper's Parzen-window log-likelihood, or the Frechet distance, KID and precision/recall in classifier features.",
        discussion: """
            parzen: draws --count images from the generator, picks the kernel width sigma from 10 values \
            between 0.1 and 1.0 (log-spaced) by the mean log-likelihood of the first --validation held-out \
            images (the model's validation split: the last sixth of each label's training images, or \
            MNIST's train[50000:60000] for a recipe with validationSplit last-rows), then reports the mean log-likelihood \
            of the test images and its standard error; beside it the same estimate with real held-out images \
            and with real training images (a memoriser) as centres, and the distances of 1,000 samples and \
            1,000 test images to their nearest training image. frechet: the Frechet distance between the \
            test images and --count generated ones in the penultimate features of the zoo's LeNet \
            classifier, KID (unbiased MMD^2, cubic kernel, mean and std over 20 subsets of up to 1,000), \
            improved precision and recall (k = 3), and the share of generated samples in each class. \
            Data and labels default to the model's own.
            """)

    enum Metric: String, ExpressibleByArgument, CaseIterable { case parzen, frechet }

    @Option(help: "The weights file (.h5).", completion: weightsFiles)
    var weights: String?

    @Option(help: "A zoo model by name (see `gan zoo list`), instead of --weights.", completion: zooModelNames)
    var model: String?

    @Option(help: "What to measure.")
    var metric: Metric = .parzen

    @Option(help: "A dataset name (mnist, mnist-subset, fashion-mnist) or a folder of MNIST-style IDX files. (default: the data the model was trained on)")
    var data: String?

    @Option(help: "Evaluate on this label (repeatable). (default: the labels the model was trained on)")
    var digit: [Int] = []

    @Option(help: "How many samples to generate (parzen: the kernel centres). (default: 10000)")
    var count: Int?

    /// The name before `--count` (as `gan sample` names it); still accepted, not shown.
    @Option(name: .customLong("samples"), help: .hidden)
    var samplesAlias: Int?

    var samples: Int { count ?? samplesAlias ?? 10_000 }

    @Option(help: "Held-out images used to choose sigma.")
    var validation = 1_000

    @Option(name: .customLong("test-limit"), help: "Evaluate only the first N test images. (default: all)")
    var testLimit: Int?

    @Option(help: "Seed of the generator's noise. (default: 0, as every command's --seed)")
    var seed: UInt64 = 0

    @Option(help: "BLAS threads (0 = all cores).")
    var threads = 0

    @Option(help: "Also write the result as JSON to this file.")
    var json: String?

    @Option(help: "frechet: the classifier whose penultimate features are compared. (default: the zoo's classifier trained on the data: models/mnist-classifier or models/fashion-classifier)",
            completion: weightsFiles)
    var classifier: String?

    /// Generated samples and held-out images are held in memory ([count, 784] floats each, and
    /// nearest-neighbour searches over them), so their counts are bounded.
    static let maximumSamples = 100_000

    func validate() throws {
        guard (weights == nil) != (model == nil) else { throw ValidationError("pass either --weights FILE or --model NAME") }
        if count != nil && samplesAlias != nil { throw ValidationError("--samples is the old name of --count; pass one") }
        guard (1...Self.maximumSamples).contains(samples), (1...Self.maximumSamples).contains(validation) else {
            throw ValidationError("\(samplesAlias != nil ? "--samples" : "--count") and --validation must be in 1...\(Self.maximumSamples)")
        }
        if let testLimit, testLimit < 1 { throw ValidationError("--test-limit must be at least 1") }
        try checkRange(threads, 0...Limits.maximumThreads, flag: "--threads")
        for label in digit { try checkRange(label, 0...255, flag: "--digit") }
    }

    func run() throws {
        if let json { try checkWritable(json, flag: "--json") }
        let path = try weights ?? Zoo.model(named: model!).resolvedWeights()
        try checkNotSame(json, flag: "--json", as: path, named: "--weights file")
        try checkNotSame(json, flag: "--json", as: classifier, named: "--classifier file")
        let contents = try ModelFile.load(path)
        for (flag, count) in [(samplesAlias != nil ? "--samples" : "--count", samples), ("--validation", validation)] {
            try checkSampleCount(count, flag: flag, sampleSize: contents.model.problem.sampleSize, weights: path)
        }
        BLASThreads.set(threads)
        let evaluation = try Evaluation(contents, dataPath: data, labels: digit.isEmpty ? nil : digit, testLimit: testLimit)
        let encoded: String
        switch metric {
        case .parzen:
            let bar = ProgressBar(label: "parzen test")
            let result = try evaluation.parzen(samples: samples, validation: validation, seed: seed) { bar.update($0, of: $1) }
            bar.finish()
            Self.report(result)
            encoded = ConfigurationCoding.encode(result, pretty: true)
        case .frechet:
            let result = try evaluation.frechet(samples: samples, seed: seed, classifier: classifier)
            Self.report(result)
            encoded = ConfigurationCoding.encode(result, pretty: true)
        }
        if let json { try writeAtomically(Array(encoded.utf8) + [10], to: json) }
    }

    /// The Parzen figure, then its reference lines and nearest-neighbour distances.
    static func report(_ result: ParzenResult) {
        say(String(format: "parzen log-likelihood %.1f +/- %.1f (sigma %.3f; %d test images, %d samples, %d validation images; %.1f s)",
                   result.mean, result.standardError, result.sigma, result.testImages, result.samples,
                   result.validationImages, result.seconds))
        if result.sigmaChosenOnTrainingImages {
            say("note: the model was trained on the held-out images that chose sigma (train with --hold-out-validation to avoid it)")
        }
        for line in result.references ?? [] {
            say(String(format: "  reference, %@ as centres: %.1f +/- %.1f (sigma %.3f; %d centres)",
                       line.centres, line.mean, line.standardError, line.sigma, line.count))
        }
        if let n = result.nearestTraining {
            say(String(format: "  distance to the nearest of %d training images: %d samples mean %.2f median %.2f; %d test images mean %.2f median %.2f",
                       n.trainingImages, n.samples, n.samplesMean, n.samplesMedian, n.testImages, n.testMean, n.testMedian))
        }
    }

    /// The scores in classifier features, what real held-out images score, and the class shares.
    static func report(_ result: FrechetResult) {
        say(String(format: "frechet distance %.2f (classifier features; %d test images, %d samples; %.1f s)",
                   result.distance, result.testImages, result.samples, result.seconds))
        if let kid = result.kid {
            say(String(format: "KID %.4f +/- %.4f (%d subsets of %d)", kid.mean, kid.standardDeviation, kid.subsets, kid.subsetSize))
        }
        if let pr = result.precisionRecall {
            say(String(format: "precision %.3f (quality), recall %.3f (diversity) (k = %d, %d of each)", pr.precision, pr.recall, pr.k, pr.count))
        }
        if let real = result.heldOutImages {
            say(String(format: "  the same with %d real held-out images for samples: frechet %.2f, KID %.4f +/- %.4f, precision %.3f, recall %.3f",
                       real.images, real.distance, real.kid.mean, real.kid.standardDeviation,
                       real.precisionRecall.precision, real.precisionRecall.recall))
        }
        say("generated classes: " + result.classShares.enumerated()
            .map { String(format: "%d: %.1f%%", $0.offset, 100 * $0.element) }.joined(separator: "  "))
        if let accuracy = result.conditionalAccuracy {
            say(String(format: "conditional accuracy %.2f%% (the classifier agrees with the requested class)", 100 * accuracy))
            for scores in result.perClass ?? [] {
                say(String(format: "  class %@: %d samples, accuracy %.1f%%, frechet %@", scores.name, scores.samples, 100 * scores.accuracy,
                           scores.distance.map { String(format: "%.2f", $0) } ?? "- (fewer than \(Evaluation.minimumClassSamples) samples of the class)"))
            }
        }
    }
}
