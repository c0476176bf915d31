import GANTensor

/// Bias helpers of the dense and convolution layers, over row-major [rows, width] buffers. Rows
/// (or, for the gradient, blocks of columns) are shared among the product threads (`parallelFor`);
/// every element is computed as on one thread, so the bits do not depend on the thread count.

/// Writes `bias` [width] into every row of `output` [rows, width] (the product then adds with beta = 1).
@inline(__always)
func broadcastBias(_ bias: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    if width == 1 {
        output.update(repeating: bias[0], count: rows)
        return
    }
    parallelFor(rows, cost: width) { block in
        for row in block { (output + row * width).update(from: bias, count: width) }
    }
}

/// Adds the column sums of `gradient` [rows, width] to `biasGradient` [width], the rows in order.
@inline(__always)
func accumulateBiasGradient(_ biasGradient: UnsafeMutablePointer<Float>, _ gradient: UnsafePointer<Float>, rows: Int, width: Int) {
    addColumnSums(of: gradient, rows: rows, columns: width, to: biasGradient)
}

/// Adds `bias` [width] to every row of `output` [rows, width].
@inline(__always)
func addBias(_ bias: UnsafePointer<Float>, to output: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    parallelFor(rows, cost: width) { block in
        for row in block {
            let o = output + row * width
            for column in 0..<width { o[column] += bias[column] }
        }
    }
}
