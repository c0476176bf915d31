import GANTensor

/// A layer that only changes how a row is read (an image or a flat vector): batches are stored
/// as flat rows in channels-last order either way, so values and gradients pass through
/// unchanged. The layer records the image shape (stored in weights files) and marks where a
/// network enters or leaves image space.
public protocol ShapeLayer: Layer {
    var imageShape: ImageShape { get }
}

extension ShapeLayer {
    public var inputSize: Int { imageShape.size }
    public var outputSize: Int { imageShape.size }
    public var attributes: [String: Double] {
        ["height": Double(imageShape.height), "width": Double(imageShape.width), "channels": Double(imageShape.channels)]
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

/// Keras's `Flatten`: images [batch, height, width, channels] become rows [batch, height * width
/// * channels] for the dense layers that follow.
public final class Flatten: ShapeLayer {
    public let kind = "flatten"
    public let inputShape: ImageShape

    public init(input: ImageShape) { inputShape = input }

    public var imageShape: ImageShape { inputShape }
}

/// Keras's `Reshape((height, width, channels))`: rows [batch, height * width * channels] (a
/// dense layer's output) become channels-last images for the convolutions that follow. The
/// equivalent PyTorch model reads the row channel-major (`Unflatten(1, (channels, height,
/// width))`), so its dense weights are our columns permuted (see README, "Export").
public final class Reshape: ShapeLayer {
    public let kind = "reshape"
    public let outputShape: ImageShape

    public init(output: ImageShape) { outputShape = output }

    public var imageShape: ImageShape { outputShape }
}
