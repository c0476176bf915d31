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
///
/// A conditional problem (`problem.classes`, p(x | c)) appends the one-hot label to the input of
/// both networks: the generator sees noise ++ one-hot(c), the discriminator sample ++ one-hot(c).
/// Real rows carry their own labels (`step(realBatch:labels:batchSize:)`); each generated row's
/// label is drawn from the training label distribution (`labelRNG`, part of the training state).
/// The loss sees only logits, so every loss plugin works unchanged.
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
    /// Stream for the labels of generated samples (conditional problems); part of the training state.
    public var labelRNG: RandomGenerator
    public var discriminatorSteps = 0

    private var capacity = 0
    private var noise = Tensor(shape: [0])               // [B, latentSize]
    private var generatorInput = Tensor(shape: [0])      // [B, latentSize + classes] (conditional only)
    private var fakeLabels: [Int] = []                   // [B] (conditional only)
    private var discriminatorInput = Tensor(shape: [0])  // [2B, sampleSize + classes]: real rows, then fake
    private var logits = Tensor(shape: [0])              // [2B]: real logits, then fake
    private var logitGradient = Tensor(shape: [0])       // [2B]
    private var logitLoss = Tensor(shape: [0])           // [2B]: each row's discriminator loss, for the report
    private var sampleGradient = Tensor(shape: [0])      // [B, sampleSize]

    public init(generator: Network, discriminator: Network, loss: any Loss, problem: Problem,
                generatorOptimizer: any Optimizer, discriminatorOptimizer: any Optimizer,
                k: Int = 1, mode: UpdateMode = .alternating, discriminatorObjective: DiscriminatorObjective = .sum,
                noiseRNG: RandomGenerator, labelRNG: RandomGenerator? = nil) {
        precondition(k >= 1, "k must be at least 1")
        precondition(discriminator.outputSize == 1, "the discriminator must emit one logit")
        precondition(generator.inputSize == problem.generatorInputSize && generator.outputSize == problem.sampleSize
                     && discriminator.inputSize == problem.discriminatorInputSize, "networks do not fit the problem")
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
        self.labelRNG = labelRNG ?? RandomGenerator(seed: 0, stream: 5)  // GANZoo's RandomStream.trainingLabels
    }

    private func reserve(_ batchSize: Int) {
        guard batchSize > capacity else { return }
        capacity = batchSize
        noise = Tensor(shape: [batchSize, problem.latentSize])
        if problem.classes != nil {
            generatorInput = Tensor(shape: [batchSize, problem.generatorInputSize])
            fakeLabels = [Int](repeating: 0, count: batchSize)
        }
        discriminatorInput = Tensor(shape: [2 * batchSize, problem.discriminatorInputSize])
        logits = Tensor(shape: [2 * batchSize])
        logitGradient = Tensor(shape: [2 * batchSize])
        logitLoss = Tensor(shape: [2 * batchSize])
        sampleGradient = Tensor(shape: [batchSize, problem.sampleSize])
        generator.reserve(batchCapacity: batchSize)
        discriminator.reserve(batchCapacity: 2 * batchSize)
    }

    public func step(realBatch: UnsafePointer<Float>, batchSize: Int) -> StepReport {
        step(realBatch: realBatch, labels: nil, batchSize: batchSize)
    }

    /// One step; a conditional problem needs the real rows' `labels` (class indices).
    public func step(realBatch: UnsafePointer<Float>, labels: UnsafePointer<Int>?, batchSize: Int) -> StepReport {
        reserve(batchSize)
        discriminatorSteps += 1
        let updatesGenerator = discriminatorSteps % k == 0
        switch mode {
        case .alternating:
            var report = discriminatorStep(realBatch: realBatch, labels: labels, batchSize: batchSize, alsoGenerator: false)
            if updatesGenerator { report.generatorLoss = generatorStep(batchSize: batchSize) }
            return report
        case .simultaneous:
            return discriminatorStep(realBatch: realBatch, labels: labels, batchSize: batchSize, alsoGenerator: updatesGenerator)
        }
    }

    /// One discriminator update on real samples and G(z) for fresh z. With `alsoGenerator`
    /// (simultaneous mode) the generator's gradient comes from the same samples and pass, and
    /// both updates are applied together.
    @discardableResult
    public func discriminatorStep(realBatch: UnsafePointer<Float>, labels: UnsafePointer<Int>? = nil, batchSize: Int,
                                  alsoGenerator: Bool = false) -> StepReport {
        reserve(batchSize)
        precondition((labels != nil) == (problem.classes != nil), "a conditional problem needs the real rows' labels, only it")
        let generatorPhase: Phase = alsoGenerator ? .training : .trainingFrozenStatistics
        let samples = generator.forward(drawGeneratorInput(batchSize), batchSize: batchSize, phase: generatorPhase)
        discriminator.zeroGradients()
        if alsoGenerator { generator.zeroGradients() }
        var generatorLoss: Float? = nil
        let width = problem.discriminatorInputSize
        fillDiscriminatorRows(from: 0, realBatch, labels: labels, rows: batchSize)
        fakeLabels.withUnsafeBufferPointer { fake in
            fillDiscriminatorRows(from: batchSize, samples, labels: problem.classes == nil ? nil : fake.baseAddress, rows: batchSize)
        }

        if discriminator.dependsOnBatch {
            // Two passes, each half normalised on its own; parameter gradients accumulate.
            discriminatorPass(discriminatorInput.pointer, rows: batchSize, logitOffset: 0, real: true)
            discriminatorPass(discriminatorInput.pointer + batchSize * width, rows: batchSize, logitOffset: batchSize, real: false)
            if alsoGenerator {
                generatorLoss = generatorGradients(fakeLogitsAt: batchSize, batchSize: batchSize,
                                                   inputRowOffset: 0, batchRows: batchSize)
            }
        } else {
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

    /// Fresh noise for `batchSize` rows; for a conditional problem each row also gets a label
    /// drawn from the training distribution (`fakeLabels`), appended one-hot.
    private func drawGeneratorInput(_ batchSize: Int) -> UnsafePointer<Float> {
        problem.noise.sample(into: noise.pointer, count: batchSize * problem.latentSize, rng: &noiseRNG)
        guard let classes = problem.classes else { return UnsafePointer(noise.pointer) }
        for row in 0..<batchSize { fakeLabels[row] = classes.draw(&labelRNG) }
        Self.appendOneHot(noise.pointer, labels: fakeLabels, rows: batchSize, width: problem.latentSize,
                          classes: problem.classCount, into: generatorInput.pointer)
        return UnsafePointer(generatorInput.pointer)
    }

    /// Rows of `values` [rows, width], each followed by the one-hot encoding of its label:
    /// [rows, width + classes] in `output`. Labels lie in 0..<classes.
    public static func appendOneHot(_ values: UnsafePointer<Float>, labels: UnsafePointer<Int>, rows: Int, width: Int,
                                    classes: Int, into output: UnsafeMutablePointer<Float>) {
        let total = width + classes
        for row in 0..<rows {
            let target = output + row * total
            target.update(from: values + row * width, count: width)
            (target + width).update(repeating: 0, count: classes)
            precondition((0..<classes).contains(labels[row]), "label \(labels[row]) is not one of \(classes) classes")
            target[width + labels[row]] = 1
        }
    }

    /// Rows [first, first + rows) of the discriminator's input: the samples, with their one-hot
    /// labels when the problem is conditional.
    private func fillDiscriminatorRows(from first: Int, _ samples: UnsafePointer<Float>, labels: UnsafePointer<Int>?, rows: Int) {
        let size = problem.sampleSize
        let target = discriminatorInput.pointer + first * problem.discriminatorInputSize
        if let labels {
            Self.appendOneHot(samples, labels: labels, rows: rows, width: size, classes: problem.classCount, into: target)
        } else {
            target.update(from: samples, count: rows * size)
        }
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
        let size = problem.sampleSize, width = problem.discriminatorInputSize
        if width == size {
            generator.backward(inputGradient + inputRowOffset * size, needs: .parameters)
        } else {
            // The label columns are an input, not the generator's output: only the sample's reach G.
            for row in 0..<batchSize {
                (sampleGradient.pointer + row * size).update(from: inputGradient + (inputRowOffset + row) * width, count: size)
            }
            generator.backward(sampleGradient.pointer, needs: .parameters)
        }
        return total * scale
    }

    /// One generator update on fresh noise; returns the generator's mean loss.
    @discardableResult
    public func generatorStep(batchSize: Int) -> Float {
        reserve(batchSize)
        let samples = generator.forward(drawGeneratorInput(batchSize), batchSize: batchSize, phase: .training)
        var input = UnsafePointer(samples)
        if problem.classes != nil {
            fillDiscriminatorRows(from: 0, samples, labels: fakeLabels, rows: batchSize)
            input = UnsafePointer(discriminatorInput.pointer)
        }
        let output = discriminator.forward(input, batchSize: batchSize, phase: .trainingFrozenStatistics)
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
