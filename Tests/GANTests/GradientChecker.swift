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

    /// Checks a whole network's input and parameter gradients. Dropout masks are frozen by
    /// restoring every layer's random streams before each pass. With `coordinates`, only that
    /// many randomly chosen input and parameter entries are probed (for large networks). With
    /// `inputColumns`, only the input entries in those columns are probed (a label's one-hot part).
    func check(_ network: Network, batchSize: Int, seed: UInt64 = 7,
               phase: Phase = .training, inputScale: Float = 1, coordinates: Int? = nil, inputColumns: Range<Int>? = nil) -> Result {
        var rng = RandomGenerator(seed: seed)
        let input = Tensor(shape: [batchSize, network.inputSize])
        rng.fillUniform(input.pointer, count: input.count, low: -inputScale, high: inputScale)
        let weights = Tensor(shape: [batchSize, network.outputSize])
        rng.fillUniform(weights.pointer, count: weights.count, low: -1, high: 1)

        let streams = network.layers.map(\.randomStates)
        func objective() -> Float {
            for (layer, state) in zip(network.layers, streams) { layer.randomStates = state }
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
        // Which coordinates to probe: all, or a seeded random subset of (tensor, index) pairs.
        var targets: [(Tensor, [Float], String)] = [(input, inputGradient.array, "input")]
        for (layer, parameter) in network.namedParameters where parameter.trainable {
            targets.append((parameter.value, parameter.gradient.array, "\(layer)/\(parameter.key)"))
        }
        var chosen: [(Int, Int)] = targets.enumerated().flatMap { t, target in (0..<target.0.count).map { (t, $0) } }
        if let inputColumns {
            chosen = (0..<input.count).filter { inputColumns.contains($0 % network.inputSize) }.map { (0, $0) }
        }
        if let coordinates, chosen.count > coordinates {
            var picker = RandomGenerator(seed: seed &+ 1)
            picker.shuffle(&chosen)
            chosen = Array(chosen.prefix(coordinates))
        }
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
        for (t, index) in chosen {
            let (values, analytic, label) = targets[t]
            probe(values, index, analytic: analytic[index], label: label)
        }
        return result
    }
}
