import GANCore
import GANLayers

/// Least-squares GAN (Mao et al. 2017) with the 0-1 coding (a = 0, b = c = 1): the
/// discriminator's raw output l (the logit, read as a score) is regressed to 1 for real
/// samples and 0 for generated ones; the generator pulls its samples' scores to 1.
///
/// real: (l - 1)^2 / 2, fake: l^2 / 2, generator: (l - 1)^2 / 2. Gradients stay linear in l,
/// so they neither vanish nor saturate far from the decision boundary.
public struct LeastSquaresLoss: Loss {
    public static let name = "least-squares"
    public static let summary = "LSGAN (Mao et al. 2017): D regresses scores to 1 (real) and 0 (fake); G pulls its scores to 1"

    /// LSGAN's training: Adam, learning rate 0.0002, beta1 0.5, for both networks. At the
    /// global defaults (SGD 0.1) its unbounded gradient diverged within 7 steps on every
    /// architecture (the ablation in the README).
    public static let referenceSettings = ReferenceSettings(
        optimizer: OptimizerConfiguration(kind: .adam, learningRate: 0.0002, beta1: 0.5),
        reason: "Mao et al. 2017 (LSGAN): Adam 0.0002, beta1 0.5")

    public init() {}

    public func discriminatorReal(logit: Float) -> LossTerm {
        LossTerm(value: 0.5 * (logit - 1) * (logit - 1), gradient: logit - 1)
    }

    public func discriminatorFake(logit: Float) -> LossTerm {
        LossTerm(value: 0.5 * logit * logit, gradient: logit)
    }

    public func generator(logit: Float) -> LossTerm {
        LossTerm(value: 0.5 * (logit - 1) * (logit - 1), gradient: logit - 1)
    }
}
