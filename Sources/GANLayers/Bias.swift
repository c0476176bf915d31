/// Bias helpers of the dense and convolution layers, over row-major [rows, width] buffers.

/// Writes `bias` [width] into every row of `output` [rows, width] (the product then adds with beta = 1).
@inline(__always)
func broadcastBias(_ bias: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    if width == 1 {
        output.update(repeating: bias[0], count: rows)
        return
    }
    for row in 0..<rows { (output + row * width).update(from: bias, count: width) }
}

/// Adds the column sums of `gradient` [rows, width] to `biasGradient` [width].
@inline(__always)
func accumulateBiasGradient(_ biasGradient: UnsafeMutablePointer<Float>, _ gradient: UnsafePointer<Float>, rows: Int, width: Int) {
    for row in 0..<rows {
        let g = gradient + row * width
        for column in 0..<width { biasGradient[column] += g[column] }
    }
}

/// Adds `bias` [width] to every row of `output` [rows, width].
@inline(__always)
func addBias(_ bias: UnsafePointer<Float>, to output: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    for row in 0..<rows {
        let o = output + row * width
        for column in 0..<width { o[column] += bias[column] }
    }
}
