import GANTensor

/// Weight constraints and L2 weight decay, shared by the layers and optimizers that apply them.
public enum WeightConstraint {
    /// Largest accepted max-norm bound (a larger one constrains nothing a float32 network holds).
    public static let maximumColumnNorm: Float = 1e6

    /// pylearn2's `max_col_norm`: rescales each column of a row-major [rows, columns] kernel
    /// (one unit's incoming weights, or one maxout piece's) whose Euclidean norm exceeds
    /// `bound` down to norm `bound`; columns within it are left as they are.
    public static func limitColumnNorms(_ kernel: Tensor, bound: Float) {
        precondition(kernel.shape.count == 2, "a kernel is [input, output]")
        let rows = kernel.shape[0], columns = kernel.shape[1], w = kernel.pointer
        var squares = [Double](repeating: 0, count: columns)
        for row in 0..<rows {
            let line = w + row * columns
            for column in 0..<columns { squares[column] += Double(line[column]) * Double(line[column]) }
        }
        var scales = [Float](repeating: 1, count: columns)
        var any = false
        for column in 0..<columns {
            let norm = squares[column].squareRoot()
            if norm > Double(bound) {
                scales[column] = Float(Double(bound) / norm)
                any = true
            }
        }
        guard any else { return }
        for row in 0..<rows {
            let line = w + row * columns
            for column in 0..<columns { line[column] *= scales[column] }
        }
    }
}

/// L2 weight decay in its loss form: the objective gains (lambda / 2) * sum(w^2) over every
/// parameter that `decays` (kernels: not biases, batch-norm scales or running statistics), so
/// each such gradient gains lambda * w. Both optimizers add it before their update (for Adam
/// this is L2 regularisation as TensorFlow's `l2_loss` terms give it, not AdamW's decoupled decay).
public enum WeightDecay {
    /// Largest accepted lambda (a larger one only shrinks weights to zero).
    public static let maximum: Float = 1

    /// (lambda / 2) * sum of squares of the decaying parameters.
    public static func penalty(_ parameters: [Parameter], lambda: Float) -> Double {
        guard lambda > 0 else { return 0 }
        var total = 0.0
        for parameter in parameters where parameter.decays {
            let p = parameter.value.pointer
            for i in 0..<parameter.value.count { total += Double(p[i]) * Double(p[i]) }
        }
        return 0.5 * Double(lambda) * total
    }

    /// The lambda that applies to `parameter`: `lambda` when it decays and is trained, else 0.
    /// The optimizers add lambda * w to the gradient in their own pass (`addGradient` does the
    /// same as a separate pass).
    @inline(__always)
    public static func lambda(for parameter: Parameter, _ lambda: Float) -> Float {
        lambda > 0 && parameter.decays && parameter.trainable ? lambda : 0
    }

    /// Adds lambda * w to the gradient of every decaying parameter, as a pass of its own.
    public static func addGradient(_ parameters: [Parameter], lambda: Float) {
        for parameter in parameters {
            let decay = Self.lambda(for: parameter, lambda)
            guard decay > 0 else { continue }
            let p = parameter.value.pointer, g = parameter.gradient.pointer
            for i in 0..<parameter.value.count { g[i] += decay * p[i] }
        }
    }
}
