/// What one training step measured.
public struct StepReport: Sendable, Equatable {
    /// Discriminator objective: mean real-half loss + mean fake-half loss.
    public var discriminatorLoss: Float
    /// Generator loss of the generator update, when this step made one.
    public var generatorLoss: Float?
    /// Mean D(x) over the real batch (probability, from the logits).
    public var realScore: Float
    /// Mean D(G(z)) over the generated batch of the discriminator update.
    public var fakeScore: Float

    public init(discriminatorLoss: Float, generatorLoss: Float?, realScore: Float, fakeScore: Float) {
        self.discriminatorLoss = discriminatorLoss
        self.generatorLoss = generatorLoss
        self.realScore = realScore
        self.fakeScore = fakeScore
    }
}

/// A training procedure: consumes one minibatch of real samples per step.
public protocol Trainer: AnyObject {
    /// `realBatch` is [batchSize, sampleSize], pixels in [0, 1].
    func step(realBatch: UnsafePointer<Float>, batchSize: Int) -> StepReport
}
