/// For each query row, the index of the closest reference row (Euclidean), through BLAS in
/// batches of 256 queries.
public func nearestRows(queries: [Float], references: [Float], dimension: Int) -> [Int] {
    precondition(dimension > 0 && queries.count % dimension == 0 && references.count % dimension == 0 && !references.isEmpty)
    let referenceCount = references.count / dimension
    let referenceNorms = rowSquaredNorms(references, dimension: dimension)
    var result = [Int](repeating: 0, count: queries.count / dimension)
    forEachDistanceBatch(queries: queries, references: references, dimension: dimension, batchSize: 256) { start, rows, products in
        for row in 0..<rows {
            let distances = products + row * referenceCount
            var best = 0, bestDistance = Float.infinity
            // ||q||^2 is the same for every reference, so it is left out of the comparison.
            for j in 0..<referenceCount where distances[j] + referenceNorms[j] < bestDistance {
                bestDistance = distances[j] + referenceNorms[j]
                best = j
            }
            result[start + row] = best
        }
    }
    return result
}

/// For each query row, the Euclidean distance to the closest reference row.
public func nearestDistances(queries: [Float], references: [Float], dimension: Int) -> [Float] {
    precondition(dimension > 0 && queries.count % dimension == 0 && references.count % dimension == 0 && !references.isEmpty)
    var result = [Float](repeating: 0, count: queries.count / dimension)
    let referenceCount = references.count / dimension
    forEachSquaredDistanceRow(queries: queries, references: references, dimension: dimension) { query, distances in
        var best = Float.infinity
        for j in 0..<referenceCount { best = min(best, distances[j]) }
        result[query] = best.squareRoot()
    }
    return result
}

/// Mean and median of a non-empty list of distances.
public func meanAndMedian(_ values: [Float]) -> (mean: Double, median: Double) {
    precondition(!values.isEmpty)
    let sorted = values.sorted()
    let middle = sorted.count / 2
    let median = sorted.count % 2 == 1 ? Double(sorted[middle]) : (Double(sorted[middle - 1]) + Double(sorted[middle])) / 2
    return (values.reduce(0) { $0 + Double($1) } / Double(values.count), median)
}
