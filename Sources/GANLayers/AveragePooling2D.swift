import GANTensor

/// Average pooling over channels-last images (Keras `AveragePooling2D`): each output pixel and
/// channel is the mean of the window's pixels that lie inside the image (padding is not
/// counted). No parameters. The gradient is shared equally among those pixels.
public final class AveragePooling2D: Layer {
    public let kind = "average_pooling2d"
    public let inputShape: ImageShape
    public let outputShape: ImageShape
    public let window: Window

    /// `window` must fit the input (`Window.poolingOutput(over:)`).
    public init(input: ImageShape, window: Window) {
        inputShape = input
        self.window = window
        outputShape = window.poolingOutput(over: input)
    }

    public var inputSize: Int { inputShape.size }
    public var outputSize: Int { outputShape.size }
    public var attributes: [String: Double] { window.attributes }

    /// The rows [y0, y1) and columns [x0, x1) of output pixel (oy, ox)'s window inside the image.
    @inline(__always)
    private func bounds(_ oy: Int, _ ox: Int) -> (y0: Int, y1: Int, x0: Int, x1: Int) {
        let top = oy * window.stride - window.padding, left = ox * window.stride - window.padding
        return (max(top, 0), min(top + window.height, inputShape.height), max(left, 0), min(left + window.width, inputShape.width))
    }

    public func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                        batchSize: Int, phase: Phase) {
        let channels = inputShape.channels
        for b in 0..<batchSize {
            let image = input + b * inputSize
            for oy in 0..<outputShape.height {
                for ox in 0..<outputShape.width {
                    let (y0, y1, x0, x1) = bounds(oy, ox)
                    let out = output + ((b * outputShape.height + oy) * outputShape.width + ox) * channels
                    out.update(repeating: 0, count: channels)
                    for y in y0..<y1 {
                        for x in x0..<x1 {
                            let pixel = image + (y * inputShape.width + x) * channels
                            for c in 0..<channels { out[c] += pixel[c] }
                        }
                    }
                    let scale = 1 / Float((y1 - y0) * (x1 - x0))
                    for c in 0..<channels { out[c] *= scale }
                }
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                         batchSize: Int, needs: Gradients) {
        guard needs.contains(.input) else { return }
        let channels = inputShape.channels
        inputGradient.update(repeating: 0, count: batchSize * inputSize)
        for b in 0..<batchSize {
            let image = inputGradient + b * inputSize
            for oy in 0..<outputShape.height {
                for ox in 0..<outputShape.width {
                    let (y0, y1, x0, x1) = bounds(oy, ox)
                    let g = outputGradient + ((b * outputShape.height + oy) * outputShape.width + ox) * channels
                    let scale = 1 / Float((y1 - y0) * (x1 - x0))
                    for y in y0..<y1 {
                        for x in x0..<x1 {
                            let pixel = image + (y * inputShape.width + x) * channels
                            for c in 0..<channels { pixel[c] += g[c] * scale }
                        }
                    }
                }
            }
        }
    }
}
