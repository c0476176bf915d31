import GANCore
import GANLayers
import GANTensor

/// A generator and discriminator built by an architecture plugin for a problem.
public final class GANModel {
    public let architecture: AnyArchitecture
    public let problem: Problem
    public let generator: Network
    public let discriminator: Network

    /// Builds both networks, initialising weights from the `seed`'s initialisation stream.
    public init(architecture: AnyArchitecture, problem: Problem, seed: UInt64) {
        self.architecture = architecture
        self.problem = problem
        var rng = RandomGenerator(seed: seed, stream: RandomStream.initialization)
        generator = architecture.makeGenerator(for: problem, rng: &rng)
        discriminator = architecture.makeDiscriminator(for: problem, rng: &rng)
        precondition(generator.inputSize == problem.latentSize && generator.outputSize == problem.sampleSize,
                     "\(architecture.name): the generator does not map latent \(problem.latentSize) to \(problem.sampleSize)")
        precondition(discriminator.inputSize == problem.sampleSize && discriminator.outputSize == 1,
                     "\(architecture.name): the discriminator must map \(problem.sampleSize) values to one logit")
    }

    /// Samples [count, sampleSize] in inference mode, in chunks so memory stays bounded.
    public func sample(count: Int, seed: UInt64, chunk: Int = 1000) -> (samples: [Float], noise: [Float]) {
        var rng = RandomGenerator(seed: seed, stream: RandomStream.sampling)
        var noise = [Float](repeating: 0, count: count * problem.latentSize)
        noise.withUnsafeMutableBufferPointer {
            problem.noise.sample(into: $0.baseAddress!, count: $0.count, rng: &rng)
        }
        return (generate(noise: noise, count: count, chunk: chunk), noise)
    }

    /// Runs the generator on given noise [count, latentSize] in inference mode.
    public func generate(noise: [Float], count: Int, chunk: Int = 1000) -> [Float] {
        precondition(noise.count == count * problem.latentSize, "noise does not hold \(count) vectors")
        var samples = [Float](repeating: 0, count: count * problem.sampleSize)
        noise.withUnsafeBufferPointer { noiseBuffer in
            samples.withUnsafeMutableBufferPointer { out in
                var start = 0
                while start < count {
                    let size = Swift.min(chunk, count - start)
                    let result = generator.forward(noiseBuffer.baseAddress! + start * problem.latentSize,
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
}
