import Foundation
import GANCore

/// How noise moves from one vector to another in a latent interpolation grid.
public enum LatentPath: String, Sendable, CaseIterable, Codable {
    /// Along the straight line: (1 - t) a + t b.
    case linear
    /// Along the great circle between the two directions (slerp), the norm moving linearly
    /// between the two norms: a normal prior's vectors lie near a sphere, and the straight line
    /// between two of them passes through vectors shorter than the prior ever draws.
    case spherical

    /// Linear for a uniform prior (its cube is convex, so every point of the line is a vector the
    /// prior can draw), spherical for a normal prior.
    public static func `default`(for noise: NoisePrior) -> LatentPath {
        noise.kind == .normal ? .spherical : .linear
    }

    /// `steps` (at least 2) vectors from `a` to `b`, row-major; the first is `a` and the last is `b`, exactly.
    public func interpolate(from a: ArraySlice<Float>, to b: ArraySlice<Float>, steps: Int) -> [Float] {
        precondition(a.count == b.count && steps >= 2, "interpolate two vectors of one size over at least 2 steps")
        let a = a.map(Double.init), b = b.map(Double.init)
        let normA = a.reduce(0) { $0 + $1 * $1 }.squareRoot(), normB = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let cosine = normA > 0 && normB > 0 ? zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } / (normA * normB) : 1
        let angle = acos(Swift.min(1, Swift.max(-1, cosine)))
        var result: [Float] = []
        result.reserveCapacity(steps * a.count)
        for step in 0..<steps {
            let t = Double(step) / Double(steps - 1)
            if step == 0 || step == steps - 1 {
                result += (step == 0 ? a : b).map { Float($0) }
            } else if self == .linear || sin(angle) < 1e-6 {
                result += zip(a, b).map { Float((1 - t) * $0 + t * $1) }
            } else {
                // Unit directions slerped, then scaled to the interpolated norm.
                let wa = sin((1 - t) * angle) / sin(angle), wb = sin(t * angle) / sin(angle)
                let norm = (1 - t) * normA + t * normB
                result += zip(a, b).map { Float(norm * (wa * $0 / normA + wb * $1 / normB)) }
            }
        }
        return result
    }
}

extension GANModel {
    /// A latent interpolation grid: row r holds `steps` samples whose noise moves along `path`
    /// from noise vector `pairs[r].0` to `pairs[r].1`, where noise vector i is the one sample i
    /// of `samples(count:seed:)` comes from (for any count above i). The shape is
    /// [rows * steps] + the sample shape; each row's ends are those two samples. A conditional
    /// model keeps each row at the class of its first sample.
    public func interpolation(pairs: [(Int, Int)], steps: Int, seed: UInt64, path: LatentPath) -> Samples {
        let vectors = (pairs.flatMap { [$0.0, $0.1] }.max() ?? 0) + 1
        let drawn = noise(count: vectors, seed: seed)
        let latent = problem.latentSize
        func vector(_ index: Int) -> ArraySlice<Float> { drawn[(index * latent)..<((index + 1) * latent)] }
        let noise = pairs.flatMap { path.interpolate(from: vector($0.0), to: vector($0.1), steps: steps) }
        let count = pairs.count * steps
        let drawnLabels = labels(count: vectors, seed: seed)
        let rowLabels = drawnLabels.isEmpty ? [] : pairs.flatMap { Array(repeating: drawnLabels[$0.0], count: steps) }
        return Samples(shape: [count] + problem.sampleShape,
                       values: generate(noise: noise, count: count, labels: rowLabels.isEmpty ? nil : rowLabels),
                       noise: noise, labels: rowLabels)
    }
}
