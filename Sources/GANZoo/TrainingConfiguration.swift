import GANCore
import GANLayers

/// Everything that defines a training run. Stored in every weights file (attribute `training`),
/// so a file says how it was made.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    public var architecture: String
    /// The architecture's configuration as a JSON object; fields left out keep their defaults.
    public var architectureConfiguration: String?
    public var loss: String
    public var problem: Problem
    /// Labels to train on (e.g. [4]); nil for all.
    public var digits: [Int]?
    /// Dataset folder; nil for the shipped MNIST subset.
    public var dataPath: String?
    public var epochs: Int
    public var batchSize: Int
    /// Discriminator updates per generator update (Algorithm 1's k).
    public var k: Int
    public var generatorOptimizer: OptimizerConfiguration
    public var discriminatorOptimizer: OptimizerConfiguration
    public var seed: UInt64
    /// BLAS threads; 0 for all cores. Results are reproducible for the same seed and thread count.
    public var threads: Int

    /// The default model: plain MLP, non-saturating loss, SGD with momentum (as the paper and
    /// the seed), every label of the shipped subset (`make train` restricts it to digit 4).
    public init(architecture: String = "mlp", architectureConfiguration: String? = nil,
                loss: String = "non-saturating", problem: Problem = Problem(),
                digits: [Int]? = nil, dataPath: String? = nil, epochs: Int = 40, batchSize: Int = 16,
                k: Int = 1, generatorOptimizer: OptimizerConfiguration = .defaultSGD,
                discriminatorOptimizer: OptimizerConfiguration = .defaultSGD, seed: UInt64 = 1, threads: Int = 1) {
        self.architecture = architecture
        self.architectureConfiguration = architectureConfiguration
        self.loss = loss
        self.problem = problem
        self.digits = digits
        self.dataPath = dataPath
        self.epochs = epochs
        self.batchSize = batchSize
        self.k = k
        self.generatorOptimizer = generatorOptimizer
        self.discriminatorOptimizer = discriminatorOptimizer
        self.seed = seed
        self.threads = threads
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
        try require(problem.noise.scale > 0 && problem.noise.scale.isFinite, "noise scale must be positive, got \(problem.noise.scale)")
        for (name, optimizer) in [("generator", generatorOptimizer), ("discriminator", discriminatorOptimizer)] {
            try require(optimizer.learningRate > 0 && optimizer.learningRate.isFinite,
                        "\(name) learning rate must be positive, got \(optimizer.learningRate)")
            try require(optimizer.momentum >= 0 && optimizer.momentum < 1,
                        "\(name) momentum must lie in [0, 1), got \(optimizer.momentum)")
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
