import ArgumentParser
import Foundation
import GANData
import GANImages
import GANLogging
import GANZoo

/// `gan plot FILE`: the training curves of a weights file's history or a metrics log, as SVG.
/// `gan plot --csv LOG... --out FILE.png`: validation curves (the CSV logs of `gan train
/// --validate-every`) as one PNG.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a run's training curves (SVG), or validation Parzen curves of --validate-every logs (PNG).",
        discussion: """
            gan plot FILE.h5|LOG.jsonl [--out curves.svg]: losses, D(x) and D(G(z)) with the 1/2 equilibrium line, and \
            the validation scores when a --validate-every log lies beside the run (or is named with --validation-log), \
            from the per-epoch history of a weights file or from a metrics log (<out>.metrics.jsonl).
            gan plot --csv LOG [--csv LOG...] --out FILE.png: validation Parzen against epochs; series 1 is drawn solid \
            black, 2 dashed grey, 3 dotted black, 4 solid light grey.
            """)

    @Argument(help: "A weights file (.h5) or a metrics log (.jsonl) to draw the training curves of.")
    var file: String?

    @Option(name: .customLong("csv"), help: "A validation log (repeat for up to 4 series); draws a PNG.")
    var logs: [String] = []

    @Option(name: .customLong("validation-log"), help: "With FILE: the --validate-every CSV log to draw too. (default: <run>-validation.csv beside FILE, when present)")
    var validationLog: String?

    @Option(help: "The file to write: an SVG for FILE (default: curves.svg), a PNG for --csv.")
    var out: String?

    @Option(help: "With FILE: the title above the curves. (default: FILE's name)")
    var title: String?

    static let maximumLogBytes = 16 << 20

    func run() throws {
        if let file {
            guard logs.isEmpty else { throw CLIError("give either FILE (training curves) or --csv (validation curves), not both") }
            return try plotCurves(file)
        }
        guard validationLog == nil else { throw CLIError("--validation-log goes with FILE, not with --csv") }
        guard let out else { throw CLIError("--out: name the PNG to write") }
        guard (1...LinePlot.maximumSeries).contains(logs.count) else {
            throw CLIError("--csv: give 1 to \(LinePlot.maximumSeries) logs, got \(logs.count)")
        }
        try checkWritable(out, flag: "--out")
        for log in logs { try checkNotSame(out, flag: "--out", as: log, named: "log \(log)") }
        let series = try logs.map { log in
            let points = try Self.points(of: log)
            guard !points.isEmpty else { throw CLIError("--csv \(log): no rows yet (only the header)") }
            return LinePlot.Series(points: points)
        }
        try writeAtomically(LinePlot(series: series).png, to: out)
    }

    /// `gan plot FILE [--out curves.svg]`.
    private func plotCurves(_ file: String) throws {
        let out = self.out ?? "curves.svg"
        guard out.lowercased().hasSuffix(".svg") else { throw CLIError("--out \(out): the training curves are an SVG; name a .svg file") }
        try checkWritable(out, flag: "--out")
        try checkNotSame(out, flag: "--out", as: file, named: "input \(file)")
        let title = self.title ?? URL(fileURLWithPath: file).lastPathComponent
        var curves: TrainingCurves
        let run: String  // the --out of the run, where its validation log is named from
        if file.hasSuffix(".jsonl") {
            let rows: [MetricsRow]
            do { rows = try MetricsLog.rows(of: file) } catch { throw CLIError("\(error)") }
            guard !rows.isEmpty else { throw CLIError("\(file): the metrics log has no rows yet") }
            curves = TrainingCurves(title: title, rows: rows)
            run = file.hasSuffix(".metrics.jsonl") ? String(file.dropLast(".metrics.jsonl".count)) : file
        } else {
            let contents = try ModelFile.load(file)
            guard !contents.history.isEmpty else {
                let reason = contents.position.epoch == 0 ? "no epoch of it has finished yet"
                    : "it was exported before weights exports kept the history"
                throw CLIError("\(file): holds no per-epoch history (\(reason)); "
                               + "plot the run's metrics log (<out>.metrics.jsonl, or .partial while it runs) instead")
            }
            curves = TrainingCurves(title: title, history: contents.history)
            run = file
        }
        let beside = CheckpointPolicy.stem(of: run) + "-validation.csv"
        if let log = validationLog ?? (FileManager.default.fileExists(atPath: beside) ? beside : nil) {
            try checkNotSame(out, flag: "--out", as: log, named: "validation log \(log)")
            curves.validation = try Self.points(of: log)
        }
        try writeAtomically(Array(curves.svg.utf8), to: out)
        say("wrote \(out)" + (curves.validation.isEmpty ? "" : " (with the validation scores)"))
    }

    /// (epoch, validation_parzen) rows of a log, located by the header's column names.
    static func points(of path: String) throws -> [(x: Double, y: Double)] {
        // A regular file within the size limit (a FIFO would block; Foundation's errors were raw NSCocoaErrorDomain text).
        let bytes: [UInt8]
        do { bytes = try BoundedFile.read(path, limit: maximumLogBytes) } catch { throw CLIError("--csv \(error)") }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        let header = lines.first?.split(separator: ",").map(String.init) ?? []
        guard let x = header.firstIndex(of: "epoch"), let y = header.firstIndex(of: "validation_parzen") else {
            throw CLIError("--csv \(path): no epoch and validation_parzen columns in the header")
        }
        return try lines.dropFirst().enumerated().map { index, line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == header.count, let a = Double(fields[x]), let b = Double(fields[y]),
                  abs(a) <= LinePlot.maximumMagnitude, abs(b) <= LinePlot.maximumMagnitude else {
                throw CLIError("--csv \(path): row \(index + 2) is not a row of numbers within ±1e12 matching the header")
            }
            return (a, b)
        }
    }
}
