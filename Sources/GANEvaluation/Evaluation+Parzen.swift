import Foundation
import GANData
import GANTensor

extension Evaluation {
    /// The paper's Parzen-window estimate: `samples` generated kernel centres; sigma chosen from
    /// 10 log-spaced widths in [0.1, 1] by the mean log-likelihood of the first `validation`
    /// held-out images; then the mean log-likelihood of the test images and its standard error.
    /// Beside it, measured by the same code on the same test images: real held-out images and
    /// real training images as centres (`references`), and the nearest-training-image distances
    /// of `neighbours` samples and as many test images.
    public func parzen(samples: Int = 10_000, validation: Int = 1_000, seed: UInt64 = 0, references: Bool = true,
                       neighbours: Int = 1_000, progress: (Int, Int) -> Void = { _, _ in }) throws -> ParzenResult {
        let start = Date()
        let generated = try model.finiteSamples(samples, seed)
        let (training, heldOut) = try trainingSplit()
        guard heldOut.count >= 1 else { throw EvaluationError("\(folder.path): no held-out images to choose sigma on") }
        let validationCount = min(validation, heldOut.count)
        let estimate = Self.estimate(centres: generated, validation: Self.rows(heldOut, 0..<validationCount),
                                     test: test.images, dimension: model.sampleSize, progress: progress)
        var result = ParzenResult(weights: model.path, data: folder.path, labels: labels, mean: estimate.mean,
                                  standardError: estimate.standardError, sigma: estimate.sigma, sigmaGrid: ParzenEstimator.sigmaGrid,
                                  validationScores: estimate.scores, testImages: test.count, samples: samples,
                                  validationImages: validationCount,
                                  sigmaChosenOnTrainingImages: isTrainingData && !model.holdOutValidation,
                                  seed: seed, seconds: 0)
        if references {
            result.references = referenceLines(training: training, heldOut: heldOut, validation: validationCount,
                                               centres: samples, seed: seed)
        }
        if neighbours > 0 {
            result.nearestTraining = nearestTraining(samples: generated, training: training, count: neighbours)
        }
        result.seconds = Date().timeIntervalSince(start)
        return result
    }

    /// One Parzen estimate: sigma chosen on `validation`, then the test images' mean and standard error.
    static func estimate(centres: [Float], validation: [Float], test: [Float], dimension: Int,
                         progress: (Int, Int) -> Void = { _, _ in })
        -> (mean: Double, standardError: Double, sigma: Double, scores: [Double]) {
        let estimator = ParzenEstimator(samples: centres, dimension: dimension)
        let (sigma, scores) = estimator.selectSigma(validation: validation)
        let values = estimator.logLikelihoods(test, sigma: sigma, progress: progress)
        let (mean, standardError) = ParzenEstimator.meanAndStandardError(values)
        return (mean, standardError, sigma, scores)
    }

    /// (a) held-out images as centres: those not used to choose sigma (when the first
    /// `validation` leave none, sigma is chosen on the first half and the rest are the centres);
    /// (b) up to `centres` training images, drawn at random, as a memoriser's centres.
    func referenceLines(training: Dataset, heldOut: Dataset, validation: Int, centres: Int, seed: UInt64) -> [ParzenReference] {
        var lines: [ParzenReference] = []
        let chooseOn = heldOut.count > validation ? validation : heldOut.count / 2
        if chooseOn >= 1 {
            let unseen = Self.rows(heldOut, chooseOn..<min(heldOut.count, chooseOn + centres))
            let e = Self.estimate(centres: unseen, validation: Self.rows(heldOut, 0..<chooseOn), test: test.images, dimension: model.sampleSize)
            lines.append(ParzenReference(centres: "held-out images", count: unseen.count / model.sampleSize, mean: e.mean,
                                         standardError: e.standardError, sigma: e.sigma, validationImages: chooseOn))
        }
        var order = Array(0..<training.count)
        var rng = RandomGenerator(seed: seed)
        rng.shuffle(&order)
        let memorised = training.subset(Array(order.prefix(centres))).images
        let e = Self.estimate(centres: memorised, validation: Self.rows(heldOut, 0..<validation), test: test.images, dimension: model.sampleSize)
        lines.append(ParzenReference(centres: "training images", count: min(centres, training.count), mean: e.mean,
                                     standardError: e.standardError, sigma: e.sigma, validationImages: validation))
        return lines
    }

    /// Distances to the nearest training image of the first `count` samples and test images.
    func nearestTraining(samples: [Float], training: Dataset, count: Int) -> NearestTrainingDistances {
        let size = model.sampleSize
        let sampleCount = min(count, samples.count / size), testCount = min(count, test.count)
        let fromSamples = meanAndMedian(nearestDistances(queries: Array(samples.prefix(sampleCount * size)),
                                                         references: training.images, dimension: size))
        let fromTest = meanAndMedian(nearestDistances(queries: Self.rows(test, 0..<testCount), references: training.images, dimension: size))
        return NearestTrainingDistances(samples: sampleCount, testImages: testCount, trainingImages: training.count,
                                        samplesMean: fromSamples.mean, samplesMedian: fromSamples.median,
                                        testMean: fromTest.mean, testMedian: fromTest.median)
    }

    /// The pixels of rows `range` of `set`.
    static func rows(_ set: Dataset, _ range: Range<Int>) -> [Float] {
        Array(set.images[(range.lowerBound * set.sampleSize)..<(range.upperBound * set.sampleSize)])
    }
}
