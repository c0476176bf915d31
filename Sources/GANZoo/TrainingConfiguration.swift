import GANCore
import GANData
import GANLayers

/// Everything that defines a training run: a recipe. Stored in every weights file (attribute
/// `training`), read from `--recipe FILE` (JSON; fields left out keep these defaults), and
/// overridden by flags.
///
/// Fields added after format 1 (`validationSplit`, `discriminatorObjective`) default to the
/// behaviour that came before them, so older files and recipes mean what they meant.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    /// Architecture plugin of both networks, unless one of the two below is set.
    public var architecture = "mlp"
    /// Configuration fields of `architecture` (a JSON object); unset fields keep the plugin's defaults.
    public var architectureConfiguration: JSONValue?
    /// Take the generator from another plugin (e.g. "mlp-batchnorm" against a "maxout-dropout" D).
    public var generatorArchitecture: String?
    public var generatorConfiguration: JSONValue?
    public var discriminatorArchitecture: String?
    public var discriminatorConfiguration: JSONValue?
    public var loss = "non-saturating"
    public var problem = Problem()
    /// Labels to train on (e.g. [4]); nil for all.
    public var digits: [Int]?
    /// A dataset name (`mnist`, `mnist-subset`, `fashion-mnist`) or folder; nil for the shipped MNIST subset.
    public var dataPath: String?
    /// Train without the validation images (`validationSplit`), the held-out set on which
    /// `gan evaluate --metric parzen` chooses sigma (as the paper trained on MNIST's first 50,000
    /// and held out the last 10,000). The zoo's models do; the quick default run does not.
    public var holdOutValidation = false
    /// Which training images are the validation set: the last sixth of each label's (the
    /// default, for the digit-sorted shipped subset) or of the rows (MNIST's train[50000:60000]).
    public var validationSplit = ValidationSplit.perLabel
    /// The discriminator's objective: the sum of the real and fake halves' mean losses, or their
    /// average, as the paper's released code (`AdversaryCost2`) computed it.
    public var discriminatorObjective = DiscriminatorObjective.sum
    public var epochs = 40
    public var batchSize = 16
    /// Discriminator updates per generator update (Algorithm 1's k).
    public var k = 1
    public var mode = UpdateMode.alternating
    public var generatorOptimizer = OptimizerConfiguration.defaultSGD
    public var discriminatorOptimizer = OptimizerConfiguration.defaultSGD
    public var seed: UInt64 = 1
    /// BLAS threads; 0 for all cores. Results are reproducible for the same seed and thread count.
    public var threads = 1

    /// The default model: plain MLP, non-saturating loss, SGD with momentum (as the paper and
    /// the seed), every label of the shipped subset (`make train` restricts it to digit 4).
    public init() {}

    public var generatorPlugin: String { generatorArchitecture ?? architecture }
    public var discriminatorPlugin: String { discriminatorArchitecture ?? architecture }

    /// The configuration JSON for one side: its own, else the shared one when it uses `architecture`.
    public func configurationJSON(generator: Bool) -> String? {
        let own = generator ? generatorConfiguration : discriminatorConfiguration
        let plugin = generator ? generatorPlugin : discriminatorPlugin
        return (own ?? (plugin == architecture ? architectureConfiguration : nil))?.text
    }

    /// Reads a recipe: JSON whose fields override the defaults (nested objects merge).
    public static func recipe(json: String, source: String) throws -> TrainingConfiguration {
        do {
            return try ConfigurationCoding.decode(TrainingConfiguration.self, from: json, over: TrainingConfiguration(),
                                                  plugin: "recipe")
        } catch let error as ConfigurationError {
            throw TrainingError.invalidConfiguration("\(source): \(error.description.replacingOccurrences(of: "invalid configuration for 'recipe': ", with: ""))")
        }
    }

    /// Checks ranges a flag or recipe could get wrong; the message names the field.
    public func validate() throws(TrainingError) {
        func require(_ condition: Bool, _ message: String) throws(TrainingError) {
            if !condition { throw .invalidConfiguration(message) }
        }
        try require(epochs >= 0, "epochs must be zero or more, got \(epochs)")
        try require(batchSize >= 1, "batch size must be at least 1, got \(batchSize)")
        try require(k >= 1, "k must be at least 1, got \(k)")
        try require(threads >= 0, "threads must be zero (all cores) or more, got \(threads)")
        try require(problem.latentSize >= 1, "latent size must be at least 1, got \(problem.latentSize)")
        try require(problem.sampleShape.count >= 1 && problem.sampleShape.allSatisfy { $0 >= 1 },
                    "sample shape must have positive dimensions, got \(problem.sampleShape)")
        try require(problem.noise.scale > 0 && problem.noise.scale.isFinite, "noise scale must be positive, got \(problem.noise.scale)")
        for (name, optimizer) in [("generator", generatorOptimizer), ("discriminator", discriminatorOptimizer)] {
            try require(optimizer.learningRate > 0 && optimizer.learningRate.isFinite,
                        "\(name) learning rate must be positive, got \(optimizer.learningRate)")
            try require(optimizer.momentum >= 0 && optimizer.momentum < 1,
                        "\(name) momentum must lie in [0, 1), got \(optimizer.momentum)")
            let schedule = optimizer.schedule
            try require(schedule.learningRateDecay >= 1, "\(name) learningRateDecay must be at least 1, got \(schedule.learningRateDecay)")
            try require(schedule.minimumLearningRate >= 0, "\(name) minimumLearningRate must not be negative")
            if let final = schedule.finalMomentum {
                try require(final >= 0 && final < 1, "\(name) finalMomentum must lie in [0, 1), got \(final)")
                try require(schedule.momentumRampEndEpoch >= schedule.momentumRampStartEpoch,
                            "\(name) momentum ramp ends (epoch \(schedule.momentumRampEndEpoch)) before it starts (\(schedule.momentumRampStartEpoch))")
            }
        }
        if let digits {
            try require(!digits.isEmpty && digits.allSatisfy { (0...255).contains($0) }, "labels must lie in 0...255, got \(digits)")
        }
    }
}

extension OptimizerConfiguration {
    /// SGD, learning rate 0.1, momentum 0.5: the paper's starting values.
    public static let defaultSGD = OptimizerConfiguration(kind: .sgd, learningRate: 0.1, momentum: 0.5)
}

public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidConfiguration(String)
    case diverged(step: Int, what: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): return message
        case .diverged(let step, let what):
            return "training diverged at step \(step): \(what) is not finite; nothing was saved"
                + " (try a lower learning rate)"
        }
    }
}
