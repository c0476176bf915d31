#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GANCore
import GANStorage

/// A one-line progress bar on standard error, drawn only when it is a terminal.
struct ProgressBar {
    let enabled = isatty(STDERR_FILENO) != 0
    var label: String

    /// `status`: elapsed time, ETA, running losses, shown after the count.
    func update(_ done: Int, of total: Int, status: String = "") {
        guard enabled, total > 0 else { return }
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)\(status.isEmpty ? "" : "  " + status)\u{1B}[K".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}

/// Prints a line straight to standard output (unbuffered), so progress reaches a pipe or a log
/// file as it happens rather than when the process ends.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Fails early, before any work, when `path` cannot be written: a folder's name, an unwritable
/// folder, or a device, FIFO or folder in its place. Missing parent folders are created, as
/// `--samples-dir` creates its folder, so every output flag treats a new folder alike.
func checkWritable(_ path: String, flag: String) throws {
    guard !path.isEmpty, !path.hasSuffix("/") else { throw CLIError("\(flag) '\(path)': name a file, not a folder") }
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    try createFolder(folder, named: "\(flag) \(path):")
    guard FileManager.default.isWritableFile(atPath: folder) else {
        throw CLIError("\(flag) \(path): the folder \(folder) is not writable")
    }
    do {
        try AtomicFile.checkReplaceable(path)
    } catch {
        throw CLIError("\(flag) \(error)")
    }
}

/// A numeric flag outside its range: an `Error:` line naming the flag, exit status 1.
func checkRange(_ value: Int, _ range: ClosedRange<Int>, flag: String) throws {
    guard range.contains(value) else { throw CLIError("\(flag) must lie in \(range.lowerBound)...\(range.upperBound), got \(value)") }
}

/// More samples than may be held at once (`Limits.maximumSampleBytes`) of a model whose samples
/// hold `sampleSize` values: an `Error:` line naming the flag and the weights file.
func checkSampleCount(_ count: Int, flag: String, sampleSize: Int, weights: String) throws {
    let largest = Limits.largestSampleCount(of: sampleSize)
    guard count <= largest else {
        throw CLIError("\(flag) \(count): \(weights) draws \(sampleSize)-value samples, at most \(largest) at once "
                       + "(\(Limits.maximumSampleBytes >> 20) MiB)")
    }
}

/// Refuses an output that names the same file as one of the command's inputs: writing it would
/// replace that input. Either path may be absent (an option not given).
func checkNotSame(_ output: String?, flag: String, as input: String?, named inputName: String) throws {
    guard let output, let input,
          URL(fileURLWithPath: output).standardized.path == URL(fileURLWithPath: input).standardized.path else { return }
    throw CLIError("\(flag) \(output) is the \(inputName); writing it would replace that (choose another path)")
}

/// Creates `folder` and its parents; a file in its place, or a failure, is one error that
/// starts with `name` (a flag, or what the folder is for).
func createFolder(_ folder: String, named name: String) throws {
    // The nearest existing folder or ancestor must be a folder (not a file, device or FIFO).
    var existing = URL(fileURLWithPath: folder).standardized
    while !FileManager.default.fileExists(atPath: existing.path) && existing.path != "/" { existing.deleteLastPathComponent() }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: existing.path, isDirectory: &isDirectory), !isDirectory.boolValue {
        throw CLIError("\(name) \(existing.path): exists and is not a folder")
    }
    do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
        throw CLIError("\(name) \(folder): cannot create the folder (\(String(cString: strerror(errno))))")
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
