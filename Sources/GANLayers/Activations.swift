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
        leakyReLUForward(output, input, count: batchSize * size, alpha: 0)
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>, batchSize: Int, needs: Gradients) {
        guard needs.contains(.input) else { return }
        leakyReLUBackward(inputGradient, outputGradient, output, count: batchSize * size, alpha: 0)
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
        leakyReLUForward(output, input, count: batchSize * size, alpha: alpha)
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>, batchSize: Int, needs: Gradients) {
        guard needs.contains(.input) else { return }
        leakyReLUBackward(inputGradient, outputGradient, output, count: batchSize * size, alpha: alpha)
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
        sigmoidForward(output, input, count: batchSize * size)
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>, batchSize: Int, needs: Gradients) {
        guard needs.contains(.input) else { return }
        sigmoidBackward(inputGradient, outputGradient, output, count: batchSize * size)
    }
}

public final class Tanh: Activation {
    public let kind = "tanh"
    public let size: Int
    public init(size: Int) { self.size = size }
    @inline(__always) public func apply(_ x: Float) -> Float { tanhFloat(x) }
    @inline(__always) public func derivative(output y: Float) -> Float { 1 - y * y }
}
