import GANCore

/// Hinge loss (Lim & Ye 2017; Miyato et al. 2018): the discriminator is a margin classifier on
/// its raw score l, and the generator raises the score of its samples.
///
/// real: max(0, 1 - l), fake: max(0, 1 + l), generator: -l. The discriminator's gradient is
/// zero once a sample is beyond the margin; at the kinks (l = +-1) the gradient taken is 0.
public struct HingeLoss: Loss {
    public static let name = "hinge"
    public static let summary = "hinge (Lim & Ye 2017): D is a margin classifier on its score; G maximises its samples' score"

    public init() {}

    public func discriminatorReal(logit: Float) -> LossTerm {
        logit < 1 ? LossTerm(value: 1 - logit, gradient: -1) : LossTerm(value: 0, gradient: 0)
    }

    public func discriminatorFake(logit: Float) -> LossTerm {
        logit > -1 ? LossTerm(value: 1 + logit, gradient: 1) : LossTerm(value: 0, gradient: 0)
    }

    public func generator(logit: Float) -> LossTerm {
        LossTerm(value: -logit, gradient: -1)
    }
}
