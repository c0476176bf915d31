import GANData

/// Warns about the two classic failures, from what training already measures.
///
/// - discriminator collapse: D(x) above 0.99 and D(G(z)) below 0.01 (epoch means) for
///   `patience` epochs in a row: D wins outright and the generator's gradient dries up;
/// - mode collapse: the generated samples' per-pixel standard deviation has fallen to less than
///   half of its best so far in this run, and below a quarter of the data's, for `modePatience`
///   epochs: the generator has narrowed onto (nearly) one image. (A generator starts at the mean
///   image with almost no spread and widens; only a fall from a wider spread counts.)
public struct CollapseMonitor {
    public let dataDiversity: Float
    public let sampleSize: Int
    public var patience = 3
    public var modePatience = 5
    private var dominatedEpochs = 0
    private var narrowEpochs = 0
    private var peakDiversity: Float = 0

    public init(data: Dataset) {
        let rows = min(data.count, 1000)
        sampleSize = data.sampleSize
        dataDiversity = CollapseMonitor.diversity(Array(data.images.prefix(rows * data.sampleSize)), sampleSize: data.sampleSize)
    }

    /// Mean over pixels of the standard deviation across samples.
    public static func diversity(_ samples: [Float], sampleSize: Int) -> Float {
        let count = samples.count / sampleSize
        guard count > 1 else { return 0 }
        var total: Double = 0
        for pixel in 0..<sampleSize {
            var sum = 0.0, squares = 0.0
            for row in 0..<count {
                let value = Double(samples[row * sampleSize + pixel])
                sum += value
                squares += value * value
            }
            let mean = sum / Double(count)
            total += max(squares / Double(count) - mean * mean, 0).squareRoot()
        }
        return Float(total / Double(sampleSize))
    }

    public mutating func check(_ summary: EpochSummary, samples: [Float]) -> [String] {
        var warnings: [String] = []
        dominatedEpochs = summary.realScore > 0.99 && summary.fakeScore < 0.01 ? dominatedEpochs + 1 : 0
        if dominatedEpochs == patience {
            warnings.append("discriminator collapse: D(x) > 0.99 and D(G(z)) < 0.01 for \(patience) epochs; "
                            + "the generator gets little gradient (try the non-saturating loss, a lower discriminator learning rate, or dropout)")
        }
        let diversity = CollapseMonitor.diversity(samples, sampleSize: sampleSize)
        peakDiversity = max(peakDiversity, diversity)
        let narrowed = diversity < dataDiversity / 4 && diversity < peakDiversity / 2
        narrowEpochs = narrowed ? narrowEpochs + 1 : 0
        if narrowEpochs == modePatience {
            warnings.append(String(format: "possible mode collapse: sample diversity %.3f (best %.3f, data %.3f) for %d epochs",
                                   diversity, peakDiversity, dataDiversity, modePatience))
        }
        return warnings
    }
}
