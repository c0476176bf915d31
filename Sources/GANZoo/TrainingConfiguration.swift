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
    /// Train a conditional model p(x | c) (the paper's section 7): the classes are the data's
    /// labels, and their one-hot encoding is appended to the input of both networks. The model's
    /// problem (stored in the file) records the classes, their names and shares.
    public var conditional = false
    public var epochs = 40
    public var batchSize = 16
    /// Discriminator updates per generator update (Algorithm 1's k).
    public var k = 1
    public var mode = UpdateMode.alternating
    public var generatorOptimizer = OptimizerConfiguration.defaultSGD
    public var discriminatorOptimizer = OptimizerConfiguration.defaultSGD
    /// Seeds initialisation, noise, dropout and shuffling; 0, as every command's seed defaults to.
    public var seed: UInt64 = 0
    /// BLAS threads; 0 for all cores, which a training session resolves to the count it uses and
    /// records. Results are reproducible for the same seed and thread count.
    public var threads = 0

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

    /// The recipe field a side's configuration is read from: its own, else the shared one.
    public func configurationKey(generator: Bool) -> String {
        let own = generator ? generatorConfiguration : discriminatorConfiguration
        return own == nil ? "architectureConfiguration" : generator ? "generatorConfiguration" : "discriminatorConfiguration"
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

    /// Checks ranges a flag, a recipe or a file could get wrong, against `Limits`, before
    /// anything is built; the message names the field.
    public func validate() throws(TrainingError) {
        func require(_ condition: Bool, _ message: String) throws(TrainingError) {
            if !condition { throw .invalidConfiguration(message) }
        }
        try require((0...Limits.maximumEpochs).contains(epochs), "epochs must lie in 0...\(Limits.maximumEpochs), got \(epochs)")
        try require(seed <= Limits.maximumSeed, "seed must lie in 0...\(Limits.maximumSeed) (2^53: JSON holds larger integers inexactly), got \(seed)")
        try require((1...Limits.maximumBatchSize).contains(batchSize),
                    "batch size must lie in 1...\(Limits.maximumBatchSize), got \(batchSize)")
        try require((1...Limits.maximumK).contains(k), "k must lie in 1...\(Limits.maximumK), got \(k)")
        try require((0...Limits.maximumThreads).contains(threads),
                    "threads must lie in 0 (all cores)...\(Limits.maximumThreads), got \(threads)")
        do { try problem.validate() } catch { throw .invalidConfiguration("\(error)") }
        for (name, optimizer) in [("generator", generatorOptimizer), ("discriminator", discriminatorOptimizer)] {
            try optimizer.validate(name)
        }
        if let digits {
            try require(!digits.isEmpty && digits.count <= 256 && digits.allSatisfy { (0...255).contains($0) },
                        "labels must lie in 0...255, got \(digits.count > 8 ? "\(digits.count) labels" : "\(digits)")")
        }
    }
}

extension OptimizerConfiguration {
    /// Every numeric field in its range: learning rate and Adam's epsilon positive, momentum
    /// and Adam's betas in [0, 1), a schedule that cannot overflow.
    func validate(_ name: String) throws(TrainingError) {
        func require(_ condition: Bool, _ message: String) throws(TrainingError) {
            if !condition { throw .invalidConfiguration("\(name) optimizer: " + message) }
        }
        // No upper bound: a huge rate diverges, which training reports (the tests use 1e30).
        try require(learningRate > 0 && learningRate.isFinite, "learningRate must be positive and finite, got \(learningRate)")
        try require(momentum >= 0 && momentum < 1, "momentum must lie in [0, 1), got \(momentum)")
        try require(beta1 >= 0 && beta1 < 1, "beta1 must lie in [0, 1), got \(beta1)")
        try require(beta2 >= 0 && beta2 < 1, "beta2 must lie in [0, 1), got \(beta2)")
        try require(epsilon > 0 && epsilon <= 1, "epsilon must lie in (0, 1], got \(epsilon)")
        try require(weightDecay >= 0 && weightDecay <= WeightDecay.maximum,
                    "weightDecay must lie in [0, \(WeightDecay.maximum)], got \(weightDecay)")
        try require(schedule.learningRateDecay >= 1 && schedule.learningRateDecay <= 2,
                    "learningRateDecay must lie in [1, 2], got \(schedule.learningRateDecay)")
        try require(schedule.minimumLearningRate >= 0 && schedule.minimumLearningRate <= learningRate,
                    "minimumLearningRate must lie in [0, learningRate], got \(schedule.minimumLearningRate)")
        let epochs = 0...Limits.maximumEpochs
        try require(epochs.contains(schedule.momentumRampStartEpoch) && epochs.contains(schedule.momentumRampEndEpoch),
                    "the momentum ramp's epochs must lie in \(epochs), got \(schedule.momentumRampStartEpoch)...\(schedule.momentumRampEndEpoch)")
        if let final = schedule.finalMomentum {
            try require(final >= 0 && final < 1, "finalMomentum must lie in [0, 1), got \(final)")
            try require(schedule.momentumRampEndEpoch >= schedule.momentumRampStartEpoch,
                        "the momentum ramp ends (epoch \(schedule.momentumRampEndEpoch)) before it starts (\(schedule.momentumRampStartEpoch))")
        }
    }
}

extension OptimizerConfiguration {
    /// SGD, learning rate 0.1, momentum 0.5: the paper's starting values.
    public static let defaultSGD = OptimizerConfiguration.defaults(for: .sgd)
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
