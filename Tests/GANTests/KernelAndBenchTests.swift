import Foundation
import GANLayers
import GANTensor
import GANZoo
import Testing

@Suite("Vectorised kernels and the benchmark's FLOP model")
struct KernelAndBenchTests {
    /// The SIMD sigmoid matches the scalar reference (libm expf) everywhere, tails included.
    @Test func simdSigmoidMatchesTheScalarReference() {
        let count = 200_003  // not a multiple of 8: the scalar tail runs too
        let input = Tensor(shape: [count]), output = Tensor(shape: [count])
        for index in 0..<count { input[index] = -100 + 200 * Float(index) / Float(count) }
        input[0] = -.infinity
        input[1] = .infinity
        input[2] = -1e30
        sigmoidForward(output.pointer, input.pointer, count: count)
        var worst: Float = 0
        for index in 0..<count {
            let reference = sigmoid(input[index])
            worst = max(worst, abs(output[index] - reference))
            #expect(output[index].isFinite && output[index] >= 0 && output[index] <= 1)
        }
        #expect(worst < 3e-7, "largest difference \(worst)")
        #expect(output[0] < 1e-30 && output[1] == 1)
    }

    /// The FLOP count comes from the products an iteration really performs: for the seed's MLP
    /// (G 100-128-784, D 784-128-1) it is the analytic count, with no input gradient computed
    /// below the first trained layer.
    @Test func iterationFLOPsMatchTheAnalyticCount() throws {
        let benchmark = Benchmark(seconds: 0.01, repeats: 1)
        let json = #"{"generatorHiddenSizes":[128],"discriminatorHiddenSizes":[128],"discriminatorKeepProbability":1}"#
        let result = try benchmark.run(architecture: "mlp", configurationJSON: json, batchSize: 100, threads: 1)
        let b = 100.0
        let g = 100.0 * 128 + 128 * 784, d = 784.0 * 128 + 128
        let discriminatorStep = 2 * b * g + 2 * (2 * b) * d * 2 + 2 * (2 * b) * 128
        let generatorStep = 2 * b * g + 2 * b * d * 2 + 2 * b * g + 2 * b * (128 * 784)
        #expect(abs(result.gflopPerIteration - (discriminatorStep + generatorStep) / 1e9) < 1e-9)
        #expect(result.iterationsPerSecond > 0 && result.blasLimitIterationsPerSecond > 0 && result.samplesPerSecond > 0)
        #expect(result.fractionOfBLASLimit > 0 && result.fractionOfBLASLimit < 1.5)
    }

    /// The LeNet classifier's step, counted the same way: each convolution is one product
    /// forward and one for its kernel gradient, plus one for its input gradient except in the
    /// first layer (nothing below it trains); each dense layer three.
    @Test func classifierStepFLOPsMatchTheAnalyticCount() {
        let result = Benchmark(seconds: 0.01, repeats: 1).runClassifier(batchSize: 4, threads: 1)
        let conv1 = 2.0 * 28 * 28 * (5 * 5 * 1) * 16, conv2 = 2.0 * 10 * 10 * (5 * 5 * 16) * 32
        let dense1 = 2.0 * 800 * 128, dense2 = 2.0 * 128 * 10
        let perImage = 2 * conv1 + 3 * conv2 + 3 * dense1 + 3 * dense2
        #expect(abs(result.gflopPerStep - 4 * perImage / 1e9) < 1e-12)
        #expect(result.stepsPerSecond > 0 && result.fractionOfBLASLimit > 0 && result.fractionOfBLASLimit < 1.5)
    }
}

@Suite("Split matrix products")
struct ParallelGEMMTests {
    /// Every transpose combination, shapes that do not divide evenly, split by rows and by
    /// columns: the split product equals the single-threaded one, and repeats bit for bit.
    @Test(arguments: [1, 2, 3])
    func splitProductsMatchTheSingleThreadedOne(threads: Int) {
        var rng = RandomGenerator(seed: 17)
        for (m, n, k) in [(203, 77, 129), (64, 300, 50), (130, 130, 31), (5, 9, 7)] {
            for transA in [Transpose.none, .transposed] {
                for transB in [Transpose.none, .transposed] {
                    let a = Tensor(shape: [m * k]), b = Tensor(shape: [k * n])
                    rng.fillUniform(a.pointer, count: a.count, low: -1, high: 1)
                    rng.fillUniform(b.pointer, count: b.count, low: -1, high: 1)
                    func product(_ threadCount: Int) -> [Float] {
                        BLASThreads.set(threadCount)
                        let c = Tensor(shape: [m * n])
                        c.fill(0.5)
                        sgemm(transA, transB, m: m, n: n, k: k, alpha: 1.5, a: a.pointer, b: b.pointer, beta: 1, c: c.pointer)
                        return c.array
                    }
                    let single = product(1), split = product(threads), again = product(threads)
                    BLASThreads.set(1)
                    #expect(split == again, "\(m)x\(n)x\(k) \(transA) \(transB): not reproducible")
                    let worst = zip(single, split).map { abs($0 - $1) }.max() ?? 0
                    #expect(worst < 1e-4, "\(m)x\(n)x\(k) \(transA) \(transB) on \(threads) threads: differs by \(worst)")
                }
            }
        }
    }

    /// The split elementwise loops (`parallelFor`): every index exactly once, blocks aligned to
    /// the granularity, and the layers and optimizers that use them give the same bits on 1, 2
    /// and 3 threads as on one (their products are too small here to be split).
    @Test func splitLoopsCoverEveryIndexOnceAndKeepTheBits() {
        for threads in [1, 2, 3] {
            BLASThreads.set(threads)
            for (count, granularity) in [(100_003, 16), (40_000, 7), (5, 1), (65_536, 1)] {
                let seen = UnsafeMutablePointer<Int32>.allocate(capacity: count)
                seen.initialize(repeating: 0, count: count)
                let starts = UnsafeMutablePointer<Int>.allocate(capacity: 64)
                let blocks = UnsafeMutablePointer<Int>.allocate(capacity: 1)
                blocks.pointee = 0
                let lock = NSLock()
                parallelFor(count, granularity: granularity) { range in
                    for i in range { seen[i] += 1 }
                    lock.lock()
                    starts[blocks.pointee] = range.lowerBound
                    blocks.pointee += 1
                    lock.unlock()
                }
                #expect((0..<count).allSatisfy { seen[$0] == 1 }, "\(count) on \(threads) threads: an index missed or repeated")
                #expect((0..<blocks.pointee).allSatisfy { starts[$0] % granularity == 0 })
                if count >= ParallelLoop.minimumCount && count >= 2 * granularity {
                    #expect(blocks.pointee == threads, "\(count) on \(threads) threads: \(blocks.pointee) blocks")
                }
                seen.deallocate(); starts.deallocate(); blocks.deallocate()
            }
        }
        // A loop or product started inside a block runs alone on that thread instead of waiting
        // for the workers its caller holds (a deadlock before).
        BLASThreads.set(2)
        let outer = 4, inner = 40_000
        let nested = UnsafeMutablePointer<Int32>.allocate(capacity: outer * inner)
        nested.initialize(repeating: 0, count: outer * inner)
        let a = Tensor(shape: [256 * 256]), c = Tensor(shape: [outer * 256 * 256])
        a.fill(0.5)
        parallelFor(outer, cost: inner) { rows in
            for row in rows {
                parallelFor(inner) { range in for i in range { nested[row * inner + i] += 1 } }
                sgemm(.none, .none, m: 256, n: 256, k: 256, alpha: 1, a: a.pointer, b: a.pointer, beta: 0,
                      c: c.pointer + row * 256 * 256)
            }
        }
        #expect((0..<(outer * inner)).allSatisfy { nested[$0] == 1 }, "a nested loop missed or repeated an index")
        #expect(c.array.allSatisfy { $0 == 64 }, "a nested product went wrong")
        nested.deallocate()
        BLASThreads.set(1)

        func run(_ threads: Int) -> [[Float]] {
            BLASThreads.set(threads)
            defer { BLASThreads.set(1) }
            var rng = RandomGenerator(seed: 5)
            let rows = 37, width = 3_001
            let input = Tensor(shape: [rows, width]), gradient = Tensor(shape: [rows, width])
            rng.fillUniform(input.pointer, count: input.count, low: -4, high: 4)
            rng.fillUniform(gradient.pointer, count: gradient.count, low: -1, high: 1)
            var results: [[Float]] = []
            for layer in [Sigmoid(size: width), ReLU(size: width), LeakyReLU(size: width, alpha: 0.2)] as [any Layer] {
                let output = Tensor(shape: [rows, width]), inputGradient = Tensor(shape: [rows, width])
                layer.forward(input.pointer, into: output.pointer, batchSize: rows, phase: .training)
                layer.backward(input: input.pointer, output: output.pointer, outputGradient: gradient.pointer,
                               inputGradient: inputGradient.pointer, batchSize: rows, needs: [.input, .parameters])
                results += [output.array, inputGradient.array]
            }
            let sums = Tensor(shape: [width])
            addColumnSums(of: input.pointer, rows: rows, columns: width, to: sums.pointer)
            results.append(sums.array)
            for kind in [OptimizerConfiguration.Kind.sgd, .adam] {
                let parameter = Parameter(key: "kernel", shape: [rows * width], decays: true)
                parameter.value.pointer.update(from: input.pointer, count: input.count)
                parameter.gradient.pointer.update(from: gradient.pointer, count: gradient.count)
                let optimizer = OptimizerConfiguration(kind: kind, learningRate: 0.01, weightDecay: 0.1).make(for: [parameter])
                optimizer.step()
                optimizer.step()
                results.append(parameter.value.array)
            }
            // The convolutions' patch copies (im2col and col2im share out whole images; the
            // products around them split by the shapes and the thread count, so they are left
            // out) and image batch normalisation (its sums by blocks of columns, its rows shared
            // out), in both phases.
            let window = Window(size: 4, stride: 2, padding: 1)
            for image in [ImageShape(height: 14, width: 13, channels: 33), ImageShape(height: 28, width: 28, channels: 1)] {
                let images = Tensor(shape: [rows, image.size])
                rng.fillUniform(images.pointer, count: images.count, low: -2, high: 2)
                guard let side = window.outputSide(over: image) else { preconditionFailure("the window fits") }
                let patches = Tensor(shape: [rows * side.height * side.width, 16 * image.channels])
                im2col(patches.pointer, images.pointer, batchSize: rows, shape: image, window: window,
                       outHeight: side.height, outWidth: side.width)
                let summed = Tensor(shape: [rows, image.size])
                col2im(summed.pointer, patches.pointer, batchSize: rows, shape: image, window: window,
                       outHeight: side.height, outWidth: side.width)
                results += [patches.array, summed.array]
            }
            let image = ImageShape(height: 14, width: 13, channels: 33)
            let images = Tensor(shape: [rows, image.size])
            rng.fillUniform(images.pointer, count: images.count, low: -2, high: 2)
            for phase in [Phase.training, .inference] {
                let layer = BatchNormalization2D(shape: image)
                rng.fillUniform(layer.gamma.value.pointer, count: image.channels, low: 0.5, high: 1.5)
                rng.fillUniform(layer.beta.value.pointer, count: image.channels, low: -0.5, high: 0.5)
                let output = Tensor(shape: [rows, image.size]), inputGradient = Tensor(shape: [rows, image.size])
                let outputGradient = Tensor(shape: [rows, image.size])
                rng.fillUniform(outputGradient.pointer, count: outputGradient.count, low: -1, high: 1)
                layer.forward(images.pointer, into: output.pointer, batchSize: rows, phase: phase)
                layer.backward(input: images.pointer, output: output.pointer, outputGradient: outputGradient.pointer,
                               inputGradient: inputGradient.pointer, batchSize: rows, needs: [.input, .parameters])
                results += [output.array, inputGradient.array, layer.gamma.gradient.array, layer.beta.gradient.array,
                            layer.movingMean.value.array, layer.movingVariance.value.array]
            }
            return results
        }
        let one = run(1)
        for threads in [2, 3] {
            let other = run(threads)
            let changed = one.indices.filter { other[$0] != one[$0] }
            #expect(changed.isEmpty, "\(threads) threads changed the bits of results \(changed) (of \(one.count))")
        }
    }
}
