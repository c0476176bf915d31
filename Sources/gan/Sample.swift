import ArgumentParser
import Foundation
import GANCore
import GANData
import GANImages
import GANTensor
import GANZoo

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw samples from a weights file; the file alone rebuilds the generator.",
        discussion: """
            The format follows --out's ending: .png (a grid image), .npy (float32 in [0, 1], shape [count, height, width]; \
            with --interpolate [rows, steps, height, width]) or .idx / -ubyte (uint8 MNIST-style images). Another ending \
            is refused, and so is a --format that names another format. Noise vector i is the one sample i of \
            `gan sample --seed S` comes from, whatever --count. --interpolate A,B draws a row of --steps samples whose \
            noise moves from vector A to vector B (repeat it for more rows): a smooth row shows a smooth latent space. \
            A conditional model (gan train --conditional) draws one row per class, or per --label, of --columns samples \
            (default 10; with --count, count / rows each, a multiple of the rows); sample i keeps noise vector i.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case png, npy, idx

        /// The format a path's ending names (.png, .npy, .idx, -ubyte as in train-images-idx3-ubyte); nil for another.
        static func named(by path: String) -> Format? {
            let name = URL(fileURLWithPath: path).lastPathComponent.lowercased()
            if name.hasSuffix(".png") { return .png }
            if name.hasSuffix(".npy") { return .npy }
            return name.hasSuffix(".idx") || name.hasSuffix("-ubyte") ? .idx : nil
        }
    }

    @Option(help: "The weights file (.h5) written by `gan train`.", completion: weightsFiles)
    var weights: String?

    @Option(help: "A zoo model by name (see `gan zoo list`), instead of --weights.", completion: zooModelNames)
    var model: String?

    @Option(help: "How many samples. (default: 64; a conditional model: --columns per class row)")
    var count: Int?

    @Option(help: "A conditional model: draw a row of this class (a class name as `gan inspect` lists them, e.g. 7; repeatable). (default: one row per class)")
    var label: [String] = []

    @Option(help: "Output file; its ending (.png, .npy, .idx or -ubyte) chooses the format. (default: samples.png, or samples.npy / samples.idx with --format)",
            completion: .file(extensions: ["png", "npy", "idx"]))
    var out: String?

    @Option(help: "png: a grid image; npy: float32 in [0, 1]; idx: uint8 MNIST-style images. Must agree with --out's ending. (default: from --out's ending)")
    var format: Format?

    @Option(help: "Seed of the noise. (default: 0, as every command's --seed)")
    var seed: UInt64 = 0

    @Option(help: "Columns of the PNG grid (default: a square; --steps with --interpolate).")
    var columns: Int?

    @Option(name: .customLong("save-noise"), help: "Also write the noise vectors as float32 .npy [count, latent] (a conditional model: [count, latent + classes], each followed by its one-hot class, the generator's input).")
    var saveNoise: String?

    @Option(help: "BLAS threads (0 = all cores); samples do not depend on it.")
    var threads = 0

    @Flag(help: "PNG only: put beside each sample its nearest training image (as the paper's Figure 2 does), to show the model does not just memorise.")
    var nearest = false

    @Option(help: "With --nearest: the training images, a dataset name (mnist, mnist-subset, fashion-mnist) or a folder of MNIST-style IDX files. (default: the data the model was trained on; pass it for files you did not make)")
    var data: String?

    @Option(help: "A row of samples whose noise moves from noise vector A to B (indices as in --count's samples, e.g. 0,1; repeatable, one row each).")
    var interpolate: [Pair] = []

    @Option(help: "Samples per --interpolate row, both ends included.")
    var steps = 10

    @Option(help: "--interpolate's path: linear, or spherical (slerp). (default: linear for a uniform noise prior, spherical for a normal one)")
    var path: LatentPath?

    /// Noise vector indices `A,B`.
    struct Pair: ExpressibleByArgument {
        let from: Int, to: Int
        init?(argument: String) {
            let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 2, let from = Int(parts[0]), let to = Int(parts[1]) else { return nil }
            (self.from, self.to) = (from, to)
        }
    }

    var outPath: String { out ?? "samples." + (format ?? .png).rawValue }

    /// The format --out's ending names, checked against --format.
    func resolvedFormat() throws -> Format {
        guard let named = Format.named(by: outPath) else {
            throw ValidationError("--out \(outPath): unknown ending; gan sample writes .png, .npy, or .idx / -ubyte (IDX) files")
        }
        if let format, format != named {
            throw ValidationError("--format \(format.rawValue) disagrees with --out \(outPath), whose ending names \(named.rawValue)")
        }
        return named
    }

    func validate() throws {
        guard (weights == nil) != (model == nil) else { throw ValidationError("pass either --weights FILE or --model NAME") }
        let format = try resolvedFormat()
        if nearest && format != .png { throw ValidationError("--nearest draws a PNG grid; use it with a .png --out") }
        if nearest && !interpolate.isEmpty { throw ValidationError("--nearest and --interpolate draw different grids; pick one") }
        if data != nil && !nearest { throw ValidationError("--data names the training images for --nearest; use it with --nearest") }
        if let count { try checkRange(count, 1...Limits.maximumSamples, flag: "--count") }
        try checkRange(label.count, 0...Limits.maximumSamples, flag: "--label (rows)")
        if !label.isEmpty && !interpolate.isEmpty { throw ValidationError("--label and --interpolate draw different grids; pick one") }
        try checkRange(steps, 2...1_000, flag: "--steps")
        try checkRange(interpolate.count, 0...1_000, flag: "--interpolate (rows)")
        try checkRange(interpolate.count * steps, 0...Limits.maximumSamples, flag: "--interpolate rows x --steps")
        for pair in interpolate {
            try checkRange(pair.from, 0...(Limits.maximumSamples - 1), flag: "--interpolate")
            try checkRange(pair.to, 0...(Limits.maximumSamples - 1), flag: "--interpolate")
        }
        if let columns { try checkRange(columns, 1...(interpolate.isEmpty ? count ?? Limits.maximumSamples : steps), flag: "--columns") }
        try checkRange(threads, 0...Limits.maximumThreads, flag: "--threads")
        try checkNotSame(saveNoise, flag: "--save-noise", as: outPath, named: "--out file")
    }

    func run() throws {
        let out = outPath, format = try resolvedFormat()
        let weights = try self.weights ?? Zoo.model(named: self.model!).resolvedWeights()
        try checkNotSame(out, flag: "--out", as: weights, named: "weights file")
        try checkNotSame(saveNoise, flag: "--save-noise", as: weights, named: "weights file")
        try checkWritable(out, flag: "--out")
        if let saveNoise { try checkWritable(saveNoise, flag: "--save-noise") }
        let contents = try ModelFile.load(weights)
        let model = contents.model
        BLASThreads.set(threads)
        let (requested, perRow) = try classRows(model.problem.classes, weights: weights)
        let count = requested?.count ?? self.count ?? 64
        let rows = interpolate.isEmpty ? count : interpolate.count * steps
        // All samples are held at once (and a grid besides): 100,000 of 256 x 256 would be 26 GB.
        try checkSampleCount(rows, flag: interpolate.isEmpty ? "--count" : "--interpolate rows x --steps",
                             sampleSize: model.problem.sampleSize, weights: weights)
        let samples = interpolate.isEmpty ? model.samples(count: count, seed: seed, labels: requested)
            : model.interpolation(pairs: interpolate.map { ($0.from, $0.to) }, steps: steps, seed: seed,
                                  path: path ?? .default(for: model.problem.noise))
        switch format {
        case .png where nearest:
            var configuration = contents.configuration
            if let data { configuration.dataPath = data }
            let training = try TrainingSession.loadData(configuration)
            try writeAtomically(SampleGrid.nearestPNG(model, samples: samples.values, training: training, columns: columns), to: out)
        case .png:
            try writeAtomically([UInt8](samples.png(columns: columns ?? perRow ?? (interpolate.isEmpty ? nil : steps))), to: out)
        case .npy:
            let shape = interpolate.isEmpty ? samples.shape : [interpolate.count, steps] + samples.sampleShape
            try writeAtomically(NPY.encode(samples.values, shape: shape), to: out)
        case .idx:
            let bytes = samples.values.map { UInt8((min(1, max(0, $0)) * 255).rounded()) }
            try writeAtomically(IDXArray(shape: samples.shape, bytes: bytes).encoded, to: out)
        }
        if let saveNoise {
            // A conditional model's generator input: each noise vector followed by its one-hot class.
            var input = samples.noise
            if model.problem.classes != nil {
                input = [Float](repeating: 0, count: samples.count * model.problem.generatorInputSize)
                AdversarialTrainer.appendOneHot(samples.noise, labels: samples.labels, rows: samples.count, width: model.problem.latentSize,
                                                classes: model.problem.classCount, into: &input)
            }
            try writeAtomically(NPY.encode(input, shape: [samples.count, model.problem.generatorInputSize]), to: saveNoise)
        }
        print(interpolate.isEmpty ? "wrote \(count) samples to \(out)"
              : "wrote \(interpolate.count) interpolation rows of \(steps) samples to \(out)")
    }

    /// A conditional model's requested class per sample (one row per class, or per --label) and
    /// the samples per row; nil for an unconditional model or an interpolation.
    func classRows(_ classes: Classes?, weights: String) throws -> (labels: [Int]?, perRow: Int?) {
        guard let classes else {
            if !label.isEmpty {
                throw CLIError("--label: \(weights) holds an unconditional model; only a conditional one (gan train --conditional) takes a class")
            }
            if let columns, interpolate.isEmpty { try checkRange(columns, 1...(count ?? 64), flag: "--columns") }
            return (nil, nil)
        }
        guard interpolate.isEmpty else { return (nil, nil) }
        let rows = try label.isEmpty ? Array(classes.names.indices) : label.map { name in
            guard let index = classes.names.firstIndex(of: name) else {
                throw CLIError("--label \(name): not a class of \(weights) (its classes: \(classes.names.joined(separator: ", ")))")
            }
            return index
        }
        // Every row gets its samples: a --count below the rows, or not a multiple of them, would
        // leave the last classes with fewer samples or none.
        if let count, columns == nil, count % rows.count != 0 {
            throw CLIError("--count \(count): a conditional model draws one row per \(label.isEmpty ? "class" : "--label") (\(rows.count) rows), "
                           + "so ask for a multiple of \(rows.count), give --columns, or pick classes with --label")
        }
        let perRow = columns ?? count.map { $0 / rows.count } ?? 10
        let total = count ?? rows.count * perRow
        try checkRange(total, 1...Limits.maximumSamples, flag: "--label rows x --columns")
        return ((0..<total).map { rows[min($0 / perRow, rows.count - 1)] }, perRow)
    }
}

extension LatentPath: ExpressibleByArgument {}
