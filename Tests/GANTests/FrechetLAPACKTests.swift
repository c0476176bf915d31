import Foundation
import GANEvaluation
import GANTensor
import Testing

/// The Fréchet distance's former hand-written numerics (cyclic Jacobi eigendecomposition and
/// naive products, in Double), kept here as the reference the LAPACK/BLAS version must match.
enum JacobiFrechet {
    static func statistics(_ rows: [Float], dimension: Int) -> (mean: [Double], covariance: [Double]) {
        let count = rows.count / dimension
        var mean = [Double](repeating: 0, count: dimension)
        for r in 0..<count { for i in 0..<dimension { mean[i] += Double(rows[r * dimension + i]) } }
        for i in 0..<dimension { mean[i] /= Double(count) }
        var covariance = [Double](repeating: 0, count: dimension * dimension)
        var centred = [Double](repeating: 0, count: dimension)
        for r in 0..<count {
            for i in 0..<dimension { centred[i] = Double(rows[r * dimension + i]) - mean[i] }
            for i in 0..<dimension { for j in i..<dimension { covariance[i * dimension + j] += centred[i] * centred[j] } }
        }
        for i in 0..<dimension {
            for j in i..<dimension {
                covariance[i * dimension + j] /= Double(count)
                covariance[j * dimension + i] = covariance[i * dimension + j]
            }
        }
        return (mean, covariance)
    }

    static func distance(mean1: [Double], covariance1: [Double], mean2: [Double], covariance2: [Double]) -> Double {
        let n = mean1.count
        let meanTerm = zip(mean1, mean2).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let root1 = squareRoot(covariance1, n)
        let inner = multiply(multiply(root1, covariance2, n), root1, n)
        let traceRoot = eigen(inner, n).values.reduce(0) { $0 + max($1, 0).squareRoot() }
        let trace1 = (0..<n).reduce(0) { $0 + covariance1[$1 * n + $1] }
        let trace2 = (0..<n).reduce(0) { $0 + covariance2[$1 * n + $1] }
        return max(meanTerm + trace1 + trace2 - 2 * traceRoot, 0)
    }

    static func multiply(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for k in 0..<n where a[i * n + k] != 0 { for j in 0..<n { c[i * n + j] += a[i * n + k] * b[k * n + j] } } }
        return c
    }

    static func squareRoot(_ matrix: [Double], _ n: Int) -> [Double] {
        let (values, vectors) = eigen(matrix, n)
        var result = [Double](repeating: 0, count: n * n)
        for k in 0..<n {
            let root = max(values[k], 0).squareRoot()
            guard root > 0 else { continue }
            for i in 0..<n { for j in 0..<n { result[i * n + j] += vectors[i * n + k] * root * vectors[j * n + k] } }
        }
        return result
    }

    static func eigen(_ matrix: [Double], _ n: Int) -> (values: [Double], vectors: [Double]) {
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        let scale = max(a.reduce(0) { $0 + $1 * $1 }, 1e-300)
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<n { off += a[p * n + q] * a[p * n + q] } }
            if off <= 1e-24 * scale { break }
            for p in 0..<n {
                for q in (p + 1)..<n where a[p * n + q] != 0 {
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0 * n + $0] }, v)
    }
}

@Suite("Fréchet distance through LAPACK and BLAS")
struct FrechetLAPACKTests {
    /// A random symmetric positive definite matrix B B^T / n + 0.01 I.
    static func randomSPD(_ n: Int, seed: UInt64) -> [Double] {
        var rng = RandomGenerator(seed: seed)
        var b = [Float](repeating: 0, count: n * n)
        rng.fillNormal(&b, count: b.count, mean: 0, std: 1)
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for k in 0..<n { c[i * n + j] += Double(b[i * n + k]) * Double(b[j * n + k]) } } }
        for i in 0..<n * n { c[i] /= Double(n) }
        for i in 0..<n { c[i * n + i] += 0.01 }
        return c
    }

    @Test(arguments: [1, 2, 17, 64])
    func matchesTheJacobiReferenceOnRandomSPDMatrices(n: Int) {
        let c1 = Self.randomSPD(n, seed: 10 + UInt64(n)), c2 = Self.randomSPD(n, seed: 20 + UInt64(n))
        var rng = RandomGenerator(seed: 3)
        var m = [Float](repeating: 0, count: 2 * n)
        rng.fillNormal(&m, count: m.count, mean: 0, std: 1)
        let mean1 = m[0..<n].map(Double.init), mean2 = m[n...].map(Double.init)
        let ours = FrechetDistance.distance(mean1: mean1, covariance1: c1, mean2: mean2, covariance2: c2)
        let reference = JacobiFrechet.distance(mean1: mean1, covariance1: c1, mean2: mean2, covariance2: c2)
        #expect(abs(ours - reference) <= 1e-9 * reference, "n \(n): \(ours) vs \(reference)")
        // Equal covariances: only the mean term is left.
        let same = FrechetDistance.distance(mean1: mean1, covariance1: c1, mean2: mean2, covariance2: c1)
        let meanTerm = zip(mean1, mean2).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        #expect(abs(same - meanTerm) <= 1e-9 * (meanTerm + c1.reduce(0, +)))
    }

    /// Not a timed test: it checks agreement at the evaluation's size (256 features, from
    /// 2,000 vectors per set) and prints both times.
    @Test func matchesTheJacobiReferenceAt256FeaturesFromVectors() {
        let d = 256
        let a = FrechetDistanceTests.gaussianRows(count: 2000, dimension: d, seed: 4)
        let b = FrechetDistanceTests.gaussianRows(count: 2000, dimension: d, seed: 5, scale: 1.3)
        var start = Date()
        let ours = FrechetDistance.distance(a, b, dimension: d)
        let oursSeconds = Date().timeIntervalSince(start)
        start = Date()
        let (m1, c1) = JacobiFrechet.statistics(a, dimension: d), (m2, c2) = JacobiFrechet.statistics(b, dimension: d)
        let reference = JacobiFrechet.distance(mean1: m1, covariance1: c1, mean2: m2, covariance2: c2)
        let referenceSeconds = Date().timeIntervalSince(start)
        let (n1, k1) = FrechetDistance.statistics(a, dimension: d)
        #expect(zip(n1, m1).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
        #expect(zip(k1, c1).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
        #expect(abs(ours - reference) <= 1e-9 * reference, "\(ours) vs \(reference)")
        print("Fréchet distance, 256 features, 2 x 2,000 vectors: LAPACK/BLAS \(Int(oursSeconds * 1000)) ms, "
              + "Jacobi reference \(Int(referenceSeconds * 1000)) ms, relative difference \(abs(ours - reference) / reference)")
    }

    @Test func aNaNCovarianceGivesNaNNotACrash() {
        var c = Self.randomSPD(4, seed: 1)
        c[5] = .nan
        let value = FrechetDistance.distance(mean1: [0, 0, 0, 0], covariance1: c, mean2: [0, 0, 0, 0], covariance2: c)
        #expect(value.isNaN)
    }
}
