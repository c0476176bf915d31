import GANTensor

/// Inverted dropout: in training, each unit is kept with probability `keepProbability` and
/// scaled by 1 / keepProbability (so inference needs no rescaling); in inference it is the
/// identity. Masks come from the layer's own seeded stream.
public final class Dropout: Layer {
    public let kind = "dropout"
    public let size: Int
    public let keepProbability: Float
    public var rng: RandomGenerator
    private var mask = Tensor(shape: [0])   // [capacity, size]: 0 or 1 / keepProbability

    public init(size: Int, keepProbability: Float, rng: RandomGenerator) {
        precondition(keepProbability > 0 && keepProbability <= 1, "keep probability must lie in (0, 1], got \(keepProbability)")
        self.size = size
        self.keepProbability = keepProbability
        self.rng = rng
    }

    public var inputSize: Int { size }
    public var outputSize: Int { size }
    public var attributes: [String: Double] { ["keep_probability": Double(keepProbability)] }
    public var randomStates: [RandomGenerator] {
        get { [rng] }
        set { rng = newValue[0] }
    }

    public var workspacePerRow: Int { size }

    public func reserve(batchCapacity: Int) {
        if mask.count < batchCapacity * size { mask = Tensor(shape: [batchCapacity, size]) }
    }

    public func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                        batchSize: Int, phase: Phase) {
        reserve(batchCapacity: batchSize)
        let count = batchSize * size
        guard phase.isTraining, keepProbability < 1 else {
            output.update(from: input, count: count)
            mask.pointer.update(repeating: 1, count: count)
            return
        }
        let scale = 1 / keepProbability
        // Compare 24-bit integers against the threshold: no float conversion per element.
        let threshold = UInt64((Double(keepProbability) * Double(1 << 24)).rounded())
        let m = mask.pointer
        var stream = rng  // a local copy: the loop keeps the generator's state in registers
        for index in 0..<count {
            let kept: Float = (stream.next() >> 40) < threshold ? scale : 0
            m[index] = kept
            output[index] = input[index] * kept
        }
        rng = stream
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                         batchSize: Int, needs: Gradients) {
        guard needs.contains(.input) else { return }
        let m = mask.pointer
        parallelFor(batchSize * size, granularity: 16) { r in
            for index in r { inputGradient[index] = outputGradient[index] * m[index] }
        }
    }
}
