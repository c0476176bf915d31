import GANData
import GANEvaluation

extension ModelFile.Contents {
    /// The model as the evaluation module sees it: its sampler, its data, and the held-out
    /// split its recipe trained without.
    public var evaluated: EvaluatedModel {
        let model = self.model
        return EvaluatedModel(path: path, sampleSize: model.problem.sampleSize, dataPath: configuration.dataPath,
                              digits: configuration.digits, holdOutValidation: configuration.holdOutValidation,
                              validationSplit: { [split = configuration.validationSplit] in $0.splitValidation(split) },
                              sample: { count, seed in model.sample(count: count, seed: seed).samples },
                              requestedLabels: model.problem.classes == nil ? nil : { count, seed in model.labels(count: count, seed: seed) },
                              classNames: model.problem.classes?.names)
    }
}

extension Evaluation {
    /// Evaluates a loaded model file against the data it was trained on (or `dataPath`),
    /// with the zoo's classifiers.
    public init(_ contents: ModelFile.Contents, dataPath: String? = nil, labels: [Int]? = nil, testLimit: Int? = nil) throws {
        try self.init(contents.evaluated, dataPath: dataPath, labels: labels, testLimit: testLimit, zooFolder: Zoo.folder)
    }
}
