import GANCore

/// The paper's minimax objective: the generator minimises log(1 - D(G(z))).
///
/// Per sample on logit l: generator loss -softplus(l) = log(1 - sigmoid(l)), gradient
/// -sigmoid(l). When D confidently rejects a sample (l very negative) the gradient vanishes:
/// this is the early-training stall the paper warns of. The discriminator minimises the usual
/// cross-entropy.
public struct SaturatingLoss: Loss {
    public static let name = "saturating"
    public static let summary = "minimax: G minimises log(1 - D(G(z))) (the paper's value function; saturates early)"

    public init() {}

    public func discriminatorReal(logit: Float) -> LossTerm { .crossEntropy(logit: logit, real: true) }
    public func discriminatorFake(logit: Float) -> LossTerm { .crossEntropy(logit: logit, real: false) }

    public func generator(logit: Float) -> LossTerm {
        let fake = LossTerm.crossEntropy(logit: logit, real: false)
        return LossTerm(value: -fake.value, gradient: -fake.gradient)
    }
}
