import GANLayers
import GANTensor

/// How the two networks take turns.
public enum UpdateMode: String, Codable, Sendable, CaseIterable {
    /// Algorithm 1: each step updates D; after every k-th, G takes a step on fresh noise.
    case alternating
    /// The paper's released code: every k-th step computes G's gradient from the same samples
    /// and discriminator pass as D's, and both updates are applied together.
    case simultaneous
}

/// How the discriminator's two halves make its objective.
public enum DiscriminatorObjective: String, Codable, Sendable, CaseIterable {
    /// mean loss on the real half + mean loss on the fake half.
    case sum
    /// Half of that, as the paper's released code (`AdversaryCost2`: `d_obj = 0.5 * (...)`):
    /// at the same learning rate the discriminator takes steps half as large.
    case average

    /// The factor on the sum of the halves' mean losses.
    public var scale: Float { self == .sum ? 1 : 0.5 }
}

/// The paper's training procedure over a generator, a discriminator and a loss plugin.
///
/// Every step updates the discriminator on one minibatch of real samples and as many generated
/// ones. A batch-independent discriminator sees both halves as one concatenated batch (the same
/// gradients as two passes, one larger matrix product); one with batch normalisation sees them
/// in two passes, so each half is normalised by its own statistics, with parameter gradients
/// accumulating across the passes. The generator's update back-propagates through the
/// discriminator with input gradients only: the discriminator's parameters and gradients are
/// never touched there, and its optimizer is never stepped.
///
/// Running statistics (batch normalisation) are updated only by the network being trained in a
/// pass: the generator's while it is trained, the discriminator's during its own update; the
/// other network runs with `.trainingFrozenStatistics`.
public final class AdversarialTrainer: Trainer {
    public let generator: Network
    public let discriminator: Network
    public let loss: any Loss
    public let problem: Problem
    public let generatorOptimizer: any Optimizer
    public let discriminatorOptimizer: any Optimizer
    /// Discriminator updates per generator update (Algorithm 1's k).
    public let k: Int
    public let mode: UpdateMode
    public let discriminatorObjective: DiscriminatorObjective
    /// Stream for noise; part of the training state.
    public var noiseRNG: RandomGenerator
    public var discriminatorSteps = 0

    private var capacity = 0
    private var noise = Tensor(shape: [0])               // [B, latentSize]
    private var discriminatorInput = Tensor(shape: [0])  // [2B, sampleSize]: real rows, then fake
    private var logits = Tensor(shape: [0])              // [2B]: real logits, then fake
    private var logitGradient = Tensor(shape: [0])       // [2B]
    private var logitLoss = Tensor(shape: [0])           // [2B]: each row's discriminator loss, for the report
    private var sampleGradient = Tensor(shape: [0])      // [B, sampleSize]

    public init(generator: Network, discriminator: Network, loss: any Loss, problem: Problem,
                generatorOptimizer: any Optimizer, discriminatorOptimizer: any Optimizer,
                k: Int = 1, mode: UpdateMode = .alternating, discriminatorObjective: DiscriminatorObjective = .sum,
                noiseRNG: RandomGenerator) {
        precondition(k >= 1, "k must be at least 1")
        precondition(discriminator.outputSize == 1, "the discriminator must emit one logit")
        precondition(generator.inputSize == problem.latentSize && generator.outputSize == problem.sampleSize
                     && discriminator.inputSize == problem.sampleSize, "networks do not fit the problem")
        self.generator = generator
        self.discriminator = discriminator
        self.loss = loss
        self.problem = problem
        self.generatorOptimizer = generatorOptimizer
        self.discriminatorOptimizer = discriminatorOptimizer
        self.k = k
        self.mode = mode
        self.discriminatorObjective = discriminatorObjective
        self.noiseRNG = noiseRNG
    }

    private func reserve(_ batchSize: Int) {
        guard batchSize > capacity else { return }
        capacity = batchSize
        noise = Tensor(shape: [batchSize, problem.latentSize])
        discriminatorInput = Tensor(shape: [2 * batchSize, problem.sampleSize])
        logits = Tensor(shape: [2 * batchSize])
        logitGradient = Tensor(shape: [2 * batchSize])
        logitLoss = Tensor(shape: [2 * batchSize])
        sampleGradient = Tensor(shape: [batchSize, problem.sampleSize])
        generator.reserve(batchCapacity: batchSize)
        discriminator.reserve(batchCapacity: 2 * batchSize)
    }

    public func step(realBatch: UnsafePointer<Float>, batchSize: Int) -> StepReport {
        reserve(batchSize)
        discriminatorSteps += 1
        let updatesGenerator = discriminatorSteps % k == 0
        switch mode {
        case .alternating:
            var report = discriminatorStep(realBatch: realBatch, batchSize: batchSize, alsoGenerator: false)
            if updatesGenerator { report.generatorLoss = generatorStep(batchSize: batchSize) }
            return report
        case .simultaneous:
            return discriminatorStep(realBatch: realBatch, batchSize: batchSize, alsoGenerator: updatesGenerator)
        }
    }

    /// One discriminator update on real samples and G(z) for fresh z. With `alsoGenerator`
    /// (simultaneous mode) the generator's gradient comes from the same samples and pass, and
    /// both updates are applied together.
    @discardableResult
    public func discriminatorStep(realBatch: UnsafePointer<Float>, batchSize: Int,
                                  alsoGenerator: Bool = false) -> StepReport {
        reserve(batchSize)
        let size = problem.sampleSize
        problem.noise.sample(into: noise.pointer, count: batchSize * problem.latentSize, rng: &noiseRNG)
        let generatorPhase: Phase = alsoGenerator ? .training : .trainingFrozenStatistics
        let samples = generator.forward(noise.pointer, batchSize: batchSize, phase: generatorPhase)
        discriminator.zeroGradients()
        if alsoGenerator { generator.zeroGradients() }
        var generatorLoss: Float? = nil

        if discriminator.dependsOnBatch {
            // Two passes, each half normalised on its own; parameter gradients accumulate.
            discriminatorPass(realBatch, rows: batchSize, logitOffset: 0, real: true)
            discriminatorPass(samples, rows: batchSize, logitOffset: batchSize, real: false)
            if alsoGenerator {
                generatorLoss = generatorGradients(fakeLogitsAt: batchSize, batchSize: batchSize,
                                                   inputRowOffset: 0, batchRows: batchSize)
            }
        } else {
            discriminatorInput.pointer.update(from: realBatch, count: batchSize * size)
            (discriminatorInput.pointer + batchSize * size).update(from: samples, count: batchSize * size)
            let output = discriminator.forward(discriminatorInput.pointer, batchSize: 2 * batchSize, phase: .training)
            logits.pointer.update(from: output, count: 2 * batchSize)
            fillDiscriminatorGradients(rows: 0..<(2 * batchSize), batchSize: batchSize)
            discriminator.backward(logitGradient.pointer, needs: .parameters)
            if alsoGenerator {
                generatorLoss = generatorGradients(fakeLogitsAt: batchSize, batchSize: batchSize,
                                                   inputRowOffset: batchSize, batchRows: 2 * batchSize)
            }
        }
        discriminatorOptimizer.step()
        discriminator.applyConstraints()
        if alsoGenerator {
            generatorOptimizer.step()
            generator.applyConstraints()
        }
        return report(batchSize: batchSize, generatorLoss: generatorLoss)
    }

    /// One discriminator pass over one half, with its parameter gradients.
    private func discriminatorPass(_ input: UnsafePointer<Float>, rows: Int, logitOffset: Int, real: Bool) {
        let output = discriminator.forward(input, batchSize: rows, phase: .training)
        (logits.pointer + logitOffset).update(from: output, count: rows)
        fillDiscriminatorGradients(rows: logitOffset..<(logitOffset + rows), batchSize: rows)
        discriminator.backward(logitGradient.pointer + logitOffset, needs: .parameters)
    }

    /// dObjective/dLogit for rows of `logits` (real rows first, fake rows from `batchSize` on).
    private func fillDiscriminatorGradients(rows: Range<Int>, batchSize: Int) {
        let scale = discriminatorObjective.scale / Float(batchSize)
        for row in rows {
            let term = row < batchSize ? loss.discriminatorReal(logit: logits[row]) : loss.discriminatorFake(logit: logits[row])
            logitGradient[row] = term.gradient * scale
            logitLoss[row] = term.value
        }
    }

    /// Back-propagates the generator loss of the fake logits (still cached in the
    /// discriminator's last forward pass) into the generator's parameter gradients.
    /// `inputRowOffset`: where the fake rows sit in that pass of `batchRows` rows.
    private func generatorGradients(fakeLogitsAt offset: Int, batchSize: Int,
                                    inputRowOffset: Int, batchRows: Int) -> Float {
        let scale = 1 / Float(batchSize)
        var total: Float = 0
        let gradient = logitGradient.pointer
        gradient.update(repeating: 0, count: batchRows)
        for row in 0..<batchSize {
            let term = loss.generator(logit: logits[offset + row])
            total += term.value
            gradient[inputRowOffset + row] = term.gradient * scale
        }
        guard let inputGradient = discriminator.backward(gradient, needs: .input) else {
            preconditionFailure("the discriminator returned no input gradient")
        }
        generator.backward(inputGradient + inputRowOffset * problem.sampleSize, needs: .parameters)
        return total * scale
    }

    /// One generator update on fresh noise; returns the generator's mean loss.
    @discardableResult
    public func generatorStep(batchSize: Int) -> Float {
        reserve(batchSize)
        problem.noise.sample(into: noise.pointer, count: batchSize * problem.latentSize, rng: &noiseRNG)
        let samples = generator.forward(noise.pointer, batchSize: batchSize, phase: .training)
        let output = discriminator.forward(samples, batchSize: batchSize, phase: .trainingFrozenStatistics)
        (logits.pointer + batchSize).update(from: output, count: batchSize)
        generator.zeroGradients()
        let mean = generatorGradients(fakeLogitsAt: batchSize, batchSize: batchSize, inputRowOffset: 0, batchRows: batchSize)
        generatorOptimizer.step()
        generator.applyConstraints()
        return mean
    }

    private func report(batchSize: Int, generatorLoss: Float?) -> StepReport {
        let scale = 1 / Float(batchSize)
        var realLoss: Float = 0, fakeLoss: Float = 0, realScore: Float = 0, fakeScore: Float = 0
        for row in 0..<batchSize {
            realLoss += logitLoss[row]
            fakeLoss += logitLoss[batchSize + row]
            realScore += sigmoid(logits[row])
            fakeScore += sigmoid(logits[batchSize + row])
        }
        return StepReport(discriminatorLoss: (realLoss + fakeLoss) * scale * discriminatorObjective.scale, generatorLoss: generatorLoss,
                          realScore: realScore * scale, fakeScore: fakeScore * scale)
    }
}
