import GANTensor

/// Transposed ("fractionally strided") 2-D convolution over channels-last images, the adjoint
/// of `Conv2D` with the same window, stored as Keras stores `Conv2DTranspose`: `kernel`
/// [kernelHeight, kernelWidth, filters, inputChannels] and `bias` [filters].
///
/// Every input pixel (iy, ix) scatters `input[iy, ix, :] * kernel[ky, kx, f, :]` to the output
/// pixel (iy * s - p + ky, ix * s - p + kx), channel f; pixels that land in the padding are
/// dropped. The output side is `(input - 1) * stride - 2 * padding + window + outputPadding`
/// (PyTorch's `ConvTranspose2d`, whose weight [in, out, kh, kw] is this kernel transposed).
///
/// Computed as one matrix product and col2im: input [B*IH*IW, C] * kernel^T [C, K] gives the
/// columns [B*IH*IW, K] (K = kh * kw * filters, im2col's row order over the output image), which
/// col2im sums into the output image. The backward pass is im2col of the output gradient and
/// two products.
public final class TransposedConv2D: Layer {
    public let kind = "conv2d_transpose"
    public let inputShape: ImageShape
    public let outputShape: ImageShape
    public let window: Window
    /// Extra rows and columns at the bottom and right of the output, 0 ..< stride.
    public let outputPadding: Int
    public let kernel: Parameter
    public let bias: Parameter
    private var columns = Tensor(shape: [0])   // [capacity * IH * IW, K]
    private var capacity = 0

    /// The output image's side for an input side, or nil when the window, stride, padding and
    /// output padding do not describe a transposed convolution (output padding must lie in
    /// 0 ..< stride, padding below the window, and the output must hold at least one pixel).
    public static func outputSide(input: Int, window: Int, stride: Int, padding: Int, outputPadding: Int) -> Int? {
        guard input > 0, window > 0, stride > 0, padding >= 0, padding < window,
              (0..<stride).contains(outputPadding) else { return nil }
        let side = (input - 1) * stride - 2 * padding + window + outputPadding
        // The adjoint convolution over the output must give back the input's side.
        guard side > 0, ImageShape.slidingOutput(side: side, window: window, stride: stride, padding: padding) == input else { return nil }
        return side
    }

    /// `window` and `outputPadding` must fit the input (`outputSide` is non-nil for both sides):
    /// callers check sizes from files or flags before building the layer.
    public init(input: ImageShape, filters: Int, window: Window, outputPadding: Int = 0) {
        guard filters > 0,
              let height = Self.outputSide(input: input.height, window: window.height, stride: window.stride,
                                           padding: window.padding, outputPadding: outputPadding),
              let width = Self.outputSide(input: input.width, window: window.width, stride: window.stride,
                                          padding: window.padding, outputPadding: outputPadding) else {
            preconditionFailure("a \(window.height)x\(window.width) transposed window (stride \(window.stride), padding "
                                + "\(window.padding), output padding \(outputPadding)) does not fit a \(input) image, or no filters")
        }
        inputShape = input
        self.window = window
        self.outputPadding = outputPadding
        outputShape = ImageShape(height: height, width: width, channels: filters)
        kernel = Parameter(key: "kernel", shape: [window.height, window.width, filters, input.channels])
        bias = Parameter(key: "bias", shape: [filters])
    }

    public var inputSize: Int { inputShape.size }
    public var outputSize: Int { outputShape.size }
    public var parameters: [Parameter] { [kernel, bias] }
    public var attributes: [String: Double] {
        window.attributes.merging(["height": Double(inputShape.height), "width": Double(inputShape.width),
                                   "channels": Double(inputShape.channels), "filters": Double(outputShape.channels),
                                   "output_padding": Double(outputPadding)]) { $1 }
    }

    /// K: one row of the patch matrix over the output image.
    private var patchSize: Int { window.height * window.width * outputShape.channels }
    private var inputPixels: Int { inputShape.height * inputShape.width }

    public var workspacePerRow: Int { inputPixels * patchSize }

    public func reserve(batchCapacity: Int) {
        guard batchCapacity > capacity else { return }
        capacity = batchCapacity
        columns = Tensor(shape: [batchCapacity * inputPixels, patchSize])
    }

    public func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                        batchSize: Int, phase: Phase) {
        reserve(batchCapacity: batchSize)
        let rows = batchSize * inputPixels
        // columns[B*IH*IW, K] = input[B*IH*IW, C] * kernel^T[C, K] (the kernel is [K, C] row-major)
        sgemm(.none, .transposed, m: rows, n: patchSize, k: inputShape.channels,
              alpha: 1, a: input, b: kernel.value.pointer, beta: 0, c: columns.pointer)
        col2im(output, columns.pointer, batchSize: batchSize, shape: outputShape, window: window,
               outHeight: inputShape.height, outWidth: inputShape.width)
        addBias(bias.value.pointer, to: output, rows: batchSize * outputShape.height * outputShape.width,
                width: outputShape.channels)
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                         batchSize: Int, needs: Gradients) {
        guard !needs.isEmpty else { return }
        let rows = batchSize * inputPixels
        // The output gradient's patches, one row per input pixel: [B*IH*IW, K].
        im2col(columns.pointer, outputGradient, batchSize: batchSize, shape: outputShape, window: window,
               outHeight: inputShape.height, outWidth: inputShape.width)
        if needs.contains(.parameters) {
            // kernelGradient[K, C] += columns^T[K, B*IH*IW] * input[B*IH*IW, C]
            sgemm(.transposed, .none, m: patchSize, n: inputShape.channels, k: rows,
                  alpha: 1, a: columns.pointer, b: input, beta: 1, c: kernel.gradient.pointer)
            accumulateBiasGradient(bias.gradient.pointer, outputGradient,
                                   rows: batchSize * outputShape.height * outputShape.width, width: outputShape.channels)
        }
        if needs.contains(.input) {
            // inputGradient[B*IH*IW, C] = columns[B*IH*IW, K] * kernel[K, C]
            sgemm(.none, .none, m: rows, n: inputShape.channels, k: patchSize,
                  alpha: 1, a: columns.pointer, b: kernel.value.pointer, beta: 0, c: inputGradient)
        }
    }
}
