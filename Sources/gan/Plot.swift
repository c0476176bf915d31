import ArgumentParser
import Foundation
import GANData
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
        for log in logs { try checkNotSame(out, flag: "--out", as: log, named: "log \(log)") }
        let series = try logs.map { log in
            let points = try Self.points(of: log)
            guard !points.isEmpty else { throw CLIError("--csv \(log): no rows yet (only the header)") }
            return LinePlot.Series(points: points)
        }
        try writeAtomically(LinePlot(series: series).png, to: out)
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
