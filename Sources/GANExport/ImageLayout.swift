import GANLayers

/// Reorderings between our channels-last layout and the channels-first one of PyTorch and ONNX.
enum ImageLayout {
    /// A kernel [kh, kw, a, b] (row-major, ours) as [b, a, kh, kw]: PyTorch's and ONNX's `Conv`
    /// weight [filters, channels, kh, kw] from our Conv2D kernel [kh, kw, channels, filters], and
    /// their `ConvTranspose` weight [channels, filters, kh, kw] from our [kh, kw, filters, channels].
    static func channelsFirstKernel(_ kernel: [Float], window: Window, a: Int, b: Int) -> [Float] {
        let (kh, kw) = (window.height, window.width)
        var out = [Float](repeating: 0, count: kernel.count)
        for ky in 0..<kh {
            for kx in 0..<kw {
                for i in 0..<a {
                    for j in 0..<b { out[((j * a + i) * kh + ky) * kw + kx] = kernel[((ky * kw + kx) * a + i) * b + j] }
                }
            }
        }
        return out
    }

    /// For each position (y * width + x) * channels + c of a channels-last row, its position
    /// c * height * width + y * width + x in the channels-first row.
    static func channelsFirstPositions(_ shape: ImageShape) -> [Int] {
        var positions = [Int](repeating: 0, count: shape.size)
        for y in 0..<shape.height {
            for x in 0..<shape.width {
                for c in 0..<shape.channels {
                    positions[(y * shape.width + x) * shape.channels + c] = (c * shape.height + y) * shape.width + x
                }
            }
        }
        return positions
    }

    /// Row r of the row-major [rows, columns] matrix moves to row positions[r].
    static func movingRows(_ matrix: [Float], columns: Int, to positions: [Int]) -> [Float] {
        var out = [Float](repeating: 0, count: matrix.count)
        for (row, target) in positions.enumerated() {
            for column in 0..<columns { out[target * columns + column] = matrix[row * columns + column] }
        }
        return out
    }
}
