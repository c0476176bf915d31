import Foundation
import GANTensor

/// The Parzen-window log-likelihood estimate the paper reports (Table 1), as its released code
/// computed it: a Gaussian kernel of width sigma on each generated sample mu_j,
///
///     log p(x) = logmeanexp_j( -||x - mu_j||^2 / (2 sigma^2) ) - d log(sigma sqrt(2 pi)),
///
/// with sigma chosen from 10 values spaced logarithmically between 0.1 and 1.0 by the mean
/// log-likelihood of validation images. Distances go through BLAS (||x||^2 + ||mu||^2 - 2 x.mu)
/// in batches; the log-mean-exp subtracts the row maximum, so no term underflows to log(0).
public struct ParzenEstimator {
    public let samples: [Float]     // [count, dimension]
    public let count: Int
    public let dimension: Int
    public var batchSize = 100
    private let sampleNorms: [Float]

    public init(samples: [Float], dimension: Int) {
        precondition(dimension > 0 && samples.count % dimension == 0 && !samples.isEmpty, "samples must be [count, dimension]")
        self.samples = samples
        self.dimension = dimension
        count = samples.count / dimension
        sampleNorms = rowSquaredNorms(samples, dimension: dimension)
    }

    /// The paper's grid: 10 values from 0.1 to 1.0, evenly spaced in log.
    public static let sigmaGrid: [Double] = (0..<10).map { pow(10, -1 + Double($0) / 9) }

    /// log p(x) for each of the `points` ([n, dimension]) under kernel width `sigma`.
    public func logLikelihoods(_ points: [Float], sigma: Double, progress: (Int, Int) -> Void = { _, _ in }) -> [Double] {
        logLikelihoods(points, sigmas: [sigma], progress: progress)[0]
    }

    /// log p(x) for each point under each kernel width: one distance pass serves every sigma
    /// (the values equal separate passes bit for bit).
    public func logLikelihoods(_ points: [Float], sigmas: [Double], progress: (Int, Int) -> Void = { _, _ in }) -> [[Double]] {
        precondition(points.count % dimension == 0, "points must be [n, dimension]")
        let n = points.count / dimension
        var result = [[Double]](repeating: [Double](repeating: 0, count: n), count: sigmas.count)
        var squared = [Double](repeating: 0, count: count), exponents = squared
        let constants = sigmas.map { Double(dimension) * log($0 * (2 * Double.pi).squareRoot()) + log(Double(count)) }
        let scales = sigmas.map { -1 / (2 * $0 * $0) }
        let pointNorms = rowSquaredNorms(points, dimension: dimension)
        forEachDistanceBatch(queries: points, references: samples, dimension: dimension, batchSize: batchSize) { start, rows, products in
            for r in 0..<rows {
                let d = products + r * count, norm = pointNorms[start + r]
                for j in 0..<count { squared[j] = Double(max(d[j] + norm + sampleNorms[j], 0)) }
                for (index, scale) in scales.enumerated() {
                    var largest = -Double.infinity
                    for j in 0..<count {
                        exponents[j] = squared[j] * scale
                        largest = max(largest, exponents[j])
                    }
                    result[index][start + r] = largest + log(Self.sumOfExponentials(exponents, minus: largest)) - constants[index]
                }
            }
            progress(start + rows, n)
        }
        return result
    }

    /// sum_j exp(e_j - largest). A term below -746 is exactly 0 in Double (the smallest
    /// subnormal is exp(-744.4)), so it is skipped rather than sent through libm's slow
    /// underflow path: the sum's bits do not change.
    @inline(__always)
    static func sumOfExponentials(_ exponents: [Double], minus largest: Double) -> Double {
        var sum = 0.0
        for e in exponents {
            let x = e - largest
            if x >= -746 { sum += exp(x) }
        }
        return sum
    }

    /// Mean log-likelihood of `validation` for each sigma of the grid, and the best sigma.
    public func selectSigma(validation: [Float], grid: [Double] = sigmaGrid) -> (sigma: Double, scores: [Double]) {
        let scores = logLikelihoods(validation, sigmas: grid).map { values in values.reduce(0, +) / Double(values.count) }
        let best = scores.indices.max { scores[$0] < scores[$1] }!
        return (grid[best], scores)
    }

    /// Mean and standard error (std / sqrt(n)) of the values.
    public static func meanAndStandardError(_ values: [Double]) -> (mean: Double, standardError: Double) {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        return (mean, (variance / n).squareRoot())
    }
}
