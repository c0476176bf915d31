import GANTensor

/// ||row||^2 for each row of a [count, dimension] matrix.
func rowSquaredNorms(_ rows: [Float], dimension: Int) -> [Float] {
    (0..<(rows.count / dimension)).map { r in
        (0..<dimension).reduce(Float(0)) { $0 + rows[r * dimension + $1] * rows[r * dimension + $1] }
    }
}

/// Walks `queries` ([n, dimension]) in batches and hands `body` each batch's -2 q.r against
/// every reference row: a [rows, referenceCount] matrix from one sgemm. Adding ||q||^2 + ||r||^2
/// gives squared Euclidean distances (the nearest-neighbour search needs only ||r||^2).
func forEachDistanceBatch(queries: [Float], references: [Float], dimension: Int, batchSize: Int,
                          _ body: (_ start: Int, _ rows: Int, _ products: UnsafeMutablePointer<Float>) -> Void) {
    let queryCount = queries.count / dimension, referenceCount = references.count / dimension
    let products = Tensor(shape: [batchSize, referenceCount])
    queries.withUnsafeBufferPointer { q in
        references.withUnsafeBufferPointer { r in
            var start = 0
            while start < queryCount {
                let rows = min(batchSize, queryCount - start)
                sgemm(.none, .transposed, m: rows, n: referenceCount, k: dimension, alpha: -2,
                      a: q.baseAddress! + start * dimension, b: r.baseAddress!, beta: 0, c: products.pointer)
                body(start, rows, products.pointer)
                start += rows
            }
        }
    }
}

/// Like `forEachDistanceBatch`, but `body` sees each query's squared Euclidean distances to
/// every reference row (clipped at 0 against round-off): `body(query, distances)`.
func forEachSquaredDistanceRow(queries: [Float], references: [Float], dimension: Int,
                               _ body: (_ query: Int, _ distances: UnsafeMutablePointer<Float>) -> Void) {
    let queryNorms = rowSquaredNorms(queries, dimension: dimension)
    let referenceNorms = rowSquaredNorms(references, dimension: dimension)
    let referenceCount = referenceNorms.count
    forEachDistanceBatch(queries: queries, references: references, dimension: dimension, batchSize: 256) { start, rows, products in
        for row in 0..<rows {
            let distances = products + row * referenceCount, norm = queryNorms[start + row]
            for j in 0..<referenceCount { distances[j] = max(distances[j] + norm + referenceNorms[j], 0) }
            body(start + row, distances)
        }
    }
}
