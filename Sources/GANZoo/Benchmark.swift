import Foundation
import GANCore
import GANLayers
import GANTensor

/// Measures training and sampling speed, counts the FLOPs of an iteration from the matrix
/// products it performs, and measures the same machine's sgemm on exactly those shapes, so
/// every figure comes with its fraction of the BLAS limit.
public struct Benchmark {
    public struct Result: Codable, Sendable {
        public var architecture: String
        public var configuration: String
        public var batchSize: Int
        public var threads: Int
        /// Median over the repeats; one iteration = one discriminator step on B real and B
        /// generated samples and one generator step on B fresh noise vectors (alternating, k = 1).
        public var iterationsPerSecond: Double
        public var iterationRuns: [Double]
        public var gflopPerIteration: Double
        public var achievedGFLOPS: Double
        /// The iteration's products timed alone in sgemm: the speed if everything else were free.
        public var blasLimitIterationsPerSecond: Double
        public var fractionOfBLASLimit: Double
        /// Generator samples per second in inference (10,000 samples, chunks of 1,000; median of
        /// at least 3 runs after one untimed run).
        public var samplesPerSecond: Double
        public var sampleRuns: [Double]
    }

    public var seconds: Double = 1
    public var repeats = 5
    public var sampleCount = 10_000

    public init(seconds: Double = 1, repeats: Int = 5) {
        self.seconds = seconds
        self.repeats = repeats
    }

    public func run(architecture: String, configurationJSON: String?, batchSize: Int, threads: Int) throws -> Result {
        BLASThreads.set(threads)
        let factory = try Registry.architecture(named: architecture)
        let plugin = try factory.make(configurationJSON: configurationJSON)
        let problem = Problem(sampleShape: [28, 28], latentSize: 100, noise: factory.referenceSettings.noise ?? NoisePrior())
        let model = try GANModel(generator: plugin, discriminator: plugin, problem: problem, seed: 1)
        try TrainingSession.checkBatchBuffers(model, batchSize: batchSize)
        let optimizer = OptimizerConfiguration.defaultSGD
        let trainer = AdversarialTrainer(
            generator: model.generator, discriminator: model.discriminator, loss: try Registry.loss(named: "non-saturating").make(),
            problem: problem, generatorOptimizer: optimizer.make(for: model.generator.trainableParameters),
            discriminatorOptimizer: optimizer.make(for: model.discriminator.trainableParameters),
            noiseRNG: RandomGenerator(seed: 2))
        let real = Tensor(shape: [batchSize, problem.sampleSize])
        var rng = RandomGenerator(seed: 3)
        rng.fillUniform(real.pointer, count: real.count, low: 0, high: 1)

        for _ in 0..<3 { _ = trainer.step(realBatch: real.pointer, batchSize: batchSize) }  // warm up, size buffers
        gemmRecorder = []
        _ = trainer.step(realBatch: real.pointer, batchSize: batchSize)
        let shapes = gemmRecorder ?? []
        gemmRecorder = nil
        let flops = shapes.reduce(0) { $0 + $1.flops }
        let blasSeconds = shapes.reduce(0.0) { $0 + Self.sgemmSeconds($1) }

        let runs = (0..<repeats).map { _ in timedRate { _ = trainer.step(realBatch: real.pointer, batchSize: batchSize) } }
        _ = model.sample(count: sampleCount, seed: 1)  // warm up: buffers sized for chunks, pages mapped
        let sampleRuns = (0..<max(3, repeats / 2)).map { _ in
            let start = Date()
            _ = model.sample(count: sampleCount, seed: 1)
            return Double(sampleCount) / Date().timeIntervalSince(start)
        }
        let rate = Self.median(runs)
        return Result(architecture: architecture, configuration: plugin.configurationJSON, batchSize: batchSize, threads: threads,
                      iterationsPerSecond: rate, iterationRuns: runs, gflopPerIteration: flops / 1e9,
                      achievedGFLOPS: rate * flops / 1e9, blasLimitIterationsPerSecond: 1 / blasSeconds,
                      fractionOfBLASLimit: rate * blasSeconds, samplesPerSecond: Self.median(sampleRuns), sampleRuns: sampleRuns)
    }

    /// Calls `body` repeatedly for about `seconds`; returns calls per second.
    func timedRate(_ body: () -> Void) -> Double {
        let start = Date()
        var count = 0
        repeat {
            body()
            count += 1
        } while Date().timeIntervalSince(start) < seconds
        return Double(count) / Date().timeIntervalSince(start)
    }

    /// Best time of one sgemm of this shape, on random operands (beta = 1, as training uses).
    static func sgemmSeconds(_ shape: GEMMShape) -> Double {
        let a = Tensor(shape: [shape.m * shape.k]), b = Tensor(shape: [shape.k * shape.n]), c = Tensor(shape: [shape.m * shape.n])
        var rng = RandomGenerator(seed: 4)
        rng.fillUniform(a.pointer, count: a.count, low: -1, high: 1)
        rng.fillUniform(b.pointer, count: b.count, low: -1, high: 1)
        func call() {
            sgemm(shape.transA, shape.transB, m: shape.m, n: shape.n, k: shape.k, alpha: 1, a: a.pointer, b: b.pointer, beta: 1, c: c.pointer)
        }
        call()
        let reps = max(3, Int(2e8 / max(shape.flops, 1)))  // about 0.2 GFLOP of work per round
        var best = Double.infinity
        for _ in 0..<3 {
            let start = Date()
            for _ in 0..<reps { call() }
            best = min(best, Date().timeIntervalSince(start) / Double(reps))
        }
        return best
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
