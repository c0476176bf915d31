import Foundation
import GANData
import GANEvaluation
import GANTensor
import GANZoo
import Testing

@Suite("Parzen-window log-likelihood")
struct ParzenTests {
    /// log p(x) computed directly, in Double: log(mean_j exp(-||x - mu_j||^2 / 2s^2)) - d log(s sqrt(2 pi)).
    static func direct(_ x: [Double], _ mus: [[Double]], sigma: Double) -> Double {
        let terms = mus.map { mu in -zip(x, mu).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / (2 * sigma * sigma) }
        let largest = terms.max()!
        let logMean = largest + log(terms.reduce(0) { $0 + exp($1 - largest) }) - log(Double(mus.count))
        return logMean - Double(x.count) * log(sigma * (2 * Double.pi).squareRoot())
    }

    @Test func matchesTheDirectComputation() {
        var rng = RandomGenerator(seed: 5)
        let d = 7, count = 13, points = 5
        var samples = [Float](repeating: 0, count: count * d), xs = [Float](repeating: 0, count: points * d)
        rng.fillUniform(&samples, count: samples.count, low: 0, high: 1)
        rng.fillUniform(&xs, count: xs.count, low: 0, high: 1)
        var estimator = ParzenEstimator(samples: samples, dimension: d)
        estimator.batchSize = 2  // several batches, the last one partial
        let mus = (0..<count).map { j in (0..<d).map { Double(samples[j * d + $0]) } }
        for sigma in [0.1, 0.3, 1.0] {
            let values = estimator.logLikelihoods(xs, sigma: sigma)
            for p in 0..<points {
                let expected = Self.direct((0..<d).map { Double(xs[p * d + $0]) }, mus, sigma: sigma)
                #expect(abs(values[p] - expected) < 1e-3 * max(1, abs(expected)), "sigma \(sigma), point \(p): \(values[p]) vs \(expected)")
            }
        }
    }

    /// Far from every sample, exp(-||x - mu||^2 / 2 sigma^2) underflows to 0 even in Double
    /// (exponent -12,500 here); the log-mean-exp still gives the exact, finite answer.
    @Test func noUnderflowFarFromTheSamples() {
        let d = 4
        let samples: [Float] = [0, 0, 0, 0, 0.1, 0, 0, 0]
        let x: [Float] = [5, 0, 0, 0]
        let value = ParzenEstimator(samples: samples, dimension: d).logLikelihoods(x, sigma: 0.1)[0]
        #expect(exp(-25.0 / 0.02) == 0, "the naive computation underflows")
        let expected = Self.direct([5, 0, 0, 0], [[0, 0, 0, 0], [0.1, 0, 0, 0]], sigma: 0.1)
        #expect(value.isFinite && abs(value - expected) < 1e-3 * abs(expected), "\(value) vs \(expected)")
    }

    /// Points at distance r from a single centre in d dimensions: the mean log-likelihood
    /// -r^2 / 2 sigma^2 - d log sigma + c peaks at sigma = r / sqrt(d); put that on the grid.
    @Test func sigmaSelectionPicksTheKnownBestWidth() {
        let d = 4
        let best = ParzenEstimator.sigmaGrid[6]
        let r = Float(best * Double(d).squareRoot())
        let validation: [Float] = [r, 0, 0, 0, 0, -r, 0, 0, 0, 0, r, 0]
        let estimator = ParzenEstimator(samples: [0, 0, 0, 0], dimension: d)
        let (sigma, scores) = estimator.selectSigma(validation: validation)
        #expect(sigma == best, "picked \(sigma), scores \(scores)")
        #expect(ParzenEstimator.sigmaGrid.count == 10 && abs(ParzenEstimator.sigmaGrid[0] - 0.1) < 1e-12
                && abs(ParzenEstimator.sigmaGrid[9] - 1) < 1e-12)
        let (mean, error) = ParzenEstimator.meanAndStandardError([1, 2, 3, 4])
        #expect(mean == 2.5 && abs(error - (1.25 / 4).squareRoot()) < 1e-12)
    }
}

@Suite("Nearest training images")
struct NearestTests {
    @Test func findsTheClosestRow() {
        let references: [Float] = [0, 0, 10, 10, 3, 4, -5, 1]  // four 2-d points
        let queries: [Float] = [9, 9, 0.5, -0.2, 2.6, 4.4, -4, 0, 100, 100]
        #expect(nearestRows(queries: queries, references: references, dimension: 2) == [1, 0, 2, 3, 1])
        // More queries than one batch of 256, against itself: every row is its own nearest.
        var rng = RandomGenerator(seed: 3)
        var points = [Float](repeating: 0, count: 300 * 5)
        rng.fillUniform(&points, count: points.count, low: 0, high: 1)
        #expect(nearestRows(queries: points, references: points, dimension: 5) == Array(0..<300))
    }
}

@Suite("Fréchet distance")
struct FrechetDistanceTests {
    static func gaussianRows(count: Int, dimension: Int, seed: UInt64, shift: [Float]? = nil, scale: Float = 1) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        var rows = [Float](repeating: 0, count: count * dimension)
        rng.fillNormal(&rows, count: rows.count, mean: 0, std: scale)
        // Correlate the coordinates a little, so covariances are not diagonal.
        for r in 0..<count { for i in 1..<dimension { rows[r * dimension + i] += 0.5 * rows[r * dimension + i - 1] } }
        if let shift { for r in 0..<count { for i in 0..<dimension { rows[r * dimension + i] += shift[i] } } }
        return rows
    }

    @Test func aSetAgainstItselfIsZeroAndAShiftAddsItsSquaredLength() {
        let d = 6
        let rows = Self.gaussianRows(count: 500, dimension: d, seed: 1)
        #expect(FrechetDistance.distance(rows, rows, dimension: d) < 1e-6)
        let shift: [Float] = [1, -2, 0.5, 0, 3, -1]
        let shifted = Self.gaussianRows(count: 500, dimension: d, seed: 1, shift: shift)
        let expected = Double(shift.reduce(0) { $0 + $1 * $1 })
        #expect(abs(FrechetDistance.distance(rows, shifted, dimension: d) - expected) < 1e-4 * expected)
        // It grows with the shift.
        let half = Self.gaussianRows(count: 500, dimension: d, seed: 1, shift: shift.map { $0 / 2 })
        #expect(FrechetDistance.distance(rows, half, dimension: d) < FrechetDistance.distance(rows, shifted, dimension: d))
    }

    /// Scaling a set by s scales its covariance by s^2: for C2 = s^2 C1 the trace term is
    /// Tr(C1) (1 - s)^2.
    @Test func matchesTheClosedFormForScaledCovariances() {
        let d = 5
        let rows = Self.gaussianRows(count: 400, dimension: d, seed: 2)
        let (mean, covariance) = FrechetDistance.statistics(rows, dimension: d)
        let s = 1.7
        let scaled = covariance.map { $0 * s * s }
        let trace = (0..<d).reduce(0) { $0 + covariance[$1 * d + $1] }
        let value = FrechetDistance.distance(mean1: mean, covariance1: covariance, mean2: mean, covariance2: scaled)
        #expect(abs(value - trace * (1 - s) * (1 - s)) < 1e-6 * trace)
    }
}

@Suite("Parzen sigma grid in one pass")
struct ParzenGridTests {
    /// Every sigma from one distance pass equals its own pass bit for bit, including points so far
    /// from the centres that most kernel terms underflow (and are skipped) at the small widths.
    @Test func oneDistancePassEqualsOnePassPerSigma() {
        var rng = RandomGenerator(seed: 8)
        let d = 50
        var centres = [Float](repeating: 0, count: 300 * d), points = [Float](repeating: 0, count: 40 * d)
        rng.fillUniform(&centres, count: centres.count, low: 0, high: 1)
        rng.fillUniform(&points, count: points.count, low: 0, high: 3)
        let estimator = ParzenEstimator(samples: centres, dimension: d)
        let grid = ParzenEstimator.sigmaGrid
        let together = estimator.logLikelihoods(points, sigmas: grid)
        for (index, sigma) in grid.enumerated() {
            let alone = estimator.logLikelihoods(points, sigma: sigma)
            #expect(together[index] == alone && alone.allSatisfy(\.isFinite), "sigma \(sigma)")
            // The direct formula, every term summed (none skipped), to 1e-9.
            let direct = (0..<40).map { p in
                ParzenTests.direct((0..<d).map { Double(points[p * d + $0]) },
                                   (0..<300).map { c in (0..<d).map { Double(centres[c * d + $0]) } }, sigma: sigma)
            }
            #expect(zip(alone, direct).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) }, "sigma \(sigma)")
        }
    }
}
