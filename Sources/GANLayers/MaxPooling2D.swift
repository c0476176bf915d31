import GANTensor

/// Max pooling over channels-last images (Keras `MaxPooling2D`): each output pixel and channel
/// is the largest input in its window; pixels in the padding never win. No parameters.
/// The gradient goes to the winning input (the first one on ties).
public final class MaxPooling2D: Layer {
    public let kind = "max_pooling2d"
    public let inputShape: ImageShape
    public let outputShape: ImageShape
    public let window: Window
    private var winners: UnsafeMutablePointer<Int32>?   // [capacity, outputSize]: input offset within the image
    private var capacity = 0

    /// `window` must fit the input (`Window.poolingOutput(over:)`).
    public init(input: ImageShape, window: Window) {
        inputShape = input
        self.window = window
        outputShape = window.poolingOutput(over: input)
    }

    deinit { winners?.deallocate() }

    public var inputSize: Int { inputShape.size }
    public var outputSize: Int { outputShape.size }
    public var attributes: [String: Double] { window.attributes }

    /// The winners (Int32, one float's bytes each).
    public var workspacePerRow: Int { outputSize }

    public func reserve(batchCapacity: Int) {
        guard batchCapacity > capacity else { return }
        capacity = batchCapacity
        winners?.deallocate()
        winners = .allocate(capacity: batchCapacity * outputSize)
    }

    public func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                        batchSize: Int, phase: Phase) {
        reserve(batchCapacity: batchSize)
        guard let winners else { return }
        let channels = inputShape.channels
        for b in 0..<batchSize {
            let image = input + b * inputSize
            for oy in 0..<outputShape.height {
                for ox in 0..<outputShape.width {
                    let out = (b * outputShape.height + oy) * outputShape.width + ox
                    for c in 0..<channels {
                        var best = -Float.infinity, winner: Int32 = -1
                        forEachPixel(oy, ox) { offset in
                            let value = image[offset + c]
                            if winner < 0 || value > best { best = value; winner = Int32(offset + c) }
                        }
                        output[out * channels + c] = best
                        winners[out * channels + c] = winner
                    }
                }
            }
        }
    }

    /// Calls `body` with the offset (y * width + x) * channels of every window pixel inside the image.
    @inline(__always)
    private func forEachPixel(_ oy: Int, _ ox: Int, _ body: (Int) -> Void) {
        for ky in 0..<window.height {
            let y = oy * window.stride - window.padding + ky
            guard y >= 0, y < inputShape.height else { continue }
            for kx in 0..<window.width {
                let x = ox * window.stride - window.padding + kx
                guard x >= 0, x < inputShape.width else { continue }
                body((y * inputShape.width + x) * inputShape.channels)
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                         batchSize: Int, needs: Gradients) {
        guard needs.contains(.input), let winners else { return }
        inputGradient.update(repeating: 0, count: batchSize * inputSize)
        for b in 0..<batchSize {
            let image = inputGradient + b * inputSize
            for o in (b * outputSize)..<((b + 1) * outputSize) {
                image[Int(winners[o])] += outputGradient[o]
            }
        }
    }
}
