import Foundation
import GANData
import GANEvaluation
import GANImages
import GANZoo

/// `gan train --validate-every N`: every N epochs, the Parzen-window log-likelihood of held-out
/// validation images under 10,000 samples (sigma chosen on the first 1,000 validation images,
/// the score measured on the next 1,000, so the choice does not flatter the score), appended to
/// a CSV log; with `--stop-on-plateau P`, the run ends after P checks without a new best.
/// Training's random streams are untouched: samples come from the fixed sampling stream.
struct ValidationMonitor {
    static let samples = 10_000
    static let imagesPerPart = 1_000
    let every: Int
    let patience: Int?
    let logPath: String
    private let selection: [Float]  // [<= 1000, sampleSize]: chooses sigma
    private let scoring: [Float]    // [<= 1000, sampleSize]: scored with that sigma
    private(set) var best = -Double.infinity
    private(set) var checksSinceBest = 0

    init(session: TrainingSession, every: Int, patience: Int?, logPath: String) throws {
        guard let held = try session.validationImages() else {
            throw CLIError("--validate-every needs held-out validation images: train with --hold-out-validation")
        }
        let size = held.sampleSize, part = min(Self.imagesPerPart, held.count / 2)
        guard part >= 10 else { throw CLIError("--validate-every: only \(held.count) validation images, need at least 20") }
        self.every = every
        self.patience = patience
        self.logPath = logPath
        selection = Array(held.images[0..<(part * size)])
        scoring = Array(held.images[(part * size)..<(2 * part * size)])
        try restore(upTo: session.position.epoch)
    }

    /// The flags that continue these checks on a resumed run, from the same log (so the plateau
    /// rule remembers the best score, whatever `--out` the resumed run writes).
    var resumeArguments: [String] {
        ["--validate-every", "\(every)"] + (patience.map { ["--stop-on-plateau", "\($0)"] } ?? []) + ["--validation-log", logPath]
    }

    /// Resuming: earlier rows of the log (up to the checkpoint's epoch) restore the best score;
    /// later rows belong to the abandoned future and are dropped. A fresh run starts the log anew.
    /// An existing file that is not a validation log is refused, never overwritten.
    private mutating func restore(upTo epoch: Int) throws {
        let header = "epoch,step,validation_parzen,sigma,seconds"
        var kept = [header]
        if FileManager.default.fileExists(atPath: logPath) {
            let bytes: [UInt8]
            do { bytes = try BoundedFile.read(logPath, limit: Plot.maximumLogBytes) } catch {
                throw CLIError("--validation-log \(error)")
            }
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            guard lines.first.map(String.init) == header else {
                throw CLIError("--validation-log \(logPath): exists and is not a validation log of `gan train`; "
                               + "refusing to overwrite it (choose another path)")
            }
            for line in lines.dropFirst() where epoch > 0 {
                let fields = line.split(separator: ",")
                guard fields.count == 5, let rowEpoch = Int(fields[0]), let score = Double(fields[2]), score.isFinite else {
                    throw CLIError("--validation-log \(logPath): row '\(line.prefix(80))' is not a row of a validation log")
                }
                guard rowEpoch <= epoch else { break }
                kept.append(String(line))
                if score > best { (best, checksSinceBest) = (score, 0) } else { checksSinceBest += 1 }
            }
        }
        try writeAtomically(Array((kept.joined(separator: "\n") + "\n").utf8), to: logPath)
    }

    /// `<log>.png`: validation Parzen against epochs, redrawn after every check.
    private func plot() throws {
        try writeAtomically(LinePlot(series: [.init(points: Plot.points(of: logPath))]).png, to: Self.plotPath(logPath))
    }

    static func plotPath(_ logPath: String) -> String { (logPath.hasSuffix(".csv") ? String(logPath.dropLast(4)) : logPath) + ".png" }

    /// Measures after an epoch when due; true when the plateau rule says stop.
    mutating func check(_ session: TrainingSession) throws -> Bool {
        let epoch = session.position.epoch
        guard epoch % every == 0 else { return false }
        let start = Date()
        let dimension = session.model.problem.sampleSize
        let (generated, _) = session.model.sample(count: Self.samples, seed: 0)
        let estimator = ParzenEstimator(samples: generated, dimension: dimension)
        let (sigma, _) = estimator.selectSigma(validation: selection)
        let score = ParzenEstimator.meanAndStandardError(estimator.logLikelihoods(scoring, sigma: sigma)).mean
        let seconds = Date().timeIntervalSince(start)
        if score > best { (best, checksSinceBest) = (score, 0) } else { checksSinceBest += 1 }
        let row = String(format: "%d,%d,%.3f,%.5f,%.2f\n", epoch, session.position.step, score, sigma, seconds)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(row.utf8))
        try handle.close()
        try plot()
        say(String(format: "validation Parzen %.2f (sigma %.3f, best %.2f, %d check(s) since)  %.1f s",
                   score, sigma, best, checksSinceBest, seconds))
        guard let patience, checksSinceBest >= patience else { return false }
        say("validation Parzen has not improved for \(patience) checks: stopping at epoch \(epoch)")
        return true
    }
}
