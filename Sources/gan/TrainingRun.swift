import ArgumentParser
import Foundation
import GANZoo

/// The signal that asked training to stop (SIGINT from Ctrl-C, SIGTERM from `timeout`, Slurm,
/// `docker stop` or systemd), or 0; the loop checks it after every step.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

/// Catches SIGINT and SIGTERM from now on: training writes a checkpoint, prints the command that
/// resumes it and exits with 128 + the signal (130, 143). Installed before data and models load,
/// so a signal at any moment of `gan train` ends the same way.
func catchInterrupts() {
    signal(SIGINT) { interruptRequested = $0 }
    signal(SIGTERM) { interruptRequested = $0 }
    // A parent may have started us with these blocked (threads that block signals pass the
    // mask to the processes they spawn); unblock them so they reach the handler.
    var mask = sigset_t()
    sigemptyset(&mask)
    sigaddset(&mask, SIGINT)
    sigaddset(&mask, SIGTERM)
    sigprocmask(SIG_UNBLOCK, &mask, nil)
}

/// Creates the `--samples-dir` folder for the per-epoch grids and checks it is writable.
func prepareSamplesFolder(_ folder: String) throws {
    try createFolder(folder, named: "--samples-dir")
    try checkWritable(folder + "/grid.png", flag: "--samples-dir")
}

/// The training loop of `gan train`: epochs, progress, grids, checkpoints, Ctrl-C, divergence.
struct TrainingRun {
    var session: TrainingSession
    let out: String
    let samplesDir: String?
    let checkpoints: CheckpointPolicy
    let onDivergence: DivergencePolicy
    var validation: ValidationMonitor?
    let log: RunLog

    func run() throws {
        var session = self.session
        var validation = self.validation
        catchInterrupts()
        defer {
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }
        // One run per checkpoint folder: a second one would mix its checkpoints with ours.
        let lock = try checkpoints.lock()
        defer { withExtendedLifetime(lock) {} }
        printHeader(session)
        let start = Date()
        var clock = RunClock(startStep: session.position.step)
        var monitor = CollapseMonitor(data: session.data)
        var rollbacks = 0
        var bar = ProgressBar(label: "")
        while !session.isFinished {
            do {
                bar.label = "epoch \(session.position.epoch + 1)/\(session.configuration.epochs)"
                let (_, summary) = try session.step()
                try log.afterStep(session, completed: summary)
                let running = summary ?? session.epochSoFar
                bar.update(session.position.epochStep == 0 ? session.batchesPerEpoch : session.position.epochStep,
                           of: session.batchesPerEpoch,
                           status: clock.status(session) + String(format: "  D %.3f  G %.3f", running.discriminatorLoss, running.generatorLoss))
                if let summary {
                    bar.finish()
                    try finishEpoch(session, summary, &monitor, clock: clock)
                    if try validation?.check(session) == true { session.stopAtCurrentEpoch() }
                }
                if checkpoints.isDue(session) { try writeCheckpoint(session) }
                if interruptRequested != 0 {
                    bar.finish()
                    let path = try writeCheckpoint(session)
                    let signalName = interruptRequested == SIGTERM ? "SIGTERM" : "SIGINT"
                    FileHandle.standardError.write(Data((
                        "interrupted at \(session.position.description) by \(signalName); "
                        + "checkpoint written to \(path)\nresume with: "
                        + (["gan", "train", "--resume", path, "--out", out] + checkpoints.resumeArguments(out: out)
                           + (samplesDir.map { ["--samples-dir", $0] } ?? []) + (onDivergence == .rollback ? ["--on-divergence", "rollback"] : [])
                           + (validation?.resumeArguments ?? []) + log.resumeArguments).joined(separator: " ") + "\n").utf8))
                    throw ExitCode(128 + interruptRequested)
                }
            } catch let error as TrainingError {
                bar.finish()
                guard case .diverged = error else { throw error }
                let saved = checkpoints.existing(upTo: session.position.step)
                guard onDivergence == .rollback, !saved.isEmpty, rollbacks < 3 else {
                    throw CLIError("\(error)" + (saved.last.map { "; last good checkpoint: \($0) (resume with --resume \($0), "
                        + "or --on-divergence rollback, which lowers the learning rate)" } ?? "; no checkpoint was written (use --checkpoint-every)"))
                }
                // Each rollback goes one checkpoint further back and halves the learning rates again.
                rollbacks += 1
                let target = saved[max(0, saved.count - rollbacks)]
                let scale = Float(pow(0.5, Double(rollbacks)))
                say("warning: \(error); rolling back to \(target) with the learning rates scaled by \(scale) "
                    + "(rollback \(rollbacks) of 3)")
                session = try TrainingSession.resume(from: target, epochs: session.configuration.epochs, learningRateScale: scale)
                try log.restart(at: session)
                clock = RunClock(startStep: session.position.step)
            }
        }
        try session.save(to: out)
        try log.finish()
        say(String(format: "wrote %@ after %d epochs in %.1f s", out, session.position.epoch, Date().timeIntervalSince(start)))
    }

    private func printHeader(_ session: TrainingSession) {
        let configuration = session.configuration
        let labels = configuration.digits.map { $0.map(String.init).joined(separator: ",") } ?? "all"
        // In the interrupt message's words: the epoch in progress, or the one just finished.
        let resumed = session.position.step > 0 ? " from \(session.position.description)" : ""
        say("training \(session.model.architectureName) + \(configuration.loss) (\(configuration.mode.rawValue), k \(configuration.k)) "
              + "on \(session.data.count) images (labels \(labels)), \(session.batchesPerEpoch) steps per epoch, "
              + "\(session.model.generator.parameterCount) G / \(session.model.discriminator.parameterCount) D parameters\(resumed)")
    }

    private func finishEpoch(_ session: TrainingSession, _ summary: EpochSummary, _ monitor: inout CollapseMonitor,
                             clock: RunClock) throws {
        say(String(format: "epoch %3d/%d  D loss %.4f  G loss %.4f  D(x) %.3f  D(G(z)) %.3f  %.0f samples/s  %@",
                     summary.epoch, session.configuration.epochs, summary.discriminatorLoss, summary.generatorLoss,
                     summary.realScore, summary.fakeScore, summary.samplesPerSecond, clock.status(session)))
        if let bad = session.firstNonFiniteParameter() {
            throw TrainingError.diverged(step: session.position.step, what: "the weights (\(bad))")
        }
        let (samples, _) = session.model.defaultGrid()  // a conditional model: one row of 8 per class
        for warning in monitor.check(summary, samples: samples) { say("warning: \(warning)") }
        let grid = SampleGrid.png(session.model, samples: samples, columns: 8)
        if let samplesDir { try writeAtomically(grid, to: samplesDir + String(format: "/epoch-%03d.png", summary.epoch)) }
        try log.epochGrid(grid, step: session.position.step)
    }

    @discardableResult
    private func writeCheckpoint(_ session: TrainingSession) throws -> String {
        let path = checkpoints.path(for: session)
        try session.save(to: path)
        checkpoints.recordAndPrune(path)
        return path
    }
}

/// Elapsed time of this process's training and the time left, from its pace so far.
struct RunClock {
    let start = Date()
    let startStep: Int

    func status(_ session: TrainingSession) -> String {
        let elapsed = Date().timeIntervalSince(start)
        let done = session.position.step - startStep
        let total = session.configuration.epochs * session.batchesPerEpoch
        let left = done > 0 ? elapsed / Double(done) * Double(max(total - session.position.step, 0)) : nil
        return "elapsed \(Self.clock(elapsed))  ETA \(left.map(Self.clock) ?? "?")"
    }

    /// 0:07, 1:23, 2:05:09.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }
}
