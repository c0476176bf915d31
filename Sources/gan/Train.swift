import ArgumentParser
import Foundation
import GANCore
import GANData
import GANImages
import GANLayers
import GANZoo

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a GAN and write its weights (HDF5).",
        discussion: "Unset options take the defaults of the default model (see README).")

    @Option(help: "Architecture plugin (see `gan list`).")
    var arch = TrainingConfiguration().architecture

    @Option(name: .customLong("arch-config"), help: "Architecture configuration overrides as a JSON object, e.g. '{\"generatorHiddenSizes\":[512]}'.")
    var archConfig: String?

    @Option(help: "Loss plugin (see `gan list`).")
    var loss = TrainingConfiguration().loss

    @Option(help: "Train only on this label (repeat for several); default: every label.")
    var digit: [Int] = []

    @Option(help: "Folder of MNIST-style IDX files (gzip or not); default: the shipped MNIST subset.")
    var data: String?

    @Option(help: "Epochs (passes over the training images).")
    var epochs = TrainingConfiguration().epochs

    @Option(name: .customLong("batch-size"), help: "Real images per minibatch (and as many generated).")
    var batchSize = TrainingConfiguration().batchSize

    @Option(name: .customLong("learning-rate"), help: "Learning rate of both optimizers (default: 0.1 for sgd, 0.0002 for adam).")
    var learningRate: Float?

    @Option(help: "sgd (with momentum) or adam.")
    var optimizer = TrainingConfiguration().generatorOptimizer.kind

    @Option(help: "SGD momentum.")
    var momentum = TrainingConfiguration().generatorOptimizer.momentum

    @Option(help: "Adam's beta1.")
    var beta1 = TrainingConfiguration().generatorOptimizer.beta1

    @Option(help: "Discriminator steps per generator step (Algorithm 1's k).")
    var k = TrainingConfiguration().k

    @Option(name: .customLong("latent-size"), help: "Dimension of the noise z.")
    var latentSize = TrainingConfiguration().problem.latentSize

    @Option(help: "Noise prior: uniform in [-scale, scale] or normal with std scale.")
    var noise = TrainingConfiguration().problem.noise.kind

    @Option(name: .customLong("noise-scale"), help: "Scale of the noise prior.")
    var noiseScale = TrainingConfiguration().problem.noise.scale

    @Option(help: "Seed for initialisation, noise and shuffling.")
    var seed = TrainingConfiguration().seed

    @Option(help: "BLAS threads (0 = all cores). Same seed and threads give the same weights.")
    var threads = TrainingConfiguration().threads

    @Option(help: "Weights file to write (HDF5).")
    var out = "weights.h5"

    @Option(name: .customLong("samples-dir"), help: "Write a 8x8 sample grid PNG here after every epoch.")
    var samplesDir: String?

    func makeConfiguration() -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.architecture = arch
        configuration.architectureConfiguration = archConfig
        configuration.loss = loss
        configuration.digits = digit.isEmpty ? nil : digit
        configuration.dataPath = data
        configuration.epochs = epochs
        configuration.batchSize = batchSize
        configuration.k = k
        configuration.problem.latentSize = latentSize
        configuration.problem.noise = NoisePrior(kind: noise, scale: noiseScale)
        configuration.seed = seed
        configuration.threads = threads
        var optimizerConfiguration = configuration.generatorOptimizer
        optimizerConfiguration.kind = optimizer
        optimizerConfiguration.learningRate = learningRate ?? (optimizer == .sgd ? 0.1 : 0.0002)
        optimizerConfiguration.momentum = momentum
        optimizerConfiguration.beta1 = beta1
        configuration.generatorOptimizer = optimizerConfiguration
        configuration.discriminatorOptimizer = optimizerConfiguration
        return configuration
    }

    func run() throws {
        try checkWritable(out, flag: "--out")
        if let samplesDir {
            try FileManager.default.createDirectory(atPath: samplesDir, withIntermediateDirectories: true)
            try checkWritable(samplesDir + "/grid.png", flag: "--samples-dir")
        }
        let configuration = makeConfiguration()
        if let data, URL(fileURLWithPath: out).standardized.path.hasPrefix(URL(fileURLWithPath: data).standardized.path + "/") {
            throw CLIError("--out \(out) lies inside the data folder \(data); choose another path")
        }
        let session = try TrainingSession(configuration: configuration)
        let labels = configuration.digits.map { $0.map(String.init).joined(separator: ",") } ?? "all"
        print("training \(arch) + \(loss) on \(session.data.count) images (labels \(labels)), "
              + "\(session.batchesPerEpoch) steps per epoch, \(session.model.generator.parameterCount) G / "
              + "\(session.model.discriminator.parameterCount) D parameters")
        let start = Date()
        for _ in 0..<configuration.epochs {
            let bar = ProgressBar(label: "epoch \(session.position.epoch + 1)/\(configuration.epochs)")
            let summary = try session.trainEpoch { bar.update($0, of: $1) }
            bar.finish()
            print(String(format: "epoch %3d/%d  D loss %.4f  G loss %.4f  D(x) %.3f  D(G(z)) %.3f  %.0f samples/s",
                         summary.epoch, configuration.epochs, summary.discriminatorLoss, summary.generatorLoss,
                         summary.realScore, summary.fakeScore, summary.samplesPerSecond))
            if let samplesDir {
                let path = samplesDir + String(format: "/epoch-%03d.png", summary.epoch)
                try writeAtomically(sampleGrid(session.model), to: path)
            }
        }
        try session.save(to: out)
        print(String(format: "wrote %@ after %d epochs in %.1f s", out, session.position.epoch, Date().timeIntervalSince(start)))
    }

    /// 64 samples from fixed noise, so grids of successive epochs compare.
    private func sampleGrid(_ model: GANModel) -> [UInt8] {
        let (samples, _) = model.sample(count: 64, seed: 0)
        let shape = model.problem.sampleShape
        return samples.withUnsafeBufferPointer {
            ImageGrid(images: $0.baseAddress!, count: 64, imageHeight: shape.first ?? 1,
                      imageWidth: shape.last ?? model.problem.sampleSize, columns: 8).png
        }
    }
}

extension OptimizerConfiguration.Kind: ExpressibleByArgument {}
extension NoisePrior.Kind: ExpressibleByArgument {}
