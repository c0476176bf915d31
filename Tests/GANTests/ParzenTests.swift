import Foundation
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
