import GANCore
import GANLayers
import GANTensor
import GANZoo
import Testing

@Suite("Sampling on several threads")
struct SamplingTests {
    /// Chunks shared among threads (each with a copy of the generator, batch-norm statistics
    /// included) give the bits of a one-thread run, for every architecture, whole and partial chunks.
    @Test(arguments: Registry.architectures.map(\.name))
    func threadsGiveTheOneThreadBits(architecture: String) throws {
        // Small enough for every plugin to take the shared-chunk path (the paper's sizes are not).
        let small = #"{"generatorHiddenSizes":[64,64]}"#
        let factory = try Registry.architecture(named: architecture)
        let plugin = try (try? factory.make(configurationJSON: small)) ?? factory.make()
        let model = try GANModel(generator: plugin, discriminator: plugin, problem: Problem(), seed: 7)
        // Every stored value random (positive, for variances), so a copy that missed one shows.
        var rng = RandomGenerator(seed: 9)
        for (_, parameter) in model.generator.namedParameters {
            rng.fillUniform(parameter.value.pointer, count: parameter.value.count, low: 0.01, high: 0.1)
        }
        #expect(model.generator.parameterCount <= GANModel.chunkThreadsParameterLimit)
        let count = 2_345
        BLASThreads.set(1)
        let single = model.sample(count: count, seed: 3, chunk: 500).samples
        for threads in [2, 3] {
            BLASThreads.set(threads)
            let shared = model.sample(count: count, seed: 3, chunk: 500).samples
            #expect(BLASThreads.current == threads, "the caller's setting is restored")
            #expect(shared == single, "\(architecture) on \(threads) threads")
        }
        BLASThreads.set(1)
        #expect(single.count == count * 784 && single.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(model.sample(count: 0, seed: 3).samples.isEmpty)
    }
}
