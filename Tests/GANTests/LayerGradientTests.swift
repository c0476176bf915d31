import GANLayers
import GANTensor
import Testing

@Suite("Layer gradients (finite differences)")
struct LayerGradientTests {
    static func dense(_ input: Int, _ output: Int, seed: UInt64) -> Dense {
        let layer = Dense(inputSize: input, outputSize: output)
        var rng = RandomGenerator(seed: seed)
        Initializer.glorotUniform.fill(layer.kernel.value, fanIn: input, fanOut: output, rng: &rng)
        rng.fillUniform(layer.bias.value.pointer, count: output, low: -0.5, high: 0.5)
        return layer
    }

    @Test func denseLayer() {
        let result = GradientChecker().check(Network(layers: [Self.dense(7, 5, seed: 1)]), batchSize: 3)
        #expect(result.checked == 3 * 7 + 7 * 5 + 5)
        #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
    }

    @Test(arguments: ActivationKind.allCases)
    func activation(kind: ActivationKind) {
        let name = kind.rawValue
        let make = { kind.makeLayer(size: $0, alpha: 0.2) }
        let isKinked = kind == .relu || kind == .leakyReLU
        // The activation alone, so the kink test sees the activation's own input.
        let checker = GradientChecker(kink: isKinked ? 2e-3 : nil)
        let result = checker.check(Network(layers: [make(6)]), batchSize: 4, inputScale: 3)
        #expect(result.checked > 12, "\(name): too few coordinates checked")
        #expect(result.failures.isEmpty, "\(name): \(result.failures.prefix(5))")
    }

    @Test(arguments: ActivationKind.allCases)
    func denseThenActivationStack(kind: ActivationKind) {
        let name = kind.rawValue
        let make = { kind.makeLayer(size: $0, alpha: 0.2) }
        let network = Network(layers: [Self.dense(6, 8, seed: 3), make(8), Self.dense(8, 2, seed: 4)])
        let result = GradientChecker().check(network, batchSize: 3)
        // A kink may fall inside the finite-difference step for a rare coordinate.
        #expect(result.failures.count <= result.checked / 100, "\(name): \(result.failures.prefix(5))")
    }

    @Test func parameterGradientsAccumulateAndInputGradientsOverwrite() {
        let layer = Self.dense(3, 2, seed: 5)
        let network = Network(layers: [layer])
        let input = Tensor(shape: [2, 3], values: [1, 2, 3, -1, 0, 2])
        let upstream = Tensor(shape: [2, 2], values: [0.5, -1, 2, 0.25])
        network.zeroGradients()
        network.forward(input.pointer, batchSize: 2, phase: .training)
        let first = Array(UnsafeBufferPointer(start: network.backward(upstream.pointer, needs: .all)!, count: 6))
        let kernelOnce = layer.kernel.gradient.array
        let second = Array(UnsafeBufferPointer(start: network.backward(upstream.pointer, needs: .all)!, count: 6))
        #expect(layer.kernel.gradient.array == kernelOnce.map { $0 * 2 }, "parameter gradients accumulate")
        #expect(second == first, "input gradients are overwritten, not added")
    }

    @Test func backwardWithoutParametersLeavesGradientsAlone() {
        let layer = Self.dense(3, 2, seed: 6)
        let network = Network(layers: [layer, ReLU(size: 2), Self.dense(2, 1, seed: 7)])
        let input = Tensor(shape: [1, 3], values: [0.3, -0.2, 0.9])
        let upstream = Tensor(shape: [1, 1], values: [1])
        network.zeroGradients()
        network.forward(input.pointer, batchSize: 1, phase: .training)
        let inputGradient = network.backward(upstream.pointer, needs: .input)
        #expect(inputGradient != nil)
        for parameter in network.trainableParameters {
            #expect(parameter.gradient.array.allSatisfy { $0 == 0 }, "\(parameter.key) was touched")
        }
    }
}
