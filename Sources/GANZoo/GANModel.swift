import Dispatch
import Foundation
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

    /// Runs the generator on given noise [count, latentSize] in inference mode, `chunk` rows at a
    /// time. With more than one BLAS thread (`BLASThreads`) on this thread and a generator of at
    /// most `chunkThreadsParameterLimit` parameters, the chunks are shared among that many
    /// threads, each running its own copy of the generator with single-threaded products: a small
    /// generator's products are too small to split well, and the activations between them would
    /// run on one core. A larger generator's products split well, and a copy of it would cost
    /// memory (the paper model's: about 65 MB), so it runs on this thread with split products.
    /// Every row's values are those of a one-thread run. A conditional model takes one class
    /// per sample (default: `labels(count:seed: 0)`), appended to the noise as a one-hot.
    public func generate(noise: [Float], count: Int, labels: [Int]? = nil, chunk: Int = 1000) -> [Float] {
        precondition(noise.count == count * problem.latentSize, "noise does not hold \(count) vectors")
        precondition(chunk > 0, "chunk must be positive")
        // Chunks whose buffers fit the limit in every thread's copy (a 256 x 256 DCGAN's take
        // about 2 MB a row), however many rows were asked for.
        let chunk = Swift.min(chunk, generator.rows(within: Limits.maximumBatchBufferBytes / Swift.max(1, BLASThreads.current)))
        var conditioned = noise
        if problem.classes != nil {
            let labels = labels ?? self.labels(count: count, seed: 0)
            precondition(labels.count == count, "labels do not hold one class per sample")
            conditioned = [Float](repeating: 0, count: count * problem.generatorInputSize)
            AdversarialTrainer.appendOneHot(noise, labels: labels, rows: count, width: problem.latentSize,
                                            classes: problem.classCount, into: &conditioned)
        }
        let chunks = (count + chunk - 1) / chunk
        let threads = generator.parameterCount <= Self.chunkThreadsParameterLimit ? Swift.min(BLASThreads.current, chunks) : 1
        let networks = [generator] + (1..<Swift.max(threads, 1)).map { _ in generatorCopy() }
        let latent = problem.generatorInputSize, size = problem.sampleSize
        return [Float](unsafeUninitializedCapacity: count * size) { out, initialized in
            conditioned.withUnsafeBufferPointer { noiseBuffer in
                let input = noiseBuffer.baseAddress!, output = out.baseAddress!
                // Each thread claims the next chunk until none is left (a thread the scheduler
                // keeps off a core leaves its share to the others); products on one thread each.
                let counter = ChunkCounter()
                func run(_ t: Int) {
                    while let index = counter.claim(below: chunks) {
                        let start = index * chunk, rows = Swift.min(chunk, count - start)
                        networks[t].infer(input + start * latent, batchSize: rows, into: output + start * size)
                    }
                }
                if networks.count == 1 {
                    run(0)
                } else {
                    let callerThreads = BLASThreads.current
                    // Each thread touches only its own network and its own rows of the output.
                    let work = UncheckedSendable(run)
                    DispatchQueue.concurrentPerform(iterations: networks.count) { t in
                        let previous = BLASThreads.current
                        BLASThreads.set(1)
                        work.value(t)
                        BLASThreads.set(previous)
                    }
                    BLASThreads.set(callerThreads)
                }
            }
            initialized = count * size
        }
    }

    /// The largest generator (in parameters) that `generate` copies to sample on several threads.
    public static let chunkThreadsParameterLimit = 1_000_000

    /// A generator with this one's current weights and state (for sampling on another thread).
    private func generatorCopy() -> Network {
        var scratch = RandomGenerator(seed: 0)
        let copy = generatorArchitecture.makeGenerator(for: problem, rng: &scratch)
        for (target, source) in zip(copy.namedParameters, generator.namedParameters) {
            target.parameter.value.pointer.update(from: source.parameter.value.pointer, count: source.parameter.value.count)
        }
        return copy
    }
}

/// Hands out 0, 1, 2, ... to threads sharing chunks of work.
private final class ChunkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func claim(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}

/// A value handed to threads that use it without overlapping (see `generate`).
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
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
