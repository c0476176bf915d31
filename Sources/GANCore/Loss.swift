import GANTensor

/// One sample's loss and its derivative with respect to the discriminator's logit.
public struct LossTerm: Sendable, Equatable {
    public var value: Float
    public var gradient: Float
    public init(value: Float, gradient: Float) {
        self.value = value
        self.gradient = gradient
    }

    /// Binary cross-entropy of sigmoid(logit) against a target of 1 (real) or 0 (fake),
    /// on logits: -log D = softplus(-l), -log(1 - D) = softplus(l). No log(0) can occur.
    public static func crossEntropy(logit: Float, real: Bool) -> LossTerm {
        real
            ? LossTerm(value: softplus(-logit), gradient: sigmoid(logit) - 1)
            : LossTerm(value: softplus(logit), gradient: sigmoid(logit))
    }
}

/// A loss plugin: per-sample value and gradient with respect to the discriminator's logits,
/// for each half of the discriminator's objective and for the generator. The trainer averages
/// over the batch. Implementations work on logits (softplus), never on probabilities.
public protocol Loss: Sendable {
    /// Stable kebab-case name, stored in weight files.
    static var name: String { get }
    static var summary: String { get }
    /// The training settings this loss was designed for (e.g. LSGAN's Adam); they override the
    /// architecture's, and the recipe's and flags' override them.
    static var referenceSettings: ReferenceSettings { get }
    init()

    /// Discriminator's loss on a real sample's logit (minimised by the discriminator).
    func discriminatorReal(logit: Float) -> LossTerm
    /// Discriminator's loss on a generated sample's logit.
    func discriminatorFake(logit: Float) -> LossTerm
    /// Generator's loss on a generated sample's logit (minimised by the generator).
    func generator(logit: Float) -> LossTerm
}

extension Loss {
    public static var referenceSettings: ReferenceSettings { .none }
}

/// How the registry creates a loss plugin by name.
public struct LossFactory: Sendable {
    public let name: String
    public let summary: String
    public let referenceSettings: ReferenceSettings
    private let build: @Sendable () -> any Loss

    public init<L: Loss>(_ type: L.Type) {
        name = L.name
        summary = L.summary
        referenceSettings = L.referenceSettings
        build = { L() }
    }

    public func make() -> any Loss { build() }
}
