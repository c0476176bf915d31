import GANEvaluation
import GANTensor
import Testing

@Suite("KID, precision/recall and nearest-neighbour distances")
struct FeatureScoreTests {
    static func randomRows(_ count: Int, _ dimension: Int, seed: UInt64, shift: Float = 0) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        var rows = [Float](repeating: 0, count: count * dimension)
        rng.fillUniform(&rows, count: rows.count, low: -1 + shift, high: 1 + shift)
        return rows
    }

    /// d = 1, x = {1, -1}, y = {2, 0}: k(x, y) = (xy + 1)^3.
    /// Kxx off-diagonal: k(1, -1) = 0; Kyy: k(2, 0) = 1; Kxy: 27 + 1 - 1 + 1 = 28.
    /// MMD^2 = 0 / 2 + 2 / 2 - 2 * 28 / 4 = -13.
    @Test func kidByHand() {
        #expect(KernelInceptionDistance.mmd([1, -1], [2, 0], dimension: 1) == -13)
        // d = 2 divides the dot product: x = {(1, 1), (0, 0)}, y = {(2, 0), (0, 2)}.
        // Kxx: k((1,1),(0,0)) = 1, twice -> 2 / 2 = 1. Kyy: k((2,0),(0,2)) = 1 -> 1.
        // Kxy: (1,1).(2,0)/2 = 1 -> 8; (1,1).(0,2)/2 = 1 -> 8; (0,0) with either -> 1, 1: sum 18.
        // MMD^2 = 1 + 1 - 2 * 18 / 4 = -7.
        #expect(KernelInceptionDistance.mmd([1, 1, 0, 0], [2, 0, 0, 2], dimension: 2) == -7)
    }

    @Test func kidSeparatesTheSameDistributionFromAShiftedOne() {
        let real = Self.randomRows(400, 8, seed: 1), same = Self.randomRows(400, 8, seed: 2)
        let shifted = Self.randomRows(400, 8, seed: 3, shift: 0.5)
        let near = KernelInceptionDistance.estimate(real: real, generated: same, dimension: 8, subsets: 5, subsetSize: 200)
        let far = KernelInceptionDistance.estimate(real: real, generated: shifted, dimension: 8, subsets: 5, subsetSize: 200)
        #expect(near.subsetSize == 200 && near.subsets == 5)
        #expect(abs(near.mean) < 0.01, "same distribution: \(near.mean)")
        #expect(far.mean > 0.1 && far.mean > 10 * abs(near.mean), "shifted: \(far.mean)")
        // One subset holding every row of two identical sets: Kxx = Kyy = Kxy = K, and the
        // estimate is 2 (mean off-diagonal K - mean K) = 2 (mean off-diagonal K - mean diagonal K) / m,
        // which is at most 0 (k(x, y) <= sqrt(k(x, x) k(y, y)) for a positive-definite kernel).
        let small = Array(real.prefix(50 * 8))
        let twin = KernelInceptionDistance.estimate(real: small, generated: small, dimension: 8, subsets: 3, subsetSize: 50)
        var diagonal = 0.0, offDiagonal = 0.0
        for i in 0..<50 {
            for j in 0..<50 {
                let dot = (0..<8).reduce(0.0) { $0 + Double(small[i * 8 + $1]) * Double(small[j * 8 + $1]) }
                let k = (dot / 8 + 1) * (dot / 8 + 1) * (dot / 8 + 1)
                if i == j { diagonal += k } else { offDiagonal += k }
            }
        }
        let expected = 2 * (offDiagonal / (50 * 49) - diagonal / 50) / 50
        #expect(twin.standardDeviation < 1e-6, "every subset is the whole set: the estimate does not vary")
        #expect(abs(twin.mean - expected) < 1e-4 * abs(expected) && expected < 0, "\(twin.mean) vs \(expected)")
    }

    /// Real points 0, 1, 2, 3 on a line have 3rd-neighbour radii 3, 2, 2, 3 (balls [-3, 3],
    /// [-1, 3], [0, 4], [0, 6]); generated -2.5, 1.5 and 5 fall inside, 10 does not: precision
    /// 3/4. The generated radii are 12.5, 8.5, 7.5, 12.5, and 1.5's ball covers all real
    /// points: recall 1.
    @Test func precisionAndRecallByHand() {
        let result = PrecisionRecall.measure(real: [0, 1, 2, 3], generated: [10, 1.5, 5, -2.5], dimension: 1, k: 3)
        #expect(result.precision == 0.75 && result.recall == 1 && result.k == 3 && result.count == 4)
        let radii = PrecisionRecall.kthNeighbourSquaredRadii([0, 1, 2, 3], dimension: 1, k: 3)
        #expect(radii == [9, 4, 4, 9])
    }

    @Test func precisionAndRecallOfIdenticalAndDisjointSets() {
        let points = Self.randomRows(200, 4, seed: 5)
        let identical = PrecisionRecall.measure(real: points, generated: points, dimension: 4)
        #expect(identical.precision == 1 && identical.recall == 1)
        let far = Self.randomRows(200, 4, seed: 6, shift: 10)
        let disjoint = PrecisionRecall.measure(real: points, generated: far, dimension: 4)
        #expect(disjoint.precision == 0 && disjoint.recall == 0)
        // A collapsed generator: every sample one real point. Precise, but it covers almost nothing.
        let collapsed = [Float]((0..<200).flatMap { _ in points.prefix(4) })
        let mode = PrecisionRecall.measure(real: points, generated: collapsed, dimension: 4)
        #expect(mode.precision == 1 && mode.recall < 0.05, "recall \(mode.recall)")
    }

    @Test func nearestDistancesAndTheirSummary() {
        let references: [Float] = [0, 0, 3, 4, 10, 0]
        let distances = nearestDistances(queries: [3, 4, 0, 1, 10, 2, 6, 8], references: references, dimension: 2)
        #expect(distances.map { ($0 * 1000).rounded() / 1000 } == [0, 1, 2, 5])
        let summary = meanAndMedian([0, 1, 2, 5])
        #expect(summary.mean == 2 && summary.median == 1.5)
        #expect(meanAndMedian([3, 1, 2]).median == 2)
    }
}
