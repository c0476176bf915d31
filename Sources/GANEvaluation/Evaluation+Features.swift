import Foundation
import GANData

extension Evaluation {
    /// Scores in the penultimate features of a classifier (by default the zoo's classifier for
    /// this data), between the test images and `samples` generated ones: the Fréchet distance,
    /// KID (`kidSubsets` subsets of up to 1,000), improved precision and recall (k =
    /// `neighbourhood`, on up to `precisionRecallImages` of each, and no more than there are
    /// held-out images), and the generated class shares. Beside them, the same scores with real
    /// held-out images in place of the samples.
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
        let generated = try model.finiteSamples(samples, seed)
        let real = network.features(test.images), dimension = network.hiddenSize
        var histogram = [Int](repeating: 0, count: network.classes)
        for label in network.predict(generated) { histogram[label] += 1 }
        // Precision and recall grow with the set sizes (a ball reaches the k-th neighbour), so
        // the samples and the held-out images are measured at the same size.
        let heldOut = try trainingSplit().validation
        let pairCount = min(precisionRecallImages, heldOut.count > neighbourhood ? heldOut.count : .max)
        func scores(_ features: [Float]) -> FeatureScores {
            let pairs = PrecisionRecall.measure(real: real, generated: features, dimension: dimension, k: neighbourhood,
                                                count: pairCount)
            return FeatureScores(images: features.count / dimension, distance: FrechetDistance.distance(real, features, dimension: dimension),
                                 kid: KernelInceptionDistance.estimate(real: real, generated: features, dimension: dimension,
                                                                       subsets: kidSubsets, seed: seed),
                                 precisionRecall: pairs)
        }
        let model = scores(network.features(generated))
        var result = FrechetResult(weights: self.model.path, classifier: path, classifierTestAccuracy: record.testAccuracy,
                                   distance: model.distance, classShares: histogram.map { Double($0) / Double(samples) },
                                   testImages: test.count, samples: samples, seed: seed, seconds: 0)
        result.kid = model.kid
        result.precisionRecall = model.precisionRecall
        if heldOut.count > neighbourhood {
            result.heldOutImages = scores(network.features(Self.rows(heldOut, 0..<min(samples, heldOut.count))))
        }
        result.seconds = Date().timeIntervalSince(start)
        return result
    }
}
