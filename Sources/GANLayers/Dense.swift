import GANTensor

/// Fully connected layer, stored as Keras stores it: `kernel` [input, output], `bias` [output].
/// output[b, o] = sum_i input[b, i] * kernel[i, o] + bias[o]
public final class Dense: Layer {
    public let kind = "dense"
    public let inputSize: Int
    public let outputSize: Int
    public let kernel: Parameter
    public let bias: Parameter
    /// pylearn2's `max_col_norm`: after each update, every column of `kernel` (one unit's, or
    /// one piece's, incoming weights) longer than this is scaled back to it. nil: no constraint.
    /// Stored in weight files as the attribute `max_col_norm`.
    public var maxColumnNorm: Float?

    public init(inputSize: Int, outputSize: Int) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        kernel = Parameter(key: "kernel", shape: [inputSize, outputSize])
        bias = Parameter(key: "bias", shape: [outputSize])
    }

    public var parameters: [Parameter] { [kernel, bias] }

    public var attributes: [String: Double] { maxColumnNorm.map { ["max_col_norm": Double($0)] } ?? [:] }

    public func applyConstraints() {
        if let maxColumnNorm { WeightConstraint.limitColumnNorms(kernel.value, bound: maxColumnNorm) }
    }

    public func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                        batchSize: Int, phase: Phase) {
        // output[B, O] <- bias broadcast, then += input[B, I] * kernel[I, O]
        broadcastBias(bias.value.pointer, into: output, rows: batchSize, width: outputSize)
        sgemm(.none, .none, m: batchSize, n: outputSize, k: inputSize,
              alpha: 1, a: input, b: kernel.value.pointer, beta: 1, c: output)
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                         batchSize: Int, needs: Gradients) {
        if needs.contains(.parameters) {
            // kernelGradient[I, O] += input^T[I, B] * outputGradient[B, O]
            sgemm(.transposed, .none, m: inputSize, n: outputSize, k: batchSize,
                  alpha: 1, a: input, b: outputGradient, beta: 1, c: kernel.gradient.pointer)
            // biasGradient[O] += column sums of outputGradient
            accumulateBiasGradient(bias.gradient.pointer, outputGradient, rows: batchSize, width: outputSize)
        }
        if needs.contains(.input) {
            // inputGradient[B, I] = outputGradient[B, O] * kernel^T[O, I]
            sgemm(.none, .transposed, m: batchSize, n: inputSize, k: outputSize,
                  alpha: 1, a: outputGradient, b: kernel.value.pointer, beta: 0, c: inputGradient)
        }
    }
}
