import GANTensor

/// Maxout (Goodfellow et al. 2013): `units` outputs, each the maximum of `pieces` affine pieces.
///
/// Stored like a dense layer with `units * pieces` outputs: `kernel` [input, units * pieces] and
/// `bias` [units * pieces], where column `u * pieces + p` is piece p of unit u.
public final class Maxout: Layer {
    public let kind = "maxout"
    public let inputSize: Int
    public let units: Int
    public let pieces: Int
    public let kernel: Parameter
    public let bias: Parameter
    /// pylearn2's `max_col_norm`: after each update, every column of `kernel` (one unit's, or
    /// one piece's, incoming weights) longer than this is scaled back to it. nil: no constraint.
    /// Stored in weight files as the attribute `max_col_norm`.
    public var maxColumnNorm: Float?
    private var linear = Tensor(shape: [0])                 // [capacity, units * pieces]
    private var linearGradient = Tensor(shape: [0])         // [capacity, units * pieces]
    private var winners: UnsafeMutablePointer<Int32>?       // [capacity, units]: winning piece
    private var capacity = 0

    public init(inputSize: Int, units: Int, pieces: Int) {
        precondition(units > 0 && pieces > 0, "maxout needs positive units and pieces")
        self.inputSize = inputSize
        self.units = units
        self.pieces = pieces
        kernel = Parameter(key: "kernel", shape: [inputSize, units * pieces])
        bias = Parameter(key: "bias", shape: [units * pieces])
    }

    deinit { winners?.deallocate() }

    public var outputSize: Int { units }
    public var parameters: [Parameter] { [kernel, bias] }

    public func applyConstraints() {
        if let maxColumnNorm { WeightConstraint.limitColumnNorms(kernel.value, bound: maxColumnNorm) }
    }
    public var attributes: [String: Double] {
        var result = ["units": Double(units), "pieces": Double(pieces)]
        if let maxColumnNorm { result["max_col_norm"] = Double(maxColumnNorm) }
        return result
    }

    /// The linear outputs and their gradient, and the winners (Int32, one float's bytes each).
    public var workspacePerRow: Int { 2 * units * pieces + units }

    public func reserve(batchCapacity: Int) {
        guard batchCapacity > capacity else { return }
        capacity = batchCapacity
        linear = Tensor(shape: [batchCapacity, units * pieces])
        linearGradient = Tensor(shape: [batchCapacity, units * pieces])
        winners?.deallocate()
        winners = .allocate(capacity: batchCapacity * units)
    }

    public func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                        batchSize: Int, phase: Phase) {
        reserve(batchCapacity: batchSize)
        let width = units * pieces, z = linear.pointer, b = bias.value.pointer
        guard let winners else { return }
        parallelFor(batchSize, cost: width) { rows in
            for row in rows { (z + row * width).update(from: b, count: width) }
        }
        sgemm(.none, .none, m: batchSize, n: width, k: inputSize,
              alpha: 1, a: input, b: kernel.value.pointer, beta: 1, c: z)
        let units = units, pieces = pieces
        parallelFor(batchSize, cost: width) { rows in
            for row in rows {
                for unit in 0..<units {
                    // The first largest piece wins (a strict >), chosen without branches: which
                    // piece wins is data, and mispredicted branches cost most of this loop.
                    let base = row * width + unit * pieces
                    var best = z[base], winner: Int32 = 0
                    for piece in 1..<pieces {
                        let value = z[base + piece], larger = value > best
                        best = larger ? value : best
                        winner = larger ? Int32(piece) : winner
                    }
                    output[row * units + unit] = best
                    winners[row * units + unit] = winner
                }
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                         batchSize: Int, needs: Gradients) {
        guard let winners else { return }
        let width = units * pieces, dz = linearGradient.pointer
        let units = units, pieces = pieces
        parallelFor(batchSize, cost: width) { rows in
            (dz + rows.lowerBound * width).update(repeating: 0, count: rows.count * width)
            for row in rows {
                for unit in 0..<units {
                    dz[row * width + unit * pieces + Int(winners[row * units + unit])] = outputGradient[row * units + unit]
                }
            }
        }
        if needs.contains(.parameters) {
            sgemm(.transposed, .none, m: inputSize, n: width, k: batchSize,
                  alpha: 1, a: input, b: dz, beta: 1, c: kernel.gradient.pointer)
            addColumnSums(of: dz, rows: batchSize, columns: width, to: bias.gradient.pointer)
        }
        if needs.contains(.input) {
            sgemm(.none, .transposed, m: batchSize, n: inputSize, k: width,
                  alpha: 1, a: dz, b: kernel.value.pointer, beta: 0, c: inputGradient)
        }
    }
}
