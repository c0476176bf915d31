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
        precondition(points.count % dimension == 0, "points must be [n, dimension]")
        let n = points.count / dimension
        var result = [Double](repeating: 0, count: n)
        var exponents = [Double](repeating: 0, count: count)
        let constant = Double(dimension) * log(sigma * (2 * Double.pi).squareRoot()) + log(Double(count))
        let scale = -1 / (2 * sigma * sigma)
        let pointNorms = rowSquaredNorms(points, dimension: dimension)
        forEachDistanceBatch(queries: points, references: samples, dimension: dimension, batchSize: batchSize) { start, rows, products in
            for r in 0..<rows {
                let d = products + r * count, norm = pointNorms[start + r]
                var largest = -Double.infinity
                for j in 0..<count {
                    exponents[j] = Double(max(d[j] + norm + sampleNorms[j], 0)) * scale
                    largest = max(largest, exponents[j])
                }
                var sum = 0.0
                for j in 0..<count { sum += exp(exponents[j] - largest) }
                result[start + r] = largest + log(sum) - constant
            }
            progress(start + rows, n)
        }
        return result
    }

    /// Mean log-likelihood of `validation` for each sigma of the grid, and the best sigma.
    public func selectSigma(validation: [Float], grid: [Double] = sigmaGrid) -> (sigma: Double, scores: [Double]) {
        let scores = grid.map { sigma in
            let values = logLikelihoods(validation, sigma: sigma)
            return values.reduce(0, +) / Double(values.count)
        }
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
