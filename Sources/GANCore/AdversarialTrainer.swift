import GANLayers
import GANTensor

/// The paper's Algorithm 1: every step updates the discriminator on one minibatch of real
/// samples and as many generated ones; after every `k`-th discriminator update the generator
/// takes one step on fresh noise.
///
/// The discriminator sees the real and generated halves as one concatenated batch (the same
/// gradients as two passes, one larger matrix product). The generator step back-propagates
/// through the discriminator with input gradients only: the discriminator's parameter
/// gradients are never touched there and its optimizer is never stepped.
public final class AdversarialTrainer: Trainer {
    public let generator: Network
    public let discriminator: Network
    public let loss: any Loss
    public let problem: Problem
    public let generatorOptimizer: any Optimizer
    public let discriminatorOptimizer: any Optimizer
    /// Discriminator updates per generator update (Algorithm 1's k).
    public let k: Int
    /// Stream for noise; part of the training state.
    public var noiseRNG: RandomGenerator
    public private(set) var discriminatorSteps = 0

    private var capacity = 0
    private var noise = Tensor(shape: [0])
    private var discriminatorInput = Tensor(shape: [0])   // [2B, sampleSize]: real rows, then fake
    private var logitGradient = Tensor(shape: [0])        // [2B, 1]

    public init(generator: Network, discriminator: Network, loss: any Loss, problem: Problem,
                generatorOptimizer: any Optimizer, discriminatorOptimizer: any Optimizer,
                k: Int = 1, noiseRNG: RandomGenerator) {
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
        self.noiseRNG = noiseRNG
    }

    private func reserve(_ batchSize: Int) {
        guard batchSize > capacity else { return }
        capacity = batchSize
        noise = Tensor(shape: [batchSize, problem.latentSize])
        discriminatorInput = Tensor(shape: [2 * batchSize, problem.sampleSize])
        logitGradient = Tensor(shape: [2 * batchSize, 1])
        generator.reserve(batchCapacity: batchSize)
        discriminator.reserve(batchCapacity: 2 * batchSize)
    }

    public func step(realBatch: UnsafePointer<Float>, batchSize: Int) -> StepReport {
        reserve(batchSize)
        var report = discriminatorStep(realBatch: realBatch, batchSize: batchSize)
        discriminatorSteps += 1
        if discriminatorSteps % k == 0 {
            report.generatorLoss = generatorStep(batchSize: batchSize)
        }
        return report
    }

    /// One discriminator update on real samples and G(z) for fresh z.
    public func discriminatorStep(realBatch: UnsafePointer<Float>, batchSize: Int) -> StepReport {
        reserve(batchSize)
        let size = problem.sampleSize
        problem.noise.sample(into: noise.pointer, count: batchSize * problem.latentSize, rng: &noiseRNG)
        let samples = generator.forward(noise.pointer, batchSize: batchSize, phase: .training)
        discriminatorInput.pointer.update(from: realBatch, count: batchSize * size)
        (discriminatorInput.pointer + batchSize * size).update(from: samples, count: batchSize * size)

        let logits = discriminator.forward(discriminatorInput.pointer, batchSize: 2 * batchSize, phase: .training)
        let scale = 1 / Float(batchSize)
        var realLoss: Float = 0, fakeLoss: Float = 0, realScore: Float = 0, fakeScore: Float = 0
        for row in 0..<batchSize {
            let real = loss.discriminatorReal(logit: logits[row])
            let fake = loss.discriminatorFake(logit: logits[batchSize + row])
            realLoss += real.value
            fakeLoss += fake.value
            realScore += sigmoid(logits[row])
            fakeScore += sigmoid(logits[batchSize + row])
            logitGradient[row] = real.gradient * scale
            logitGradient[batchSize + row] = fake.gradient * scale
        }
        discriminator.zeroGradients()
        discriminator.backward(logitGradient.pointer, needs: .parameters)
        discriminatorOptimizer.step()
        return StepReport(discriminatorLoss: (realLoss + fakeLoss) * scale, generatorLoss: nil,
                          realScore: realScore * scale, fakeScore: fakeScore * scale)
    }

    /// One generator update on fresh noise; returns the generator's mean loss.
    public func generatorStep(batchSize: Int) -> Float {
        reserve(batchSize)
        problem.noise.sample(into: noise.pointer, count: batchSize * problem.latentSize, rng: &noiseRNG)
        let samples = generator.forward(noise.pointer, batchSize: batchSize, phase: .training)
        let logits = discriminator.forward(samples, batchSize: batchSize, phase: .training)
        let scale = 1 / Float(batchSize)
        var total: Float = 0
        for row in 0..<batchSize {
            let term = loss.generator(logit: logits[row])
            total += term.value
            logitGradient[row] = term.gradient * scale
        }
        // Input gradients only: the discriminator's parameters and their gradients stay as they are.
        guard let sampleGradient = discriminator.backward(logitGradient.pointer, needs: .input) else {
            preconditionFailure("the discriminator returned no input gradient")
        }
        generator.zeroGradients()
        generator.backward(sampleGradient, needs: .parameters)
        generatorOptimizer.step()
        return total * scale
    }
}
