import GANCore

/// The paper's practical variant: the generator maximises log D(G(z)).
///
/// Per sample on logit l: generator loss softplus(-l) = -log sigmoid(l), gradient
/// sigmoid(l) - 1, which stays near -1 while D rejects the sample, so learning starts at once.
public struct NonSaturatingLoss: Loss {
    public static let name = "non-saturating"
    public static let summary = "G minimises -log D(G(z)) (the paper's recommended heuristic; strong early gradients)"

    public init() {}

    public func discriminatorReal(logit: Float) -> LossTerm { .crossEntropy(logit: logit, real: true) }
    public func discriminatorFake(logit: Float) -> LossTerm { .crossEntropy(logit: logit, real: false) }
    public func generator(logit: Float) -> LossTerm { .crossEntropy(logit: logit, real: true) }
}
