import Foundation

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
    /// The same estimate with real images as kernel centres (what a perfect sampler and a
    /// memoriser would score); nil in results written before they were measured.
    public var references: [ParzenReference]?
    /// How close samples lie to the training images, against how close test images lie.
    public var nearestTraining: NearestTrainingDistances?
}

/// A Parzen estimate of the same test images with real images as the kernel centres.
public struct ParzenReference: Codable, Sendable, Equatable {
    /// "held-out images" (unseen real images: a sampler that draws new real digits) or
    /// "training images" (a memoriser that replays its training set).
    public var centres: String
    public var count: Int
    public var mean: Double
    public var standardError: Double
    public var sigma: Double
    /// Held-out images that chose sigma (disjoint from the centres).
    public var validationImages: Int
}

/// Euclidean pixel distances to the nearest training image: of generated samples and of test
/// images. Samples much closer than test images are copies; the Parzen figure cannot tell.
public struct NearestTrainingDistances: Codable, Sendable, Equatable {
    public var samples: Int
    public var testImages: Int
    public var trainingImages: Int
    public var samplesMean: Double
    public var samplesMedian: Double
    public var testMean: Double
    public var testMedian: Double
}

/// The result of `gan evaluate --metric frechet`, as written to JSON: the scores measured in
/// the classifier's penultimate features, and the generated samples' class shares.
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
    /// Kernel inception distance (unbiased MMD^2, cubic kernel); nil in older results.
    public var kid: KernelInceptionDistance.Estimate?
    /// Improved precision (quality) and recall (diversity); nil in older results.
    public var precisionRecall: PrecisionRecall.Result?
    /// The same scores with real held-out images in place of the samples: what real data
    /// scores against the test images with this classifier and these set sizes.
    public var heldOutImages: FeatureScores?
    /// A conditional model: the share of samples the classifier puts in the class they were
    /// asked for (conditional accuracy); nil for an unconditional model.
    public var conditionalAccuracy: Double?
    /// A conditional model's scores per requested class.
    public var perClass: [ClassScores]?
}

/// A conditional model's samples of one requested class: the classifier's agreement with the
/// request, and the Fréchet distance to the test images of that class.
public struct ClassScores: Codable, Sendable, Equatable {
    public var name: String
    public var samples: Int
    public var accuracy: Double
    /// nil when the class has too few samples or test images (fewer than 2) to estimate it.
    public var distance: Double?
}

/// The Fréchet distance, KID and precision/recall of one image set against the test images.
public struct FeatureScores: Codable, Sendable, Equatable {
    public var images: Int
    public var distance: Double
    public var kid: KernelInceptionDistance.Estimate
    public var precisionRecall: PrecisionRecall.Result
}
