import Foundation
import SwiftProtobuf

/// Writes a TensorBoard event file (`events.out.tfevents.<seconds>.<host>.<pid>`) in a folder:
/// TFRecord-framed `tensorflow.Event` protobufs, the first one naming the file version
/// ("brain.Event:2"), then scalar summaries (simple_value) and PNG image summaries. Each event
/// goes to disk as it is written, so TensorBoard shows a run while it trains.
///
/// A resumed run writes a new file that starts with a SessionLog START event at the step it
/// resumes from: TensorBoard then drops the first run's events from that step on (those the
/// checkpoint did not keep), so the curves show each step once.
public final class TensorBoardWriter {
    public static let fileVersion = "brain.Event:2"
    public let path: String
    private let handle: FileHandle

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Creates `folder` when missing and a new event file in it. `resumingAfter` is the
    /// checkpoint's step when the run continues one.
    public init(folder: String, resumingAfter step: Int? = nil, now: Date = Date()) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "--tensorboard \(folder): cannot create the folder")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw Failure(description: "--tensorboard \(folder): exists and is not a folder")
        }
        path = folder + "/" + Self.fileName(in: folder, now: now)
        // A new file only (O_EXCL, O_NOFOLLOW): a name planted in the folder, a link to another
        // file above all, is refused instead of written through or truncated.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw Failure(description: "--tensorboard \(folder): cannot create \(path) (\(String(cString: strerror(errno))))")
        }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var first = Tensorflow_Event()
        first.wallTime = now.timeIntervalSince1970
        first.fileVersion = Self.fileVersion
        try write(first)
        if let step {
            var start = Tensorflow_Event()
            start.wallTime = now.timeIntervalSince1970
            start.step = Int64(step + 1)
            start.sessionLog.status = .start
            try write(start)
        }
    }

    /// A name that sorts after every event file already in the folder (TensorBoard reads the
    /// files of a folder in name order), whose timestamp is the current second or later.
    static func fileName(in folder: String, now: Date) -> String {
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("events.out.tfevents.") }
            .compactMap { Int($0.dropFirst("events.out.tfevents.".count).prefix { $0.isNumber }) }
        let seconds = max(Int(now.timeIntervalSince1970), (existing.max() ?? 0) + 1)
        let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
        return String(format: "events.out.tfevents.%010d.%@.%d", seconds, host.isEmpty ? "localhost" : host, getpid())
    }

    /// One event holding a scalar per (tag, value).
    public func scalars(_ values: [(tag: String, value: Float)], step: Int, wallTime: Double) throws {
        var summary = Tensorflow_Summary()
        summary.value = values.map { tag, value in
            var entry = Tensorflow_Summary.Value()
            entry.tag = tag
            entry.simpleValue = value
            return entry
        }
        try write(summary, step: step, wallTime: wallTime)
    }

    /// One event holding an encoded image (PNG bytes; colorspace 1 = grayscale, 3 = RGB).
    public func image(tag: String, png: [UInt8], width: Int, height: Int, colorspace: Int = 1, step: Int, wallTime: Double) throws {
        var image = Tensorflow_Summary.Image()
        image.width = Int32(width)
        image.height = Int32(height)
        image.colorspace = Int32(colorspace)
        image.encodedImageString = Data(png)
        var entry = Tensorflow_Summary.Value()
        entry.tag = tag
        entry.image = image
        var summary = Tensorflow_Summary()
        summary.value = [entry]
        try write(summary, step: step, wallTime: wallTime)
    }

    private func write(_ summary: Tensorflow_Summary, step: Int, wallTime: Double) throws {
        var event = Tensorflow_Event()
        event.wallTime = wallTime
        event.step = Int64(step)
        event.summary = summary
        try write(event)
    }

    private func write(_ event: Tensorflow_Event) throws {
        do {
            let bytes: [UInt8] = try event.serializedBytes()
            try handle.write(contentsOf: TFRecord.frame(bytes))
        } catch {
            throw Failure(description: "--tensorboard: cannot write \(path): \(error)")
        }
    }
}
