import Foundation
import GANImages
import GANZoo

/// The training loop of `gan train`: epochs, progress, per-epoch grids, the final save.
struct TrainingRun {
    let configuration: TrainingConfiguration
    let out: String
    let samplesDir: String?

    func run() throws {
        let session = try TrainingSession(configuration: configuration)
        let labels = configuration.digits.map { $0.map(String.init).joined(separator: ",") } ?? "all"
        print("training \(session.model.architectureName) + \(configuration.loss) (\(configuration.mode.rawValue), k \(configuration.k)) "
              + "on \(session.data.count) images (labels \(labels)), \(session.batchesPerEpoch) steps per epoch, "
              + "\(session.model.generator.parameterCount) G / \(session.model.discriminator.parameterCount) D parameters")
        let start = Date()
        for _ in 0..<configuration.epochs {
            let bar = ProgressBar(label: "epoch \(session.position.epoch + 1)/\(configuration.epochs)")
            let summary = try session.trainEpoch { bar.update($0, of: $1) }
            bar.finish()
            print(String(format: "epoch %3d/%d  D loss %.4f  G loss %.4f  D(x) %.3f  D(G(z)) %.3f  %.0f samples/s",
                         summary.epoch, configuration.epochs, summary.discriminatorLoss, summary.generatorLoss,
                         summary.realScore, summary.fakeScore, summary.samplesPerSecond))
            if let samplesDir {
                try writeAtomically(Self.grid(session.model), to: samplesDir + String(format: "/epoch-%03d.png", summary.epoch))
            }
        }
        try session.save(to: out)
        print(String(format: "wrote %@ after %d epochs in %.1f s", out, session.position.epoch, Date().timeIntervalSince(start)))
    }

    /// 64 samples from fixed noise, so grids of successive epochs compare.
    static func grid(_ model: GANModel) -> [UInt8] {
        let (samples, _) = model.sample(count: 64, seed: 0)
        let shape = model.problem.sampleShape
        return samples.withUnsafeBufferPointer {
            ImageGrid(images: $0.baseAddress!, count: 64, imageHeight: shape.count > 1 ? shape[0] : 1,
                      imageWidth: shape.last ?? model.problem.sampleSize, columns: 8).png
        }
    }
}
