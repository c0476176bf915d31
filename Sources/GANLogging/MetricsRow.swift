import Foundation

/// One row of the metrics log (see README, "The metrics log"): where the run stands, the
/// averages of the epoch so far, the optimizers' settings at that step, and timing.
public struct MetricsRow: Codable, Equatable, Sendable {
    /// The epoch the row belongs to (1-based; the epoch just finished when `epochEnd`).
    public var epoch: Int
    /// Training steps (minibatches) done since the run began.
    public var step: Int
    /// True for the row written when an epoch ends (its averages are the whole epoch's).
    public var epochEnd: Bool
    /// Steps of this epoch that the averages cover.
    public var epochSteps: Int
    public var discriminatorLoss: Float
    public var generatorLoss: Float
    /// Mean D(x) on real images, D(G(z)) on generated ones.
    public var realScore: Float
    public var fakeScore: Float
    public var generatorLearningRate: Float
    public var discriminatorLearningRate: Float
    /// SGD's momentum, or Adam's beta1.
    public var generatorMomentum: Float
    public var discriminatorMomentum: Float
    public var samplesPerSecond: Double
    /// Seconds spent in training steps since the run began (summed over resumed runs).
    public var elapsedSeconds: Double

    public init(epoch: Int, step: Int, epochEnd: Bool, epochSteps: Int, discriminatorLoss: Float, generatorLoss: Float,
                realScore: Float, fakeScore: Float, generatorLearningRate: Float, discriminatorLearningRate: Float,
                generatorMomentum: Float, discriminatorMomentum: Float, samplesPerSecond: Double, elapsedSeconds: Double) {
        self.epoch = epoch
        self.step = step
        self.epochEnd = epochEnd
        self.epochSteps = epochSteps
        self.discriminatorLoss = discriminatorLoss
        self.generatorLoss = generatorLoss
        self.realScore = realScore
        self.fakeScore = fakeScore
        self.generatorLearningRate = generatorLearningRate
        self.discriminatorLearningRate = discriminatorLearningRate
        self.generatorMomentum = generatorMomentum
        self.discriminatorMomentum = discriminatorMomentum
        self.samplesPerSecond = samplesPerSecond
        self.elapsedSeconds = elapsedSeconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case epoch, step
        case epochEnd = "epoch_end", epochSteps = "epoch_steps"
        case discriminatorLoss = "discriminator_loss", generatorLoss = "generator_loss"
        case realScore = "real_score", fakeScore = "fake_score"
        case generatorLearningRate = "generator_learning_rate", discriminatorLearningRate = "discriminator_learning_rate"
        case generatorMomentum = "generator_momentum", discriminatorMomentum = "discriminator_momentum"
        case samplesPerSecond = "samples_per_second", elapsedSeconds = "elapsed_seconds"
    }

    /// The log's column names, in the order each line holds them.
    public static let columns = CodingKeys.allCases.map(\.rawValue)

    /// The TensorBoard scalar tag of each logged value, with the value.
    public var scalars: [(tag: String, value: Float)] {
        [("loss/discriminator", discriminatorLoss), ("loss/generator", generatorLoss),
         ("score/real", realScore), ("score/fake", fakeScore),
         ("learning_rate/generator", generatorLearningRate), ("learning_rate/discriminator", discriminatorLearningRate),
         ("momentum/generator", generatorMomentum), ("momentum/discriminator", discriminatorMomentum),
         ("speed/samples_per_second", Float(samplesPerSecond))]
    }

    /// One JSON object on one line, keys in `columns` order; Floats in their shortest exact
    /// decimal form (a reader gets the same float32 back).
    public var jsonLine: String {
        func number(_ value: Float) -> String { value.isFinite ? "\(value)" : "null" }
        func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }
        let values = [String(epoch), String(step), epochEnd ? "true" : "false", String(epochSteps),
                      number(discriminatorLoss), number(generatorLoss), number(realScore), number(fakeScore),
                      number(generatorLearningRate), number(discriminatorLearningRate),
                      number(generatorMomentum), number(discriminatorMomentum),
                      number(samplesPerSecond), number(elapsedSeconds)]
        return "{" + zip(Self.columns, values).map { "\"\($0)\": \($1)" }.joined(separator: ", ") + "}"
    }

    public init(jsonLine line: Substring) throws {
        self = try JSONDecoder().decode(MetricsRow.self, from: Data(line.utf8))
    }
}
