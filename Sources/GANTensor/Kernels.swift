// Elementwise kernels over buffers: outputs first, explicit counts, SIMD bodies with a scalar
// tail. Each has a naive reference (`GANTensor.sigmoid`, libm expf) that tests compare against.

/// exp(x) for 8 lanes: Cody-Waite range reduction x = n ln2 + r, |r| <= ln2 / 2, then Cephes's
/// degree-6 polynomial for e^r, scaled by 2^n through the exponent bits. Within 2 ulp of expf on
/// [-87, 88]; inputs are clamped there (so e^-inf gives ~1e-38, not a NaN). Uses only SSE2
/// operations (rounding by the 1.5 * 2^23 trick), so baseline x86-64 builds vectorize it.
@inline(__always)
func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // Compare-and-blend rather than clamped(): pointwise min/max keep NaN semantics and are
    // not inlined, which cost a third of this kernel.
    let low = SIMD8<Float>(repeating: -87.3), high = SIMD8<Float>(repeating: 88.3)
    let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
    let shifter = SIMD8<Float>(repeating: 12_582_912)  // 1.5 * 2^23: adding it rounds to an integer
    let shifted = clamped * 1.442_695_04 + shifter     // whose bits are 0x4B400000 + n
    let n = shifted - shifter
    var r = clamped - n * 0.693_359_375
    r = r - n * -2.121_944_4e-4
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 0.166_666_655
    p = p * r + 0.500_000_01
    let e = p * r * r + r + 1
    let exponent = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
    let scale = unsafeBitCast(exponent, to: SIMD8<Float>.self)
    return e * scale
}

/// output[i] = 1 / (1 + exp(-input[i])) over `count` floats (may alias).
public func sigmoidForward(_ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, count: Int) {
    var index = 0
    let raw = UnsafeRawPointer(input), outRaw = UnsafeMutableRawPointer(output)
    while index + 8 <= count {
        let x = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
        outRaw.storeBytes(of: 1 / (1 + exp8(-x)), toByteOffset: index * 4, as: SIMD8<Float>.self)
        index += 8
    }
    while index < count {
        output[index] = sigmoid(input[index])
        index += 1
    }
}

/// output[i] = max(input[i], alpha * input[i]) for 0 <= alpha < 1 (alpha 0: ReLU); may alias.
public func leakyReLUForward(_ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, count: Int, alpha: Float) {
    for index in 0..<count {
        let x = input[index]
        output[index] = Swift.max(x, alpha * x)
    }
}

/// inputGradient[i] = outputGradient[i] * (output[i] > 0 ? 1 : alpha).
public func leakyReLUBackward(_ inputGradient: UnsafeMutablePointer<Float>, _ outputGradient: UnsafePointer<Float>,
                              _ output: UnsafePointer<Float>, count: Int, alpha: Float) {
    for index in 0..<count {
        inputGradient[index] = output[index] > 0 ? outputGradient[index] : alpha * outputGradient[index]
    }
}

/// inputGradient[i] = outputGradient[i] * y (1 - y), y = output[i].
public func sigmoidBackward(_ inputGradient: UnsafeMutablePointer<Float>, _ outputGradient: UnsafePointer<Float>,
                            _ output: UnsafePointer<Float>, count: Int) {
    for index in 0..<count {
        let y = output[index]
        inputGradient[index] = outputGradient[index] * y * (1 - y)
    }
}

/// sums[c] += the sum of column c of the row-major [rows, columns] matrix `m`, adding the rows in
/// order (the bits of a row-by-row loop); blocks of columns are shared among the product threads.
public func addColumnSums(of m: UnsafePointer<Float>, rows: Int, columns: Int, to sums: UnsafeMutablePointer<Float>) {
    parallelFor(columns, granularity: 16, cost: rows) { block in
        for row in 0..<rows {
            let values = m + row * columns
            for column in block { sums[column] += values[column] }
        }
    }
}
