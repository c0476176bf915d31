import GANLayers
import GANTensor
import Testing

@Suite("Batch normalisation, maxout and dropout")
struct LayerStateTests {
    static func input(_ rows: Int, _ columns: Int, seed: UInt64 = 2, scale: Float = 3) -> Tensor {
        let tensor = Tensor(shape: [rows, columns])
        var rng = RandomGenerator(seed: seed)
        rng.fillUniform(tensor.pointer, count: tensor.count, low: -scale, high: scale)
        for index in 0..<tensor.count { tensor[index] += Float(index % columns) }  // columns with distinct means
        return tensor
    }

    @Test func batchNormalizationGradients() {
        let layer = BatchNormalization(size: 5, epsilon: 1e-3, momentum: 0.9)
        var rng = RandomGenerator(seed: 4)
        rng.fillUniform(layer.gamma.value.pointer, count: 5, low: 0.5, high: 1.5)
        rng.fillUniform(layer.beta.value.pointer, count: 5, low: -1, high: 1)
        let result = GradientChecker().check(Network(layers: [layer]), batchSize: 6)
        #expect(result.checked == 6 * 5 + 10)
        #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
        let inference = GradientChecker().check(Network(layers: [layer]), batchSize: 4, phase: .inference)
        #expect(inference.failures.isEmpty, "\(inference.failures.prefix(5))")
    }

    @Test func batchNormalizationStatisticsPolicy() {
        let layer = BatchNormalization(size: 3, epsilon: 1e-3, momentum: 0.9)
        let x = Self.input(8, 3)
        let output = Tensor(shape: [8, 3])
        layer.forward(x.pointer, into: output.pointer, batchSize: 8, phase: .trainingFrozenStatistics)
        #expect(layer.movingMean.value.array == [0, 0, 0] && layer.movingVariance.value.array == [1, 1, 1],
                "frozen passes leave running statistics alone")
        // Training output: each column has mean beta (0) and variance ~ gamma^2 (1).
        for column in 0..<3 {
            let values = (0..<8).map { output[$0 * 3 + column] }
            let mean = values.reduce(0, +) / 8
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 8
            #expect(abs(mean) < 1e-5 && abs(variance - 1) < 2e-3)
        }
        layer.forward(x.pointer, into: output.pointer, batchSize: 8, phase: .training)
        for column in 0..<3 {
            let values = (0..<8).map { Double(x[$0 * 3 + column]) }
            let mean = values.reduce(0, +) / 8
            let unbiased = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 7
            #expect(abs(Double(layer.movingMean.value[column]) - 0.1 * mean) < 1e-5)
            #expect(abs(Double(layer.movingVariance.value[column]) - (0.9 + 0.1 * unbiased)) < 1e-4)
        }
        // Inference uses the running statistics: a single row is normalised by them.
        let row = Tensor(shape: [1, 3], values: [1, 2, 3])
        let single = Tensor(shape: [1, 3])
        layer.forward(row.pointer, into: single.pointer, batchSize: 1, phase: .inference)
        for column in 0..<3 {
            let expected = (row[column] - layer.movingMean.value[column]) / (layer.movingVariance.value[column] + 1e-3).squareRoot()
            #expect(abs(single[column] - expected) < 1e-5)
        }
        #expect(!layer.movingMean.trainable && !layer.movingVariance.trainable)
    }

    @Test func maxoutGradientsAndForward() {
        let layer = Maxout(inputSize: 4, units: 3, pieces: 4)
        var rng = RandomGenerator(seed: 8)
        rng.fillUniform(layer.kernel.value.pointer, count: layer.kernel.value.count, low: -1, high: 1)
        rng.fillUniform(layer.bias.value.pointer, count: layer.bias.value.count, low: -1, high: 1)
        let x = Tensor(shape: [2, 4], values: [0.5, -1, 2, 0.25, -0.3, 0.8, 0.1, -2])
        let out = Tensor(shape: [2, 3])
        layer.forward(x.pointer, into: out.pointer, batchSize: 2, phase: .inference)
        for row in 0..<2 {
            for unit in 0..<3 {
                let pieces = (0..<4).map { piece in
                    (0..<4).reduce(layer.bias.value[unit * 4 + piece]) { $0 + x[row * 4 + $1] * layer.kernel.value[$1 * 12 + unit * 4 + piece] }
                }
                #expect(abs(out[row * 3 + unit] - pieces.max()!) < 1e-5)
            }
        }
        let result = GradientChecker().check(Network(layers: [layer]), batchSize: 5)
        // A kink (two pieces within the step) may flip one coordinate; none expected with this seed.
        #expect(result.failures.count <= result.checked / 100, "\(result.failures.prefix(5))")
    }

    @Test func dropoutIsInvertedAndOnlyInTraining() {
        let layer = Dropout(size: 1000, keepProbability: 0.8, rng: RandomGenerator(seed: 1))
        let x = Tensor(shape: [4, 1000])
        x.fill(1)
        let out = Tensor(shape: [4, 1000])
        layer.reserve(batchCapacity: 4)
        layer.forward(x.pointer, into: out.pointer, batchSize: 4, phase: .training)
        let kept = out.array.filter { $0 != 0 }
        #expect(kept.allSatisfy { abs($0 - 1.25) < 1e-6 }, "kept units are scaled by 1 / keep")
        #expect(abs(Double(kept.count) / 4000 - 0.8) < 0.03)
        layer.forward(x.pointer, into: out.pointer, batchSize: 4, phase: .inference)
        #expect(out.array.allSatisfy { $0 == 1 })
        let network = Network(layers: [Dropout(size: 6, keepProbability: 0.5, rng: RandomGenerator(seed: 3))])
        let result = GradientChecker().check(network, batchSize: 3)
        #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
    }
}
