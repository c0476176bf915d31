import GANData
import GANEvaluation
import GANImages

/// PNG grids of a model's samples, shared by `gan train`, `gan sample` and the zoo's cards.
public enum SampleGrid {
    /// `samples` [count, sampleSize] as a grid (`columns` default: a square).
    public static func png(_ model: GANModel, samples: [Float], columns: Int? = nil) -> [UInt8] {
        png(sampleShape: model.problem.sampleShape, samples: samples, columns: columns)
    }

    /// Samples of `sampleShape` (e.g. [28, 28]; the last two sides make a tile) as a grid.
    public static func png(sampleShape shape: [Int], samples: [Float], columns: Int? = nil) -> [UInt8] {
        let size = shape.reduce(1, *)
        return samples.withUnsafeBufferPointer {
            ImageGrid(images: $0.baseAddress!, count: samples.count / size,
                      imageHeight: shape.count >= 2 ? shape[shape.count - 2] : 1,
                      imageWidth: shape.last ?? size, columns: columns).png
        }
    }

    /// Each sample followed by its nearest training image (as the paper's Figure 2 shows), so
    /// a grid of `columns` pairs per row tells generating from memorising.
    public static func nearestPNG(_ model: GANModel, samples: [Float], training: Dataset, columns: Int? = nil) -> [UInt8] {
        let size = model.problem.sampleSize, count = samples.count / size
        let matches = nearestRows(queries: samples, references: training.images, dimension: size)
        var tiles: [Float] = []
        tiles.reserveCapacity(2 * samples.count)
        for (index, match) in matches.enumerated() {
            tiles += samples[(index * size)..<((index + 1) * size)]
            tiles += training.images[(match * size)..<((match + 1) * size)]
        }
        let pairs = columns ?? Int(Double(count).squareRoot().rounded(.up))
        return png(model, samples: tiles, columns: 2 * pairs)
    }
}
