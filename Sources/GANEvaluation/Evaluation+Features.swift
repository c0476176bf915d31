import Foundation
import GANData

extension Evaluation {
    /// Scores in the penultimate features of a classifier (by default the zoo's classifier for
    /// this data), between the test images and `samples` generated ones: the Fréchet distance,
    /// KID (`kidSubsets` subsets of up to 1,000), improved precision and recall (k =
    /// `neighbourhood`, on up to `precisionRecallImages` of each), and the generated class shares.
    public func frechet(samples: Int = 10_000, seed: UInt64 = 0, classifier: String? = nil, kidSubsets: Int = 20,
                        neighbourhood: Int = 3, precisionRecallImages: Int = 10_000) throws -> FrechetResult {
        let start = Date()
        let path = try classifier ?? Classifier.shippedPath(forData: folder, zooFolder: zooFolder)
        let (network, record) = try Classifier.load(path)
        guard network.inputSize == test.sampleSize else {
            throw EvaluationError("\(path): the classifier reads \(network.inputSize) pixels, the images have \(test.sampleSize)")
        }
        guard test.count > neighbourhood, samples > neighbourhood else {
            throw EvaluationError("precision and recall need more than k = \(neighbourhood) test images and samples")
        }
        let generated = model.sample(samples, seed)
        let real = network.features(test.images), fake = network.features(generated)
        let dimension = network.hiddenSize
        var histogram = [Int](repeating: 0, count: network.classes)
        for label in network.predict(generated) { histogram[label] += 1 }
        var result = FrechetResult(weights: model.path, classifier: path, classifierTestAccuracy: record.testAccuracy,
                                   distance: FrechetDistance.distance(real, fake, dimension: dimension),
                                   classShares: histogram.map { Double($0) / Double(samples) }, testImages: test.count,
                                   samples: samples, seed: seed, seconds: 0)
        result.kid = KernelInceptionDistance.estimate(real: real, generated: fake, dimension: dimension, subsets: kidSubsets, seed: seed)
        result.precisionRecall = PrecisionRecall.measure(real: real, generated: fake, dimension: dimension, k: neighbourhood,
                                                         count: precisionRecallImages)
        result.seconds = Date().timeIntervalSince(start)
        return result
    }
}
