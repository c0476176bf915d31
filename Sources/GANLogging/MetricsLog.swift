import Foundation
import GANData
import GANStorage

/// The metrics log of `gan train`: JSON Lines, one `MetricsRow` per line, appended as training
/// goes (`<out>.metrics.jsonl`). A resumed run keeps the rows up to its checkpoint's step and
/// drops the rest (they belong to a future the checkpoint did not keep), so the log ends up
/// with the rows of an uninterrupted run.
public final class MetricsLog {
    /// 64 MiB: about 150,000 rows.
    public static let maximumBytes = 64 << 20
    public let path: String
    private let handle: FileHandle

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Opens the log for a run at `step` (0 for a fresh run: the log starts empty), keeping the
    /// rows up to `step` of `source` (default: the log itself). An existing file that is not a
    /// metrics log is refused, never overwritten.
    public init(path: String, continuingAt step: Int, from source: String? = nil) throws {
        self.path = path
        var kept: [String] = []
        let origin = source ?? path
        if FileManager.default.fileExists(atPath: origin) {
            kept = try Self.read(origin).filter { $0.row.step <= step }.map(\.line)
        }
        do {
            try AtomicFile.write(Array(kept.map { $0 + "\n" }.joined().utf8), to: path)
        } catch {
            throw Failure(description: "metrics log \(error)")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw Failure(description: "metrics log \(path): cannot open it for writing")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

    public func append(_ row: MetricsRow) throws {
        do {
            try handle.write(contentsOf: Data((row.jsonLine + "\n").utf8))
        } catch {
            throw Failure(description: "metrics log \(path): cannot write: \(error)")
        }
    }

    /// The rows of a log, in order. A last line cut short (a run killed while writing it) is
    /// left out; any other line that is not a row is an error naming it.
    public static func rows(of path: String) throws -> [MetricsRow] { try read(path).map(\.row) }

    static func read(_ path: String) throws -> [(line: String, row: MetricsRow)] {
        let bytes: [UInt8]
        do { bytes = try BoundedFile.read(path, limit: maximumBytes) } catch {
            throw Failure(description: "metrics log \(error)")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        var rows: [(String, MetricsRow)] = []
        for (index, line) in lines.enumerated() {
            do {
                let row = try MetricsRow(jsonLine: line)
                guard row.step >= 0, row.epoch >= 0, rows.last.map({ $0.1.step <= row.step }) ?? true else {
                    throw Failure(description: "steps out of order")
                }
                rows.append((String(line), row))
            } catch {
                if index == lines.count - 1 && !text.hasSuffix("\n") && index > 0 { break }
                throw Failure(description: "metrics log \(path): line \(index + 1) ('\(line.prefix(60))') is not a row of a "
                              + "`gan train` metrics log; refusing to use or overwrite it (choose another --out, or remove it)")
            }
        }
        return rows
    }
}
