/// The shape of one image in a batch, stored channels-last (NHWC) as Keras stores it: pixel
/// (y, x) channel c of image b sits at `((b * height + y) * width + x) * channels + c`.
/// A single-channel [28, 28] image is therefore already in this layout.
public struct ImageShape: Hashable, Sendable, CustomStringConvertible {
    public let height: Int
    public let width: Int
    public let channels: Int

    public init(height: Int, width: Int, channels: Int) {
        precondition(height > 0 && width > 0 && channels > 0, "an image needs positive height, width and channels")
        self.height = height
        self.width = width
        self.channels = channels
    }

    public var size: Int { height * width * channels }
    public var description: String { "\(height)x\(width)x\(channels)" }

    /// Output side of a sliding window: (side + 2 padding - window) / stride + 1, or nil when
    /// the window does not fit even once.
    public static func slidingOutput(side: Int, window: Int, stride: Int, padding: Int) -> Int? {
        guard window > 0, stride > 0, padding >= 0, side + 2 * padding >= window else { return nil }
        return (side + 2 * padding - window) / stride + 1
    }
}

/// A window sliding over an image: its size, step and zero padding on every side (shared by
/// convolution and pooling).
public struct Window: Hashable, Sendable {
    public let height: Int
    public let width: Int
    public let stride: Int
    public let padding: Int

    public init(height: Int, width: Int, stride: Int = 1, padding: Int = 0) {
        self.height = height
        self.width = width
        self.stride = stride
        self.padding = padding
    }

    public init(size: Int, stride: Int = 1, padding: Int = 0) {
        self.init(height: size, width: size, stride: stride, padding: padding)
    }

    /// The output image's height and width over `input`, or nil when the window does not fit.
    public func outputSide(over input: ImageShape) -> (height: Int, width: Int)? {
        guard let h = ImageShape.slidingOutput(side: input.height, window: height, stride: stride, padding: padding),
              let w = ImageShape.slidingOutput(side: input.width, window: width, stride: stride, padding: padding) else { return nil }
        return (h, w)
    }

    /// The output shape of a pooling layer with this window over `input` (channels kept). The
    /// window must fit and hold at least one real pixel in every position (padding < window
    /// side), which callers check before building the layer.
    func poolingOutput(over input: ImageShape) -> ImageShape {
        guard let side = outputSide(over: input), padding < min(height, width) else {
            preconditionFailure("a \(height)x\(width) pooling window (stride \(stride), padding \(padding)) does not fit a \(input) image")
        }
        return ImageShape(height: side.height, width: side.width, channels: input.channels)
    }

    /// The settings a weights file stores for the layer (Keras names).
    var attributes: [String: Double] {
        ["kernel_height": Double(height), "kernel_width": Double(width), "strides": Double(stride), "padding": Double(padding)]
    }
}
