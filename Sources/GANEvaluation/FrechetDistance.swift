import Foundation

/// The Fréchet distance between two sets of feature vectors, each summarised by a Gaussian
/// (mean and covariance), as FID computes it from a classifier's penultimate features:
///
///     d^2 = ||mu1 - mu2||^2 + Tr(C1) + Tr(C2) - 2 Tr((C1^(1/2) C2 C1^(1/2))^(1/2))
///
/// The matrix square roots come from symmetric eigendecompositions (cyclic Jacobi, in Double),
/// with negative round-off eigenvalues clipped to zero.
public enum FrechetDistance {
    /// Mean and (population) covariance of `rows` ([count, dimension]).
    public static func statistics(_ rows: [Float], dimension: Int) -> (mean: [Double], covariance: [Double]) {
        let count = rows.count / dimension
        precondition(count >= 2, "need at least two vectors")
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

    public static func distance(_ a: [Float], _ b: [Float], dimension: Int) -> Double {
        let (mean1, covariance1) = statistics(a, dimension: dimension)
        let (mean2, covariance2) = statistics(b, dimension: dimension)
        return distance(mean1: mean1, covariance1: covariance1, mean2: mean2, covariance2: covariance2)
    }

    public static func distance(mean1: [Double], covariance1: [Double], mean2: [Double], covariance2: [Double]) -> Double {
        let n = mean1.count
        let meanTerm = zip(mean1, mean2).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let root1 = squareRoot(covariance1, n)
        let inner = multiply(multiply(root1, covariance2, n), root1, n)
        let traceRoot = eigenvalues(inner, n).reduce(0) { $0 + max($1, 0).squareRoot() }
        let trace1 = (0..<n).reduce(0) { $0 + covariance1[$1 * n + $1] }
        let trace2 = (0..<n).reduce(0) { $0 + covariance2[$1 * n + $1] }
        return max(meanTerm + trace1 + trace2 - 2 * traceRoot, 0)
    }

    static func multiply(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for k in 0..<n where a[i * n + k] != 0 { for j in 0..<n { c[i * n + j] += a[i * n + k] * b[k * n + j] } } }
        return c
    }

    /// The symmetric positive semi-definite square root V diag(sqrt(max(l, 0))) V^T.
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

    static func eigenvalues(_ matrix: [Double], _ n: Int) -> [Double] { eigen(matrix, n).values }

    /// Cyclic Jacobi rotations until the off-diagonal mass is negligible; columns of `vectors`
    /// are the eigenvectors.
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
                    for k in 0..<n {  // A <- A J (columns p, q)
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {  // A <- J^T A (rows p, q)
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
