/// The sizes a recipe, a flag or a file may ask for. Every size is checked against these before
/// anything is converted or allocated, so that a hostile or mistyped number is an error that
/// names it instead of a crash or an allocation of gigabytes. They are generous: the paper's
/// largest model (1200 x 1200 generator, 240 x 5 maxout) is far inside them.
public enum Limits {
    /// The latent size, each hidden layer's width, each maxout layer's units: 16,384.
    public static let maximumWidth = 1 << 14
    /// Hidden layers in one network.
    public static let maximumLayers = 64
    /// Maxout pieces per unit.
    public static let maximumPieces = 64
    /// Parameters (kernel values) in one layer: 2^26, 256 MiB of float32.
    public static let maximumLayerParameters = 1 << 26
    /// Parameters (kernels and biases) in one network: 2^25, 128 MiB of float32 (512 MiB with
    /// its gradient and Adam's two moments, so 1 GiB for a generator and discriminator in
    /// training). The paper's MNIST model holds 2.5M (generator) and 1.2M (discriminator).
    /// Without it, 64 layers each within the per-layer limit could ask for 16 GiB.
    public static let maximumNetworkParameters = 1 << 25
    /// Dimensions of one sample, and the values in it (256 x 256).
    public static let maximumSampleRank = 4
    public static let maximumSampleSize = 1 << 16
    /// A training seed: recipes are JSON, whose numbers hold integers exactly up to 2^53, so a
    /// larger seed would be rounded silently on its way into the recipe.
    public static let maximumSeed: UInt64 = 1 << 53
    /// Epochs of one run (and any epoch counter in a checkpoint).
    public static let maximumEpochs = 1_000_000
    /// Steps of one run (a checkpoint's step counter): 2^40.
    public static let maximumSteps = 1 << 40
    /// Images per minibatch.
    public static let maximumBatchSize = 1 << 16
    /// Bytes of the buffers one batch takes in both networks (activations, their gradients,
    /// convolution patch matrices, masks): 4 GiB. A batch size or image size that passes every
    /// other limit can still ask for tens of GB there (the DCGAN takes about 1.5 MB per 28 x 28
    /// row); training refuses such a batch and sampling draws smaller chunks.
    public static let maximumBatchBufferBytes = 1 << 32
    /// Bytes of the samples a command holds at once (`gan sample --count`, `gan evaluate --count`):
    /// 512 MiB. The commands copy them a few times on the way out (noise, grid, file encoding;
    /// about 8x at the peak), and 28 x 28 samples reach the 100,000-sample limit first.
    public static let maximumSampleBytes = 1 << 29

    /// The most samples of `sampleSize` values a command may hold at once (`maximumSampleBytes`).
    public static func largestSampleCount(of sampleSize: Int) -> Int {
        maximumSampleBytes / (MemoryLayout<Float>.size * max(1, sampleSize))
    }
    /// Discriminator steps per generator step.
    public static let maximumK = 1_000
    /// Threads of a matrix product.
    public static let maximumThreads = 1_024
    /// Samples drawn at once by `gan sample` (`--count`, and so `--columns`): 100,000, the same
    /// as `gan evaluate --count`. 2^20 needed 3.3 GB (samples, grid and noise at once); 100,000
    /// need about 330 MB.
    public static let maximumSamples = 100_000
    /// Classes of a conditional problem (labels are bytes).
    public static let maximumClasses = 256
    /// |scale| of the noise prior.
    public static let maximumNoiseScale: Float = 1e6

    /// The product of `sizes`, or nil when it overflows or passes `limit`.
    public static func product(_ sizes: [Int], limit: Int) -> Int? {
        var total = 1
        for size in sizes {
            let (next, overflow) = total.multipliedReportingOverflow(by: size)
            guard size >= 0, !overflow, next <= limit else { return nil }
            total = next
        }
        return total
    }
}

extension Problem {
    /// Refuses shapes and sizes no network here can be built for (see `Limits`); the message
    /// names the field.
    public func validate() throws(ConfigurationError) {
        func require(_ condition: Bool, _ reason: String) throws(ConfigurationError) {
            if !condition { throw .invalid(plugin: "problem", reason: reason) }
        }
        try require((1...Limits.maximumWidth).contains(latentSize),
                    "latentSize must lie in 1...\(Limits.maximumWidth), got \(latentSize)")
        try require((1...Limits.maximumSampleRank).contains(sampleShape.count) && sampleShape.allSatisfy { $0 >= 1 }
                    && Limits.product(sampleShape, limit: Limits.maximumSampleSize) != nil,
                    "sampleShape must have 1 to \(Limits.maximumSampleRank) positive dimensions and at most "
                    + "\(Limits.maximumSampleSize) values, got \(sampleShape.count > 8 ? "\(sampleShape.count) dimensions" : "\(sampleShape)")")
        try require(noise.scale > 0 && noise.scale <= Limits.maximumNoiseScale,
                    "noise scale must lie in (0, \(Limits.maximumNoiseScale)], got \(noise.scale)")
        if let classes {
            try require((1...Limits.maximumClasses).contains(classes.names.count),
                        "classes must name 1...\(Limits.maximumClasses) classes, got \(classes.names.count)")
            try require(classes.shares.count == classes.names.count,
                        "classes: \(classes.names.count) names but \(classes.shares.count) shares")
            try require(classes.names.allSatisfy { !$0.isEmpty && $0.count <= 64 }, "class names must have 1...64 characters")
            let total = classes.shares.reduce(0, +)
            try require(classes.shares.allSatisfy { $0.isFinite && $0 >= 0 } && abs(total - 1) < 1e-3,
                        "class shares must be non-negative and sum to 1, got a sum of \(total)")
        }
    }
}
