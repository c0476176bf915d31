import GANTensor

/// 2-D convolution over channels-last images, stored as Keras stores `Conv2D`: `kernel`
/// [kernelHeight, kernelWidth, inputChannels, filters] and `bias` [filters].
///
///     output[b, oy, ox, f] = bias[f] + sum_{ky, kx, c} input[b, oy*s - p + ky, ox*s - p + kx, c] * kernel[ky, kx, c, f]
///
/// Computed as im2col followed by one matrix product: columns [B*OH*OW, K] * kernel [K, F]
/// gives the output [B*OH*OW, F], which already is the channels-last output image.
public final class Conv2D: Layer {
    public let kind = "conv2d"
    public let inputShape: ImageShape
    public let outputShape: ImageShape
    public let window: Window
    public let kernel: Parameter
    public let bias: Parameter
    private var columns = Tensor(shape: [0])           // [capacity * OH * OW, K]
    private var columnsGradient = Tensor(shape: [0])   // [capacity * OH * OW, K]
    private var capacity = 0

    /// `window` must fit the input (`Window.outputSide(over:)` is non-nil): callers check sizes
    /// from files or flags before building the layer.
    public init(input: ImageShape, filters: Int, window: Window) {
        guard let side = window.outputSide(over: input), filters > 0 else {
            preconditionFailure("a \(window.height)x\(window.width) window (stride \(window.stride), padding \(window.padding)) "
                                + "does not fit a \(input) image, or no filters")
        }
        self.inputShape = input
        self.window = window
        outputShape = ImageShape(height: side.height, width: side.width, channels: filters)
        kernel = Parameter(key: "kernel", shape: [window.height, window.width, input.channels, filters])
        bias = Parameter(key: "bias", shape: [filters])
    }

    public var inputSize: Int { inputShape.size }
    public var outputSize: Int { outputShape.size }
    public var parameters: [Parameter] { [kernel, bias] }
    public var attributes: [String: Double] {
        window.attributes.merging(["height": Double(inputShape.height), "width": Double(inputShape.width),
                                   "channels": Double(inputShape.channels), "filters": Double(outputShape.channels)]) { $1 }
    }

    /// K: one row of the patch matrix.
    private var patchSize: Int { window.height * window.width * inputShape.channels }
    private var pixels: Int { outputShape.height * outputShape.width }

    public var workspacePerRow: Int { 2 * pixels * patchSize }

    public func reserve(batchCapacity: Int) {
        guard batchCapacity > capacity else { return }
        capacity = batchCapacity
        columns = Tensor(shape: [batchCapacity * pixels, patchSize])
        columnsGradient = Tensor(shape: [batchCapacity * pixels, patchSize])
    }

    public func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                        batchSize: Int, phase: Phase) {
        reserve(batchCapacity: batchSize)
        im2col(columns.pointer, input, batchSize: batchSize, shape: self.inputShape, window: window,
               outHeight: self.outputShape.height, outWidth: self.outputShape.width)
        let rows = batchSize * pixels, filters = self.outputShape.channels
        broadcastBias(bias.value.pointer, into: output, rows: rows, width: filters)
        // output[B*OH*OW, F] += columns[B*OH*OW, K] * kernel[K, F]
        sgemm(.none, .none, m: rows, n: filters, k: patchSize,
              alpha: 1, a: columns.pointer, b: kernel.value.pointer, beta: 1, c: output)
    }

    /// Uses the patch matrix of the last forward pass (the input it was given).
    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                         batchSize: Int, needs: Gradients) {
        let rows = batchSize * pixels, filters = self.outputShape.channels
        if needs.contains(.parameters) {
            // kernelGradient[K, F] += columns^T[K, B*OH*OW] * outputGradient[B*OH*OW, F]
            sgemm(.transposed, .none, m: patchSize, n: filters, k: rows,
                  alpha: 1, a: columns.pointer, b: outputGradient, beta: 1, c: kernel.gradient.pointer)
            accumulateBiasGradient(bias.gradient.pointer, outputGradient, rows: rows, width: filters)
        }
        if needs.contains(.input) {
            // columnsGradient[B*OH*OW, K] = outputGradient[B*OH*OW, F] * kernel^T[F, K]
            sgemm(.none, .transposed, m: rows, n: patchSize, k: filters,
                  alpha: 1, a: outputGradient, b: kernel.value.pointer, beta: 0, c: columnsGradient.pointer)
            col2im(inputGradient, columnsGradient.pointer, batchSize: batchSize, shape: self.inputShape, window: window,
                   outHeight: self.outputShape.height, outWidth: self.outputShape.width)
        }
    }
}
