import GANLayers

/// The training settings a plugin was designed for: a partial recipe. Fields left nil say
/// nothing. Precedence, strongest first: a flag, the recipe, the loss plugin's settings, the
/// architecture plugin's, the global defaults (`gan train --print-recipe --explain` shows which
/// one set each value).
///
/// An optimizer is declared whole (kind, rates, schedule): a loss that wants Adam replaces an
/// architecture's SGD schedule rather than mixing with it. The noise prior is whole too.
public struct ReferenceSettings: Codable, Sendable, Equatable {
    public var batchSize: Int?
    /// Algorithm 1's k.
    public var k: Int?
    public var mode: UpdateMode?
    public var discriminatorObjective: DiscriminatorObjective?
    public var generatorOptimizer: OptimizerConfiguration?
    public var discriminatorOptimizer: OptimizerConfiguration?
    public var noise: NoisePrior?
    /// Architecture plugins only: configuration fields of the plugin itself (a JSON object), for
    /// settings that belong to its layers (a max-norm bound, say) rather than to training.
    public var architectureConfiguration: JSONValue?
    /// Why these settings (a paper, a measurement), shown by `gan list --configurations`.
    public var reason: String?

    public init(batchSize: Int? = nil, k: Int? = nil, mode: UpdateMode? = nil,
                discriminatorObjective: DiscriminatorObjective? = nil,
                generatorOptimizer: OptimizerConfiguration? = nil, discriminatorOptimizer: OptimizerConfiguration? = nil,
                noise: NoisePrior? = nil, architectureConfiguration: JSONValue? = nil, reason: String? = nil) {
        self.batchSize = batchSize
        self.k = k
        self.mode = mode
        self.discriminatorObjective = discriminatorObjective
        self.generatorOptimizer = generatorOptimizer
        self.discriminatorOptimizer = discriminatorOptimizer
        self.noise = noise
        self.architectureConfiguration = architectureConfiguration
        self.reason = reason
    }

    /// Both networks' optimizer.
    public init(optimizer: OptimizerConfiguration, batchSize: Int? = nil, k: Int? = nil, mode: UpdateMode? = nil,
                discriminatorObjective: DiscriminatorObjective? = nil, noise: NoisePrior? = nil,
                architectureConfiguration: JSONValue? = nil, reason: String? = nil) {
        self.init(batchSize: batchSize, k: k, mode: mode, discriminatorObjective: discriminatorObjective,
                  generatorOptimizer: optimizer, discriminatorOptimizer: optimizer, noise: noise,
                  architectureConfiguration: architectureConfiguration, reason: reason)
    }

    public static let none = ReferenceSettings()

    public var isEmpty: Bool { self == ReferenceSettings(reason: reason) }

    /// The settings as recipe fields (a JSON object in the recipe's layout): `noise` goes under
    /// `problem`; `reason` is not a recipe field. `includeGenerator` / `includeDiscriminator`
    /// pick the halves that apply when the two networks come from different plugins.
    public func recipeFields(includeShared: Bool = true, includeGenerator: Bool = true,
                             includeDiscriminator: Bool = true) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        func put<T: Encodable>(_ key: String, _ value: T?) {
            guard let value, let json = try? JSONValue(parsing: ConfigurationCoding.encode(value)) else { return }
            fields[key] = json
        }
        if includeShared {
            put("batchSize", batchSize)
            put("k", k)
            put("mode", mode)
            put("discriminatorObjective", discriminatorObjective)
        }
        if includeGenerator {
            put("generatorOptimizer", generatorOptimizer)
            if let noise, let json = try? JSONValue(parsing: ConfigurationCoding.encode(noise)) {
                fields["problem"] = .object(["noise": json])
            }
        }
        if includeDiscriminator { put("discriminatorOptimizer", discriminatorOptimizer) }
        return fields
    }

    /// One line per declared setting, for `gan list --configurations`.
    public var lines: [String] {
        var result: [String] = []
        if let batchSize { result.append("batch size \(batchSize)") }
        if let k { result.append("k \(k)") }
        if let mode { result.append("mode \(mode.rawValue)") }
        if let discriminatorObjective { result.append("discriminator objective \(discriminatorObjective.rawValue)") }
        if let generatorOptimizer, generatorOptimizer == discriminatorOptimizer {
            result.append("optimizer (both): \(generatorOptimizer.summary)")
        } else {
            if let generatorOptimizer { result.append("generator optimizer: \(generatorOptimizer.summary)") }
            if let discriminatorOptimizer { result.append("discriminator optimizer: \(discriminatorOptimizer.summary)") }
        }
        if let noise { result.append("noise \(noise.kind.rawValue), scale \(noise.scale)") }
        if let architectureConfiguration { result.append("configuration \(architectureConfiguration.text)") }
        return result
    }
}

extension OptimizerConfiguration {
    /// "sgd lr 0.1 momentum 0.5, ..." in one line.
    public var summary: String {
        var parts = [kind.rawValue, "lr \(learningRate)"]
        switch kind {
        case .sgd: parts.append("momentum \(momentum)")
        case .adam: parts.append("beta1 \(beta1) beta2 \(beta2)")
        }
        if schedule.learningRateDecay != 1 {
            parts.append("lr / \(schedule.learningRateDecay) per step (floor \(schedule.minimumLearningRate))")
        }
        if let final = schedule.finalMomentum {
            parts.append("momentum to \(final) by epoch \(schedule.momentumRampEndEpoch)")
        }
        if weightDecay > 0 { parts.append("weight decay \(weightDecay)") }
        return parts.joined(separator: ", ")
    }
}
