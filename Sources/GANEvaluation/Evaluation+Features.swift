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
        let predictions = network.predict(generated), generatedFeatures = network.features(generated)
        for label in predictions { histogram[label] += 1 }
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
        let model = scores(generatedFeatures)
        var result = FrechetResult(weights: self.model.path, classifier: path, classifierTestAccuracy: record.testAccuracy,
                                   distance: model.distance, classShares: histogram.map { Double($0) / Double(samples) },
                                   testImages: test.count, samples: samples, seed: seed, seconds: 0)
        if let requested = self.model.requestedLabels {
            let labels = requested(samples, seed)
            (result.conditionalAccuracy, result.perClass) = try conditionalScores(
                requested: labels, predicted: predictions, generatedFeatures: generatedFeatures, realFeatures: real,
                dimension: dimension, classes: network.classes)
        }
        result.kid = model.kid
        result.precisionRecall = model.precisionRecall
        if heldOut.count > neighbourhood {
            result.heldOutImages = scores(network.features(Self.rows(heldOut, 0..<min(samples, heldOut.count))))
        }
        result.seconds = Date().timeIntervalSince(start)
        return result
    }

    /// Samples of a class (generated, and test images) below which its Fréchet distance is not reported.
    public static let minimumClassSamples = 50

    /// The classifier's agreement with the requested classes, overall and per class, and each
    /// class's Fréchet distance to the test images of its label (class i is label i).
    func conditionalScores(requested: [Int], predicted: [Int], generatedFeatures: [Float], realFeatures: [Float],
                           dimension: Int, classes: Int) throws -> (Double, [ClassScores]) {
        let names = model.classNames ?? []
        guard names.count <= classes else {
            throw EvaluationError("the model has \(names.count) classes, the classifier tells only \(classes) apart")
        }
        func rows(_ features: [Float], _ indices: [Int]) -> [Float] {
            indices.flatMap { features[($0 * dimension)..<(($0 + 1) * dimension)] }
        }
        var perClass: [ClassScores] = []
        for (index, name) in names.enumerated() {
            let asked = requested.indices.filter { requested[$0] == index }
            guard !asked.isEmpty else { continue }
            let right = asked.filter { predicted[$0] == index }.count
            let testRows = (0..<test.count).filter { Int(test.labels[$0]) == index }
            // A class's Fréchet distance from a handful of samples (2 at --count 20) is noise, not
            // a measurement: it needs `minimumClassSamples` of the class, generated and real.
            let distance = asked.count >= Self.minimumClassSamples && testRows.count >= Self.minimumClassSamples
                ? FrechetDistance.distance(rows(realFeatures, testRows), rows(generatedFeatures, asked), dimension: dimension) : nil
            perClass.append(ClassScores(name: name, samples: asked.count, accuracy: Double(right) / Double(asked.count), distance: distance))
        }
        let agreed = zip(requested, predicted).filter { $0 == $1 }.count
        return (Double(agreed) / Double(max(requested.count, 1)), perClass)
    }
}
