/// The patch matrix of a convolution (Caffe's im2col), channels-last.
///
/// columns [batch * outHeight * outWidth, window.height * window.width * channels]: row
/// `(b * outHeight + oy) * outWidth + ox` holds the window at output pixel (oy, ox) of image b,
/// in the order (ky, kx, c), which is the row order of a Keras kernel [kh, kw, channels, filters]
/// flattened to [kh * kw * channels, filters]. Pixels the window finds in the padding are 0.
/// input [batch, height, width, channels].
public func im2col(_ columns: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, batchSize: Int,
                   shape: ImageShape, window: Window, outHeight: Int, outWidth: Int) {
    let channels = shape.channels, rowLength = window.height * window.width * channels
    var row = columns
    for b in 0..<batchSize {
        let image = input + b * shape.size
        for oy in 0..<outHeight {
            for ox in 0..<outWidth {
                var target = row
                for ky in 0..<window.height {
                    let y = oy * window.stride - window.padding + ky
                    for kx in 0..<window.width {
                        let x = ox * window.stride - window.padding + kx
                        if y >= 0, y < shape.height, x >= 0, x < shape.width {
                            target.update(from: image + (y * shape.width + x) * channels, count: channels)
                        } else {
                            target.update(repeating: 0, count: channels)
                        }
                        target += channels
                    }
                }
                row += rowLength
            }
        }
    }
}

/// The adjoint of `im2col` (col2im): overwrites inputGradient [batch, height, width, channels]
/// with the sum, over every window that covers a pixel, of that window's gradient entry.
/// columnsGradient has im2col's layout; entries that fell in the padding are dropped.
public func col2im(_ inputGradient: UnsafeMutablePointer<Float>, _ columnsGradient: UnsafePointer<Float>, batchSize: Int,
                   shape: ImageShape, window: Window, outHeight: Int, outWidth: Int) {
    let channels = shape.channels, rowLength = window.height * window.width * channels
    inputGradient.update(repeating: 0, count: batchSize * shape.size)
    var row = columnsGradient
    for b in 0..<batchSize {
        let image = inputGradient + b * shape.size
        for oy in 0..<outHeight {
            for ox in 0..<outWidth {
                var source = row
                for ky in 0..<window.height {
                    let y = oy * window.stride - window.padding + ky
                    for kx in 0..<window.width {
                        let x = ox * window.stride - window.padding + kx
                        if y >= 0, y < shape.height, x >= 0, x < shape.width {
                            let pixel = image + (y * shape.width + x) * channels
                            for c in 0..<channels { pixel[c] += source[c] }
                        }
                        source += channels
                    }
                }
                row += rowLength
            }
        }
    }
}
