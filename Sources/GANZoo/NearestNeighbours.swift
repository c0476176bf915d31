import GANTensor

/// For each query row, the index of the closest reference row (Euclidean), through BLAS:
/// ||q - r||^2 = ||q||^2 + ||r||^2 - 2 q.r, in batches of 256 queries.
public func nearestRows(queries: [Float], references: [Float], dimension: Int) -> [Int] {
    precondition(dimension > 0 && queries.count % dimension == 0 && references.count % dimension == 0 && !references.isEmpty)
    let queryCount = queries.count / dimension, referenceCount = references.count / dimension
    let referenceNorms = (0..<referenceCount).map { r in
        (0..<dimension).reduce(Float(0)) { $0 + references[r * dimension + $1] * references[r * dimension + $1] }
    }
    let batch = 256
    let products = Tensor(shape: [batch, referenceCount])
    var result = [Int](repeating: 0, count: queryCount)
    queries.withUnsafeBufferPointer { q in
        references.withUnsafeBufferPointer { r in
            var start = 0
            while start < queryCount {
                let rows = min(batch, queryCount - start)
                sgemm(.none, .transposed, m: rows, n: referenceCount, k: dimension, alpha: -2,
                      a: q.baseAddress! + start * dimension, b: r.baseAddress!, beta: 0, c: products.pointer)
                for row in 0..<rows {
                    let distances = products.pointer + row * referenceCount
                    var best = 0
                    var bestDistance = Float.infinity
                    for j in 0..<referenceCount where distances[j] + referenceNorms[j] < bestDistance {
                        bestDistance = distances[j] + referenceNorms[j]  // ||q||^2 is the same for every j
                        best = j
                    }
                    result[start + row] = best
                }
                start += rows
            }
        }
    }
    return result
}
