import ArgumentParser
import Foundation
import GANImages
import GANZoo

/// `gan plot`: validation curves (the CSV logs of `gan train --validate-every`) as one PNG.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw validation Parzen curves (gan train --validate-every logs) against epochs as a PNG.",
        discussion: "Series 1 is drawn solid black, 2 dashed grey, 3 dotted black, 4 solid light grey.")

    @Option(name: .customLong("csv"), help: "A validation log (repeat for up to 4 series).")
    var logs: [String] = []

    @Option(help: "The PNG to write.")
    var out: String

    static let maximumLogBytes = 16 << 20

    func run() throws {
        guard (1...LinePlot.maximumSeries).contains(logs.count) else {
            throw CLIError("--csv: give 1 to \(LinePlot.maximumSeries) logs, got \(logs.count)")
        }
        try checkWritable(out, flag: "--out")
        let series = try logs.map { log in
            let points = try Self.points(of: log)
            guard !points.isEmpty else { throw CLIError("--csv \(log): no rows yet (only the header)") }
            return LinePlot.Series(points: points)
        }
        try writeAtomically(LinePlot(series: series).png, to: out)
    }

    /// (epoch, validation_parzen) rows of a log, located by the header's column names.
    static func points(of path: String) throws -> [(x: Double, y: Double)] {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
        guard let size else { throw CLIError("--csv \(path): cannot read the file") }
        guard size <= maximumLogBytes else { throw CLIError("--csv \(path): \(size) bytes, more than the \(maximumLogBytes) a log may have") }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let header = lines.first?.split(separator: ",").map(String.init) ?? []
        guard let x = header.firstIndex(of: "epoch"), let y = header.firstIndex(of: "validation_parzen") else {
            throw CLIError("--csv \(path): no epoch and validation_parzen columns in the header")
        }
        return try lines.dropFirst().enumerated().map { index, line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == header.count, let a = Double(fields[x]), let b = Double(fields[y]), a.isFinite, b.isFinite else {
                throw CLIError("--csv \(path): row \(index + 2) is not a row of numbers matching the header")
            }
            return (a, b)
        }
    }
}
