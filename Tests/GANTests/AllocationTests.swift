import AllocationCounter
import GANLayers
import GANTensor
import GANZoo
import Testing

/// Debug builds allocate where optimised code keeps values on the stack; `make test` runs the
/// suite on the release build, which is what `gan` ships as.
let isOptimizedBuild: Bool = {
    #if DEBUG
    return false
    #else
    return true
    #endif
}()

@Suite("Allocation-free training step")
struct AllocationTests {
    /// After the first batch has sized every buffer, training steps allocate nothing.
    /// (Counted per thread by interposing on malloc; BLAS runs single-threaded here.)
    @Test(.enabled(if: isOptimizedBuild, "allocation counts are only meaningful in release builds"),
          arguments: ["sgd", "adam"])
    func trainingStepsAllocateNothingAfterTheFirst(optimizer: String) throws {
        var configuration = Support.tinyConfiguration()
        configuration.generatorOptimizer.kind = optimizer == "sgd" ? .sgd : .adam
        configuration.discriminatorOptimizer = configuration.generatorOptimizer
        configuration.k = 2
        let session = try TrainingSession(configuration: configuration)
        let trainer = session.trainer
        let batch = Tensor(shape: [16, 784])
        var rng = RandomGenerator(seed: 1)
        rng.fillUniform(batch.pointer, count: batch.count, low: 0, high: 1)
        _ = trainer.step(realBatch: batch.pointer, batchSize: 16)
        _ = trainer.step(realBatch: batch.pointer, batchSize: 16)

        allocation_counter_reset()
        for size in [16, 9, 16, 1] {  // smaller batches reuse the same buffers
            _ = trainer.step(realBatch: batch.pointer, batchSize: size)
        }
        let allocations = allocation_counter_value()  // read before #expect builds its message
        #expect(allocations == 0, "\(allocations) heap allocations in 4 training steps")
    }

    /// The convolutional layers keep the contract: their patch matrices and pooling winners are
    /// sized once, so forward and backward passes at or below that batch allocate nothing.
    @Test(.enabled(if: isOptimizedBuild, "allocation counts are only meaningful in release builds"))
    func convolutionalPassesAllocateNothingAfterTheFirst() {
        let image = ImageShape(height: 12, width: 12, channels: 1)
        let conv = Conv2D(input: image, filters: 4, window: Window(size: 3, padding: 1))
        let pool = MaxPooling2D(input: conv.outputShape, window: Window(size: 2, stride: 2))
        let average = AveragePooling2D(input: pool.outputShape, window: Window(size: 2, stride: 2))
        let dense = Dense(inputSize: average.outputSize, outputSize: 3)
        let network = Network(layers: [conv, ReLU(size: conv.outputSize), pool, average, Flatten(input: average.outputShape), dense])
        let input = Tensor(shape: [8, image.size]), gradient = Tensor(shape: [8, 3])
        var rng = RandomGenerator(seed: 2)
        rng.fillUniform(input.pointer, count: input.count, low: 0, high: 1)
        rng.fillUniform(gradient.pointer, count: gradient.count, low: -1, high: 1)
        network.forward(input.pointer, batchSize: 8, phase: .training)
        network.backward(gradient.pointer, needs: .all)

        allocation_counter_reset()
        for size in [8, 5, 1] {
            network.forward(input.pointer, batchSize: size, phase: .training)
            network.backward(gradient.pointer, needs: .all)
        }
        let allocations = allocation_counter_value()
        #expect(allocations == 0, "\(allocations) heap allocations in 3 forward and backward passes")
    }

    @Test func theCounterCounts() {
        allocation_counter_reset()
        let array = [Int](repeating: 1, count: 1000)
        #expect(allocation_counter_value() >= 1)
        #expect(array.count == 1000)
    }
}
