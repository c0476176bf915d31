import GANData

/// What the evaluation needs of a generative model, passed down by the module that loads
/// model files (GANZoo), so this module does not depend on it.
public struct EvaluatedModel {
    /// Where the weights came from (reported in results).
    public var path: String
    /// Pixels in one sample.
    public var sampleSize: Int
    /// The data the model was trained on, a folder or a dataset name: nil for the shipped subset.
    public var dataPath: String?
    /// The labels it was trained on: nil for all.
    public var digits: [Int]?
    /// True when it trained without the held-out images (so they may choose sigma).
    public var holdOutValidation: Bool
    /// The one place the held-out split is made: training images -> (training, held out).
    public var validationSplit: (Dataset) -> (training: Dataset, validation: Dataset)
    /// `count` samples [count, sampleSize] from the noise stream seeded by `seed`.
    public var sample: (_ count: Int, _ seed: UInt64) -> [Float]
    /// A conditional model: the class each of `sample(count, seed)`'s samples was asked for,
    /// and the class names. nil for an unconditional model.
    public var requestedLabels: ((_ count: Int, _ seed: UInt64) -> [Int])?
    public var classNames: [String]?

    public init(path: String, sampleSize: Int, dataPath: String?, digits: [Int]?, holdOutValidation: Bool,
                validationSplit: @escaping (Dataset) -> (training: Dataset, validation: Dataset),
                sample: @escaping (_ count: Int, _ seed: UInt64) -> [Float],
                requestedLabels: ((_ count: Int, _ seed: UInt64) -> [Int])? = nil, classNames: [String]? = nil) {
        self.path = path
        self.sampleSize = sampleSize
        self.dataPath = dataPath
        self.digits = digits
        self.holdOutValidation = holdOutValidation
        self.validationSplit = validationSplit
        self.sample = sample
        self.requestedLabels = requestedLabels
        self.classNames = classNames
    }
}

/// An evaluation that cannot run as asked (wrong sizes, no classifier for the data).
public struct EvaluationError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension EvaluatedModel {
    /// `sample`, refusing samples that are not finite: weights that are finite can still
    /// overflow to inf or NaN in the generator, and no score means anything then.
    func finiteSamples(_ count: Int, _ seed: UInt64) throws -> [Float] {
        let samples = sample(count, seed)
        guard samples.allSatisfy(\.isFinite) else {
            throw EvaluationError("\(path): the generator's samples are not finite (weights that overflow?); nothing to measure")
        }
        return samples
    }
}
