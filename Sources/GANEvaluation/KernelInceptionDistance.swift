import GANTensor

/// The kernel inception distance (Binkowski et al. 2018, "Demystifying MMD GANs"): the
/// unbiased estimate of the squared maximum mean discrepancy between two feature sets under the
/// cubic polynomial kernel k(x, y) = (x.y / d + 1)^3, averaged over random subsets:
///
///     MMD^2 = sum_{i != j} k(x_i, x_j) / (m (m - 1)) + sum_{i != j} k(y_i, y_j) / (m (m - 1))
///             - 2 sum_{i, j} k(x_i, y_j) / m^2
///
/// Unbiased, so it can be slightly negative when the two sets come from one distribution.
public enum KernelInceptionDistance {
    /// The unbiased MMD^2 between `x` and `y` ([m, dimension] each, m >= 2).
    public static func mmd(_ x: [Float], _ y: [Float], dimension: Int) -> Double {
        let m = x.count / dimension
        precondition(m >= 2 && x.count == m * dimension && y.count == x.count, "two sets of m >= 2 rows each")
        let xx = kernelSum(x, x, m: m, dimension: dimension, skipDiagonal: true)
        let yy = kernelSum(y, y, m: m, dimension: dimension, skipDiagonal: true)
        let xy = kernelSum(x, y, m: m, dimension: dimension, skipDiagonal: false)
        let pairs = Double(m) * Double(m - 1)
        return xx / pairs + yy / pairs - 2 * xy / (Double(m) * Double(m))
    }

    /// Sum of k(a_i, b_j) over all i, j (or i != j): one [m, m] product, then the cube in Double.
    static func kernelSum(_ a: [Float], _ b: [Float], m: Int, dimension: Int, skipDiagonal: Bool) -> Double {
        let gram = Tensor(shape: [m, m])
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                // gram[m, m] = a[m, d] * b^T[d, m] / d
                sgemm(.none, .transposed, m: m, n: m, k: dimension, alpha: 1 / Float(dimension),
                      a: a.baseAddress!, b: b.baseAddress!, beta: 0, c: gram.pointer)
            }
        }
        var total = 0.0
        for i in 0..<m {
            for j in 0..<m where !(skipDiagonal && i == j) {
                let base = Double(gram[i * m + j]) + 1
                total += base * base * base
            }
        }
        return total
    }

    public struct Estimate: Codable, Sendable, Equatable {
        public var mean: Double
        /// Standard deviation over the subsets.
        public var standardDeviation: Double
        public var subsets: Int
        public var subsetSize: Int
    }

    /// MMD^2 on `subsets` pairs of random subsets of `subsetSize` rows (without replacement
    /// within a subset; capped at the smaller set's size), as the authors' code averages it.
    public static func estimate(real: [Float], generated: [Float], dimension: Int, subsets: Int = 20,
                                subsetSize: Int = 1_000, seed: UInt64 = 0) -> Estimate {
        let realCount = real.count / dimension, generatedCount = generated.count / dimension
        let m = min(subsetSize, realCount, generatedCount)
        var rng = RandomGenerator(seed: seed)
        var realOrder = Array(0..<realCount), generatedOrder = Array(0..<generatedCount)
        var values: [Double] = []
        for _ in 0..<subsets {
            rng.shuffle(&realOrder)
            rng.shuffle(&generatedOrder)
            values.append(mmd(rows(real, realOrder.prefix(m), dimension), rows(generated, generatedOrder.prefix(m), dimension),
                              dimension: dimension))
        }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return Estimate(mean: mean, standardDeviation: variance.squareRoot(), subsets: subsets, subsetSize: m)
    }

    static func rows(_ matrix: [Float], _ indices: ArraySlice<Int>, _ dimension: Int) -> [Float] {
        var result = [Float](repeating: 0, count: indices.count * dimension)
        for (target, row) in indices.enumerated() {
            for i in 0..<dimension { result[target * dimension + i] = matrix[row * dimension + i] }
        }
        return result
    }
}
