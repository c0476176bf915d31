import GANCore
import GANLayers
import GANTensor

/// A generator and a discriminator, each built by an architecture plugin for a problem.
public final class GANModel {
    public let generatorArchitecture: AnyArchitecture
    public let discriminatorArchitecture: AnyArchitecture
    public let problem: Problem
    public let generator: Network
    public let discriminator: Network

    /// Builds both networks, initialising weights from the `seed`'s initialisation stream
    /// (the generator first, then the discriminator).
    public init(generator generatorArchitecture: AnyArchitecture, discriminator discriminatorArchitecture: AnyArchitecture,
                problem: Problem, seed: UInt64) throws(ConfigurationError) {
        // Sizes first: building the networks allocates every layer.
        try generatorArchitecture.checkSizes(for: problem)
        try discriminatorArchitecture.checkSizes(for: problem)
        self.generatorArchitecture = generatorArchitecture
        self.discriminatorArchitecture = discriminatorArchitecture
        self.problem = problem
        var rng = RandomGenerator(seed: seed, stream: RandomStream.initialization)
        generator = generatorArchitecture.makeGenerator(for: problem, rng: &rng)
        discriminator = discriminatorArchitecture.makeDiscriminator(for: problem, rng: &rng)
        precondition(generator.inputSize == problem.generatorInputSize && generator.outputSize == problem.sampleSize,
                     "\(generatorArchitecture.name): the generator does not map \(problem.generatorInputSize) inputs to \(problem.sampleSize)")
        precondition(discriminator.inputSize == problem.discriminatorInputSize && discriminator.outputSize == 1,
                     "\(discriminatorArchitecture.name): the discriminator must map \(problem.discriminatorInputSize) values to one logit")
    }

    /// Builds the model a configuration describes (plugins from the registry).
    public convenience init(configuration: TrainingConfiguration, problem: Problem) throws {
        let generator = try Registry.architecture(named: configuration.generatorPlugin)
            .make(configurationJSON: configuration.configurationJSON(generator: true))
        let discriminator = try Registry.architecture(named: configuration.discriminatorPlugin)
            .make(configurationJSON: configuration.configurationJSON(generator: false))
        try self.init(generator: generator, discriminator: discriminator, problem: problem, seed: configuration.seed)
    }

    /// "mlp", or "mlp-batchnorm+maxout-dropout" when the two networks come from different plugins.
    public var architectureName: String {
        generatorArchitecture.name == discriminatorArchitecture.name
            ? generatorArchitecture.name : "\(generatorArchitecture.name)+\(discriminatorArchitecture.name)"
    }

    /// Samples [count, sampleSize] in inference mode, in chunks so memory stays bounded. A
    /// conditional model draws sample i of class `labels[i]`; without `labels`, of the classes
    /// `labels(count:seed:)` draws from the training distribution.
    public func sample(count: Int, seed: UInt64, labels: [Int]? = nil, chunk: Int = 1000) -> (samples: [Float], noise: [Float]) {
        let noise = noise(count: count, seed: seed)
        let labels = labels ?? (problem.classes == nil ? nil : self.labels(count: count, seed: seed))
        return (generate(noise: noise, count: count, labels: labels, chunk: chunk), noise)
    }

    /// The grid every command draws by default (seed 0): 64 samples, or for a conditional model
    /// one row of `columns` per class; `columns` is the grid's width.
    public func defaultGrid(columns: Int = 8) -> (samples: [Float], columns: Int) {
        guard problem.classes != nil else { return (sample(count: 64, seed: 0).samples, 8) }
        let rows = (0..<problem.classCount).flatMap { Array(repeating: $0, count: columns) }
        return (sample(count: rows.count, seed: 0, labels: rows).samples, columns)
    }

    /// A conditional model's seeded labels for `count` samples, drawn from the training label
    /// distribution (a stream of their own: the noise is the same with or without them).
    public func labels(count: Int, seed: UInt64) -> [Int] {
        guard let classes = problem.classes else { return [] }
        var rng = RandomGenerator(seed: seed, stream: RandomStream.labels)
        return (0..<count).map { _ in classes.draw(&rng) }
    }

    /// The seeded noise vectors [count, latentSize] that `sample` draws; a smaller count draws
    /// the first vectors of a larger one.
    public func noise(count: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed, stream: RandomStream.sampling)
        var noise = [Float](repeating: 0, count: count * problem.latentSize)
        noise.withUnsafeMutableBufferPointer {
            problem.noise.sample(into: $0.baseAddress!, count: $0.count, rng: &rng)
        }
        return noise
    }

    /// Runs the generator on given noise [count, latentSize] in inference mode; a conditional
    /// model takes one class per sample (default: `labels(count:seed: 0)`).
    public func generate(noise: [Float], count: Int, labels: [Int]? = nil, chunk: Int = 1000) -> [Float] {
        precondition(noise.count == count * problem.latentSize, "noise does not hold \(count) vectors")
        var input = noise
        if problem.classes != nil {
            let labels = labels ?? self.labels(count: count, seed: 0)
            precondition(labels.count == count, "labels do not hold one class per sample")
            input = [Float](repeating: 0, count: count * problem.generatorInputSize)
            AdversarialTrainer.appendOneHot(noise, labels: labels, rows: count, width: problem.latentSize,
                                            classes: problem.classCount, into: &input)
        }
        let inputSize = problem.generatorInputSize
        var samples = [Float](repeating: 0, count: count * problem.sampleSize)
        input.withUnsafeBufferPointer { noiseBuffer in
            samples.withUnsafeMutableBufferPointer { out in
                var start = 0
                while start < count {
                    let size = Swift.min(chunk, count - start)
                    let result = generator.forward(noiseBuffer.baseAddress! + start * inputSize,
                                                   batchSize: size, phase: .inference)
                    (out.baseAddress! + start * problem.sampleSize).update(from: result, count: size * problem.sampleSize)
                    start += size
                }
            }
        }
        return samples
    }
}

/// The independent random streams derived from one seed.
public enum RandomStream {
    public static let initialization: UInt64 = 0
    public static let noise: UInt64 = 1
    public static let shuffle: UInt64 = 2
    public static let sampling: UInt64 = 3
    /// The default labels of a conditional model's samples.
    public static let labels: UInt64 = 4
    /// The labels of generated samples in training (a conditional model's trainer).
    public static let trainingLabels: UInt64 = 5
}
