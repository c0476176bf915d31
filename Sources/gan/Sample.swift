import ArgumentParser
import Foundation
import GANCore
import GANData
import GANImages
import GANTensor
import GANZoo

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw samples from a weights file; the file alone rebuilds the generator.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case png, npy, idx }

    @Option(help: "The weights file (.h5) written by `gan train`.")
    var weights: String?

    @Option(help: "A zoo model by name (see `gan zoo list`), instead of --weights.")
    var model: String?

    @Option(help: "How many samples.")
    var count = 64

    @Option(help: "Output file.")
    var out = "samples.png"

    @Option(help: "png: a grid image; npy: float32 [count, height, width] in [0, 1]; idx: uint8 MNIST-style images. (default: from --out's ending: .npy, .idx or -ubyte, else png)")
    var format: Format?

    /// --format, else what --out's ending names.
    var resolvedFormat: Format {
        if let format { return format }
        if out.hasSuffix(".npy") { return .npy }
        return out.hasSuffix(".idx") || out.hasSuffix("ubyte") ? .idx : .png
    }

    @Option(help: "Seed of the noise.")
    var seed: UInt64 = 0

    @Option(help: "Columns of the PNG grid (default: a square).")
    var columns: Int?

    @Option(name: .customLong("save-noise"), help: "Also write the noise vectors as float32 .npy [count, latent].")
    var saveNoise: String?

    @Option(help: "BLAS threads (0 = all cores); samples do not depend on it.")
    var threads = 0

    @Flag(help: "PNG only: put beside each sample its nearest training image (as the paper's Figure 2 does), to show the model does not just memorise.")
    var nearest = false

    func validate() throws {
        guard (weights == nil) != (model == nil) else { throw ValidationError("pass either --weights FILE or --model NAME") }
        if nearest && resolvedFormat != .png { throw ValidationError("--nearest draws a PNG grid; use it with --format png") }
        guard count >= 1 else { throw ValidationError("--count must be at least 1, got \(count)") }
        if let columns, columns < 1 { throw ValidationError("--columns must be at least 1") }
        try checkRange(count, 1...Limits.maximumSamples, flag: "--count")
        if let columns { try checkRange(columns, 1...count, flag: "--columns") }
        try checkRange(threads, 0...Limits.maximumThreads, flag: "--threads")
        try checkNotSame(saveNoise, flag: "--save-noise", as: out, named: "--out file")
    }

    func run() throws {
        let weights = try self.weights ?? Zoo.model(named: self.model!).resolvedWeights()
        try checkNotSame(out, flag: "--out", as: weights, named: "weights file")
        try checkNotSame(saveNoise, flag: "--save-noise", as: weights, named: "weights file")
        try checkWritable(out, flag: "--out")
        if let saveNoise { try checkWritable(saveNoise, flag: "--save-noise") }
        let contents = try ModelFile.load(weights)
        let model = contents.model
        BLASThreads.set(threads)
        let (samples, noise) = model.sample(count: count, seed: seed)
        let shape = model.problem.sampleShape
        switch resolvedFormat {
        case .png:
            if nearest {
                let training = try TrainingSession.loadData(contents.configuration)
                try writeAtomically(SampleGrid.nearestPNG(model, samples: samples, training: training, columns: columns), to: out)
            } else {
                try writeAtomically(SampleGrid.png(model, samples: samples, columns: columns), to: out)
            }
        case .npy:
            try writeAtomically(NPY.encode(samples, shape: [count] + shape), to: out)
        case .idx:
            let bytes = samples.map { UInt8((min(1, max(0, $0)) * 255).rounded()) }
            try writeAtomically(IDXArray(shape: [count] + shape, bytes: bytes).encoded, to: out)
        }
        if let saveNoise {
            try writeAtomically(NPY.encode(noise, shape: [count, model.problem.latentSize]), to: saveNoise)
        }
        print("wrote \(count) samples to \(out)")
    }
}
