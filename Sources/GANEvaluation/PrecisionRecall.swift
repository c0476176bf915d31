/// Improved precision and recall (Kynkäänniemi et al. 2019): each set's manifold is the union of
/// balls around its points, each ball reaching the point's k-th nearest neighbour in its own set.
///
/// - precision: the share of generated points inside the real manifold (quality);
/// - recall: the share of real points inside the generated manifold (diversity).
public enum PrecisionRecall {
    public struct Result: Codable, Sendable, Equatable {
        public var precision: Double
        public var recall: Double
        public var k: Int
        /// Rows of each set used.
        public var count: Int
    }

    /// Squared distance from each row to its k-th nearest other row of the same set (k < count).
    public static func kthNeighbourSquaredRadii(_ points: [Float], dimension: Int, k: Int) -> [Float] {
        let count = points.count / dimension
        precondition(k >= 1 && k < count, "k must be in 1..<\(count)")
        var radii = [Float](repeating: 0, count: count)
        var nearest = [Float](repeating: .infinity, count: k)  // ascending
        forEachSquaredDistanceRow(queries: points, references: points, dimension: dimension) { query, distances in
            for i in 0..<k { nearest[i] = .infinity }
            for j in 0..<count where j != query && distances[j] < nearest[k - 1] {
                var slot = k - 1
                while slot > 0, nearest[slot - 1] > distances[j] {
                    nearest[slot] = nearest[slot - 1]
                    slot -= 1
                }
                nearest[slot] = distances[j]
            }
            radii[query] = nearest[k - 1]
        }
        return radii
    }

    /// The share of `queries` within the squared radius of at least one of `centres`.
    public static func coverage(queries: [Float], centres: [Float], squaredRadii: [Float], dimension: Int) -> Double {
        var inside = 0
        forEachSquaredDistanceRow(queries: queries, references: centres, dimension: dimension) { _, distances in
            for j in 0..<squaredRadii.count where distances[j] <= squaredRadii[j] {
                inside += 1
                break
            }
        }
        return Double(inside) / Double(queries.count / dimension)
    }

    /// Precision and recall of `generated` against `real` ([n, dimension] each, the first
    /// `count` rows of each; count defaults to the smaller set).
    public static func measure(real: [Float], generated: [Float], dimension: Int, k: Int = 3, count: Int? = nil) -> Result {
        let n = min(count ?? .max, real.count / dimension, generated.count / dimension)
        let real = Array(real.prefix(n * dimension)), generated = Array(generated.prefix(n * dimension))
        let realRadii = kthNeighbourSquaredRadii(real, dimension: dimension, k: k)
        let generatedRadii = kthNeighbourSquaredRadii(generated, dimension: dimension, k: k)
        return Result(precision: coverage(queries: generated, centres: real, squaredRadii: realRadii, dimension: dimension),
                      recall: coverage(queries: real, centres: generated, squaredRadii: generatedRadii, dimension: dimension),
                      k: k, count: n)
    }
}
