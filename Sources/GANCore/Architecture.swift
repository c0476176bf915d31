import Foundation
import GANLayers
import GANTensor

/// An architecture plugin: builds a generator and a discriminator for a problem.
///
/// The generator maps [batch, latentSize] noise to [batch, sampleSize] pixels in [0, 1]; the
/// discriminator maps samples to **one logit** per sample (no sigmoid: every loss works on
/// logits). `Configuration`'s defaults are the documented reference hyperparameters.
public protocol Architecture: Sendable {
    associatedtype Configuration: Codable & Sendable & Equatable
    /// Stable kebab-case name, stored in weight files.
    static var name: String { get }
    static var summary: String { get }
    static var defaultConfiguration: Configuration { get }
    /// The training settings this architecture was designed for (the paper's model: its
    /// schedule and noise prior); a loss plugin's, the recipe's and the flags' override them.
    static var referenceSettings: ReferenceSettings { get }
    /// Whether the plugin builds conditional networks (p(x | c), the paper's section 7): for a
    /// problem with `classes`, the generator's input is `problem.generatorInputSize` (noise, then
    /// the one-hot label) and the discriminator's `problem.discriminatorInputSize` (sample, then
    /// the one-hot label). The default is false: such a problem is then refused by `checkSizes`.
    static var supportsCondition: Bool { get }

    var configuration: Configuration { get }
    /// Throws `ConfigurationError` when a field is out of range (a width of 0, say).
    init(configuration: Configuration) throws

    /// Throws when a network for `problem` would pass `Limits` (`ConfigurationCheck.layers`
    /// over each network's widths). Called before either make function, which may then allocate.
    func checkSizes(for problem: Problem) throws(ConfigurationError)
    func makeGenerator(for problem: Problem, rng: inout RandomGenerator) -> Network
    func makeDiscriminator(for problem: Problem, rng: inout RandomGenerator) -> Network
}

extension Architecture {
    public static var referenceSettings: ReferenceSettings { .none }
    public static var supportsCondition: Bool { false }
}

/// A type-erased architecture with its configuration, as the registry and files handle it.
public struct AnyArchitecture: Sendable {
    public let name: String
    public let summary: String
    public let supportsCondition: Bool
    /// The full configuration as JSON (every field, defaults filled in).
    public let configurationJSON: String
    private let generator: @Sendable (Problem, inout RandomGenerator) -> Network
    private let discriminator: @Sendable (Problem, inout RandomGenerator) -> Network
    private let sizes: @Sendable (Problem) throws(ConfigurationError) -> Void

    public init<A: Architecture>(_ architecture: A) {
        name = A.name
        summary = A.summary
        supportsCondition = A.supportsCondition
        configurationJSON = ConfigurationCoding.encode(architecture.configuration)
        generator = { architecture.makeGenerator(for: $0, rng: &$1) }
        discriminator = { architecture.makeDiscriminator(for: $0, rng: &$1) }
        sizes = { (problem) throws(ConfigurationError) in try architecture.checkSizes(for: problem) }
    }

    public func checkSizes(for problem: Problem) throws(ConfigurationError) {
        try problem.validate()
        if problem.classes != nil && !supportsCondition {
            throw .invalid(plugin: name, reason: "it builds no conditional networks (its supportsCondition is false); "
                           + "train it without --conditional")
        }
        try sizes(problem)
    }

    public func makeGenerator(for problem: Problem, rng: inout RandomGenerator) -> Network {
        generator(problem, &rng)
    }

    public func makeDiscriminator(for problem: Problem, rng: inout RandomGenerator) -> Network {
        discriminator(problem, &rng)
    }
}

/// How a plugin type is created from a (possibly partial) JSON configuration.
public struct ArchitectureFactory: Sendable {
    public let name: String
    public let summary: String
    public let defaultConfigurationJSON: String
    public let referenceSettings: ReferenceSettings
    public let supportsCondition: Bool
    private let build: @Sendable (String?) throws -> AnyArchitecture

    public init<A: Architecture>(_ type: A.Type) {
        name = A.name
        summary = A.summary
        defaultConfigurationJSON = ConfigurationCoding.encode(A.defaultConfiguration)
        referenceSettings = A.referenceSettings
        supportsCondition = A.supportsCondition
        build = { json in
            let configuration = try ConfigurationCoding.decode(
                A.Configuration.self, from: json, over: A.defaultConfiguration, plugin: A.name)
            return AnyArchitecture(try A(configuration: configuration))
        }
    }

    /// Builds the plugin; fields missing from `json` keep their defaults.
    public func make(configurationJSON json: String? = nil) throws -> AnyArchitecture {
        try build(json)
    }
}
