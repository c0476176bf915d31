import Foundation
import GANImages
import GANLogging
import GANLayers
import GANZoo

/// What `gan train` records as it goes: a row of the metrics log at every epoch's end and, with
/// `--log-every N`, every N steps; the same values as TensorBoard scalars and the epoch's
/// sample grid as a TensorBoard image, with `--tensorboard DIR`.
final class RunLog {
    let logEvery: Int?
    let tensorBoardFolder: String?
    private var metrics: MetricsLog
    private var tensorBoard: TensorBoardWriter?

    private let finalPath: String

    /// The metrics log of a run writing `out`.
    static func metricsPath(out: String) -> String { out + ".metrics.jsonl" }
    /// Where the log of a run in progress grows (`<out>.metrics.jsonl.partial`): it takes the
    /// log's real name only when the run's weights do, so a run that fails leaves the log of
    /// the weights already at `out` as it was. An interrupted run's checkpoint continues it.
    static func partialPath(out: String) -> String { metricsPath(out: out) + ".partial" }

    init(out: String, logEvery: Int?, tensorBoard: String?, session: TrainingSession) throws {
        self.logEvery = logEvery
        tensorBoardFolder = tensorBoard
        finalPath = Self.metricsPath(out: out)
        let partial = Self.partialPath(out: out), manager = FileManager.default
        // A finished run trained on (or a log whose partial copy is gone) continues from the log itself.
        let continuesFinished = session.position.step > 0 && !manager.fileExists(atPath: partial)
            && manager.fileExists(atPath: finalPath)
        // Otherwise a file under the log's name that is not a metrics log is refused now, not
        // replaced at the end (continuing it reads it, which refuses it the same way).
        if !continuesFinished && manager.fileExists(atPath: finalPath) { _ = try MetricsLog.rows(of: finalPath) }
        metrics = try MetricsLog(path: partial, continuingAt: session.position.step, from: continuesFinished ? finalPath : nil)
        self.tensorBoard = try tensorBoard.map {
            try TensorBoardWriter(folder: $0, resumingAfter: session.position.step > 0 ? session.position.step : nil)
        }
    }

    /// The flags that keep this logging on a resumed run.
    var resumeArguments: [String] {
        (logEvery.map { ["--log-every", "\($0)"] } ?? []) + (tensorBoardFolder.map { ["--tensorboard", $0] } ?? [])
    }

    /// The run's weights are in place: its log takes the real name.
    func finish() throws {
        guard rename(metrics.path, finalPath) == 0 else {
            throw CLIError("metrics log \(finalPath): cannot rename \(metrics.path) into place: \(String(cString: strerror(errno)))")
        }
    }

    /// After a rollback to an earlier checkpoint: the rows past it go, as on a resume.
    func restart(at session: TrainingSession) throws {
        metrics = try MetricsLog(path: metrics.path, continuingAt: session.position.step)
        if let tensorBoardFolder { tensorBoard = try TensorBoardWriter(folder: tensorBoardFolder, resumingAfter: session.position.step) }
    }

    /// Records the step just taken when a row is due; `summary` is the epoch it completed.
    func afterStep(_ session: TrainingSession, completed summary: EpochSummary?) throws {
        let step = session.position.step
        guard summary != nil || logEvery.map({ step % $0 == 0 }) == true else { return }
        let row = Self.row(session, completed: summary)
        try metrics.append(row)
        try tensorBoard?.scalars(row.scalars, step: step, wallTime: Date().timeIntervalSince1970)
    }

    /// The epoch's sample grid (PNG) as a TensorBoard image at the step that ended the epoch.
    func epochGrid(_ png: [UInt8], step: Int) throws {
        guard let tensorBoard else { return }
        let (_, width, height) = try PNG.decodeGray(png)
        try tensorBoard.image(tag: "samples", png: png, width: width, height: height, step: step,
                              wallTime: Date().timeIntervalSince1970)
    }

    static func row(_ session: TrainingSession, completed summary: EpochSummary?) -> MetricsRow {
        let figures = summary ?? session.epochSoFar
        let (g, d) = (session.trainer.generatorOptimizer, session.trainer.discriminatorOptimizer)
        let configuration = session.configuration
        func momentum(_ optimizer: OptimizerConfiguration, _ live: Float) -> Float { optimizer.kind == .adam ? optimizer.beta1 : live }
        return MetricsRow(
            epoch: figures.epoch, step: session.position.step, epochEnd: summary != nil,
            epochSteps: summary != nil ? session.batchesPerEpoch : session.epochStepsSoFar,
            discriminatorLoss: figures.discriminatorLoss, generatorLoss: figures.generatorLoss,
            realScore: figures.realScore, fakeScore: figures.fakeScore,
            generatorLearningRate: g.learningRate, discriminatorLearningRate: d.learningRate,
            generatorMomentum: momentum(configuration.generatorOptimizer, g.momentum),
            discriminatorMomentum: momentum(configuration.discriminatorOptimizer, d.momentum),
            samplesPerSecond: figures.samplesPerSecond, elapsedSeconds: session.elapsedSeconds)
    }
}
