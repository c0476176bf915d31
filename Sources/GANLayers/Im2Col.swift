import GANTensor

/// The patch matrix of a convolution (Caffe's im2col), channels-last.
///
/// columns [batch * outHeight * outWidth, window.height * window.width * channels]: row
/// `(b * outHeight + oy) * outWidth + ox` holds the window at output pixel (oy, ox) of image b,
/// in the order (ky, kx, c), which is the row order of a Keras kernel [kh, kw, channels, filters]
/// flattened to [kh * kw * channels, filters]. Pixels the window finds in the padding are 0.
/// input [batch, height, width, channels].
///
/// A window's row ky is one contiguous run of the input (its pixels are neighbours in a
/// channels-last row), so it is one copy with the padding zeroed at either end. Images are shared
/// among the product threads (`parallelFor`); each writes only its own rows.
public func im2col(_ columns: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, batchSize: Int,
                   shape: ImageShape, window: Window, outHeight: Int, outWidth: Int) {
    let geometry = PatchGeometry(shape: shape, window: window, outHeight: outHeight, outWidth: outWidth)
    parallelFor(batchSize, cost: geometry.columnsPerImage) { images in
        for b in images {
            geometry.forEachRun(image: b) { row, inside, pixel, count in
                let patch = columns + row
                patch.update(repeating: 0, count: inside.lowerBound)
                if count > 0 { (patch + inside.lowerBound).update(from: input + pixel, count: count) }
                (patch + inside.upperBound).update(repeating: 0, count: geometry.span - inside.upperBound)
            }
        }
    }
}

/// The adjoint of `im2col` (col2im): overwrites inputGradient [batch, height, width, channels]
/// with the sum, over every window that covers a pixel, of that window's gradient entry.
/// columnsGradient has im2col's layout; entries that fell in the padding are dropped. Each pixel
/// adds its windows in im2col's row order on any number of threads (images are shared out whole),
/// so the bits do not depend on the thread count.
public func col2im(_ inputGradient: UnsafeMutablePointer<Float>, _ columnsGradient: UnsafePointer<Float>, batchSize: Int,
                   shape: ImageShape, window: Window, outHeight: Int, outWidth: Int) {
    let geometry = PatchGeometry(shape: shape, window: window, outHeight: outHeight, outWidth: outWidth)
    parallelFor(batchSize, cost: geometry.columnsPerImage) { images in
        for b in images {
            (inputGradient + b * shape.size).update(repeating: 0, count: shape.size)
            geometry.forEachRun(image: b) { row, inside, pixel, count in
                let source = columnsGradient + row + inside.lowerBound, target = inputGradient + pixel
                for i in 0..<count { target[i] += source[i] }
            }
        }
    }
}

/// Where each window row of one image's patch matrix comes from.
struct PatchGeometry {
    let shape: ImageShape
    let window: Window
    let outHeight: Int
    let outWidth: Int
    /// One window row: window.width pixels of every channel.
    let span: Int
    let columnsPerImage: Int

    init(shape: ImageShape, window: Window, outHeight: Int, outWidth: Int) {
        self.shape = shape
        self.window = window
        self.outHeight = outHeight
        self.outWidth = outWidth
        span = window.width * shape.channels
        columnsPerImage = outHeight * outWidth * window.height * span
    }

    /// Calls `body(row, inside, pixel, count)` for every window row of image `image`, in im2col's
    /// order: `row` is where it starts in the patch matrix, `inside` the entries of the row
    /// [0, span) that lie in the image, `pixel` the input offset of the first of them and `count`
    /// their number (0 for a row wholly in the padding).
    @inline(__always)
    func forEachRun(image: Int, _ body: (_ row: Int, _ inside: Range<Int>, _ pixel: Int, _ count: Int) -> Void) {
        let channels = shape.channels, imageStart = image * shape.size
        var row = image * columnsPerImage
        for oy in 0..<outHeight {
            for ox in 0..<outWidth {
                let x0 = ox * window.stride - window.padding
                let first = max(0, -x0), end = min(window.width, shape.width - x0)
                for ky in 0..<window.height {
                    let y = oy * window.stride - window.padding + ky
                    if y >= 0, y < shape.height, end > first {
                        body(row, (first * channels)..<(end * channels),
                             imageStart + (y * shape.width + x0 + first) * channels, (end - first) * channels)
                    } else {
                        body(row, 0..<0, imageStart, 0)
                    }
                    row += span
                }
            }
        }
    }
}
