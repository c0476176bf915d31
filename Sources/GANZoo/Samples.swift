import Foundation
import GANImages

/// Generated samples with their shape: what a program that depends on this package gets from
/// a model, without reshaping a flat array itself.
///
///     let model = try Zoo.load("mlp-digit4")
///     let samples = model.samples(count: 16, seed: 0)   // samples.shape == [16, 28, 28]
///     try samples.png().write(to: URL(fileURLWithPath: "digits.png"))
public struct Samples: Sendable, Equatable {
    /// [count] followed by the model's sample shape, e.g. [16, 28, 28].
    public let shape: [Int]
    /// The values in row-major order (`shape`'s product of them), pixels in [0, 1].
    public let values: [Float]
    /// The noise vectors they were generated from, [count, latentSize] row-major.
    public let noise: [Float]
    /// A conditional model's class of each sample; empty for an unconditional model.
    public let labels: [Int]

    public init(shape: [Int], values: [Float], noise: [Float], labels: [Int] = []) {
        precondition(!shape.isEmpty && shape.reduce(1, *) == values.count, "values do not fill the shape \(shape)")
        precondition(shape[0] == 0 ? noise.isEmpty : noise.count % shape[0] == 0, "noise does not hold one vector per sample")
        self.shape = shape
        self.values = values
        self.noise = noise
        self.labels = labels
    }

    public var count: Int { shape[0] }
    /// One sample's shape, e.g. [28, 28].
    public var sampleShape: [Int] { Array(shape.dropFirst()) }
    public var sampleSize: Int { sampleShape.reduce(1, *) }

    /// Sample `index`'s values (row-major, `sampleShape`).
    public subscript(index: Int) -> ArraySlice<Float> {
        values[(index * sampleSize)..<((index + 1) * sampleSize)]
    }

    /// A PNG grid of the samples (`columns` default: a square), 8-bit grey.
    public func png(columns: Int? = nil) -> Data {
        Data(SampleGrid.png(sampleShape: sampleShape, samples: values, columns: columns))
    }

    /// The values as a NumPy .npy file (float32, `shape`).
    public func npy() -> Data {
        Data(NPY.encode(values, shape: shape))
    }
}

extension GANModel {
    /// `count` samples from the seeded noise of `sample(count:seed:)`, with their shape. A
    /// conditional model draws sample i of class `labels[i]` (default: `labels(count:seed:)`).
    public func samples(count: Int, seed: UInt64, labels: [Int]? = nil) -> Samples {
        let labels = labels ?? self.labels(count: count, seed: seed)
        let (values, noise) = sample(count: count, seed: seed, labels: problem.classes == nil ? nil : labels)
        return Samples(shape: [count] + problem.sampleShape, values: values, noise: noise, labels: labels)
    }
}

extension Zoo {
    /// The zoo model `name` (see `gan zoo list`), ready to sample: its shipped weights, else a
    /// local `gan zoo train NAME` result. Unknown names and missing weights throw, naming them.
    public static func load(_ name: String) throws -> GANModel {
        try ModelFile.load(model(named: name).resolvedWeights()).model
    }
}
