import GANTensor

/// An elementwise activation whose derivative can be computed from its output alone.
public protocol Activation: Layer {
    var size: Int { get }
    func apply(_ x: Float) -> Float
    /// d output / d input, given the output y = apply(x).
    func derivative(output y: Float) -> Float
}

extension Activation {
    public var inputSize: Int { size }
    public var outputSize: Int { size }

    public func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                        batchSize: Int, phase: Phase) {
        for index in 0..<(batchSize * size) { output[index] = apply(input[index]) }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                         batchSize: Int, needs: Gradients) {
        guard needs.contains(.input) else { return }
        for index in 0..<(batchSize * size) {
            inputGradient[index] = outputGradient[index] * derivative(output: output[index])
        }
    }
}

public final class ReLU: Activation {
    public let kind = "relu"
    public let size: Int
    public init(size: Int) { self.size = size }
    @inline(__always) public func apply(_ x: Float) -> Float { x > 0 ? x : 0 }
    @inline(__always) public func derivative(output y: Float) -> Float { y > 0 ? 1 : 0 }

    public func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, batchSize: Int, phase: Phase) {
        parallelFor(batchSize * size, granularity: 16) { r in
            leakyReLUForward(output + r.lowerBound, input + r.lowerBound, count: r.count, alpha: 0)
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>, batchSize: Int, needs: Gradients) {
        guard needs.contains(.input) else { return }
        parallelFor(batchSize * size, granularity: 16) { r in
            leakyReLUBackward(inputGradient + r.lowerBound, outputGradient + r.lowerBound, output + r.lowerBound,
                              count: r.count, alpha: 0)
        }
    }
}

/// max(x, alpha * x) for 0 < alpha < 1.
public final class LeakyReLU: Activation {
    public let kind = "leaky_relu"
    public let size: Int
    public let alpha: Float
    public init(size: Int, alpha: Float = 0.2) {
        precondition(alpha > 0 && alpha < 1, "leaky ReLU alpha must lie in (0, 1), got \(alpha)")
        self.size = size
        self.alpha = alpha
    }
    public var attributes: [String: Double] { ["alpha": Double(alpha)] }
    @inline(__always) public func apply(_ x: Float) -> Float { x > 0 ? x : alpha * x }
    @inline(__always) public func derivative(output y: Float) -> Float { y > 0 ? 1 : alpha }

    public func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, batchSize: Int, phase: Phase) {
        let alpha = alpha
        parallelFor(batchSize * size, granularity: 16) { r in
            leakyReLUForward(output + r.lowerBound, input + r.lowerBound, count: r.count, alpha: alpha)
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>, batchSize: Int, needs: Gradients) {
        guard needs.contains(.input) else { return }
        let alpha = alpha
        parallelFor(batchSize * size, granularity: 16) { r in
            leakyReLUBackward(inputGradient + r.lowerBound, outputGradient + r.lowerBound, output + r.lowerBound,
                              count: r.count, alpha: alpha)
        }
    }
}

public final class Sigmoid: Activation {
    public let kind = "sigmoid"
    public let size: Int
    public init(size: Int) { self.size = size }
    @inline(__always) public func apply(_ x: Float) -> Float { GANTensor.sigmoid(x) }
    @inline(__always) public func derivative(output y: Float) -> Float { y * (1 - y) }

    /// The vectorised kernel (`sigmoidForward`); `apply` is its scalar reference.
    public func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, batchSize: Int, phase: Phase) {
        // Blocks of 16 keep the vector body's and the scalar tail's elements those of one call.
        parallelFor(batchSize * size, granularity: 16) { r in
            sigmoidForward(output + r.lowerBound, input + r.lowerBound, count: r.count)
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>, batchSize: Int, needs: Gradients) {
        guard needs.contains(.input) else { return }
        parallelFor(batchSize * size, granularity: 16) { r in
            sigmoidBackward(inputGradient + r.lowerBound, outputGradient + r.lowerBound, output + r.lowerBound, count: r.count)
        }
    }
}

public final class Tanh: Activation {
    public let kind = "tanh"
    public let size: Int
    public init(size: Int) { self.size = size }
    @inline(__always) public func apply(_ x: Float) -> Float { tanhFloat(x) }
    @inline(__always) public func derivative(output y: Float) -> Float { 1 - y * y }
}
