import Foundation
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
}
