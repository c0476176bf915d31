import GANLayers
import GANTensor

/// Finite-difference gradient checks (Caffe's GradientChecker): the scalar objective is
/// f = sum(weights * output) for fixed random weights, so dF/dOutput = weights.
struct GradientChecker {
    var step: Float = 1e-3
    var absoluteTolerance: Float = 2e-3
    var relativeTolerance: Float = 2e-2
    /// Inputs closer than this to a kink (0 for ReLU, leaky ReLU) are skipped: the
    /// one-sided derivatives differ there and a central difference straddles both.
    var kink: Float? = nil

    struct Result {
        var checked = 0
        var failures: [String] = []
        var worst: Float = 0
    }

    func matches(_ numeric: Float, _ analytic: Float) -> Bool {
        abs(numeric - analytic) <= absoluteTolerance + relativeTolerance * max(abs(numeric), abs(analytic))
    }

    /// Checks a whole network's input and parameter gradients.
    func check(_ network: Network, batchSize: Int, seed: UInt64 = 7,
               phase: Phase = .training, inputScale: Float = 1) -> Result {
        var rng = RandomGenerator(seed: seed)
        let input = Tensor(shape: [batchSize, network.inputSize])
        rng.fillUniform(input.pointer, count: input.count, low: -inputScale, high: inputScale)
        let weights = Tensor(shape: [batchSize, network.outputSize])
        rng.fillUniform(weights.pointer, count: weights.count, low: -1, high: 1)

        func objective() -> Float {
            let output = network.forward(input.pointer, batchSize: batchSize, phase: phase)
            var total: Double = 0
            for i in 0..<weights.count { total += Double(weights[i]) * Double(output[i]) }
            return Float(total)
        }

        network.zeroGradients()
        _ = objective()
        let inputGradient = Tensor(shape: input.shape)
        inputGradient.copy(from: network.backward(weights.pointer, needs: .all)!.withMemoryRebound(
            to: Float.self, capacity: input.count) { Array(UnsafeBufferPointer(start: $0, count: input.count)) })

        var result = Result()
        func probe(_ values: Tensor, _ index: Int, analytic: Float, label: String) {
            let original = values[index]
            if let kink, abs(original) < kink { return }
            values[index] = original + step
            let plus = objective()
            values[index] = original - step
            let minus = objective()
            values[index] = original
            let numeric = (plus - minus) / (2 * step)
            result.checked += 1
            result.worst = max(result.worst, abs(numeric - analytic))
            if !matches(numeric, analytic) {
                result.failures.append("\(label)[\(index)]: numeric \(numeric), analytic \(analytic)")
            }
        }
        for index in 0..<input.count {
            probe(input, index, analytic: inputGradient[index], label: "input")
        }
        for (layer, parameter) in network.namedParameters where parameter.trainable {
            let analytic = parameter.gradient.array
            for index in 0..<parameter.value.count {
                probe(parameter.value, index, analytic: analytic[index], label: "\(layer)/\(parameter.key)")
            }
        }
        return result
    }
}
