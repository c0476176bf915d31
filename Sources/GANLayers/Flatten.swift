import GANTensor

/// Keras's `Flatten`: images [batch, height, width, channels] become rows [batch, height * width
/// * channels] for the dense layers that follow. Batches are already stored as flat rows in
/// channels-last order, so the values pass through unchanged; the layer records the image shape
/// it flattens (stored in weights files) and marks where a network leaves image space.
public final class Flatten: Layer {
    public let kind = "flatten"
    public let inputShape: ImageShape

    public init(input: ImageShape) { inputShape = input }

    public var inputSize: Int { inputShape.size }
    public var outputSize: Int { inputShape.size }
    public var attributes: [String: Double] {
        ["height": Double(inputShape.height), "width": Double(inputShape.width), "channels": Double(inputShape.channels)]
    }

    public func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                        batchSize: Int, phase: Phase) {
        output.update(from: input, count: batchSize * inputSize)
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                         batchSize: Int, needs: Gradients) {
        guard needs.contains(.input) else { return }
        inputGradient.update(from: outputGradient, count: batchSize * inputSize)
    }
}
