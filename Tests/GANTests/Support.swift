import Foundation
import GANCore
import GANZoo

/// Shared helpers: temporary folders, the package root, the real `gan` binary.
enum Support {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// This test process's folder under the system's temporary directory,
    /// `gan-zoo-tests-PID`: removed when the process exits, and a folder of that name left by a
    /// process that no longer runs (a crash, a kill) is removed when the next test process first
    /// makes a folder, so repeated `make test` runs do not fill the disk. With
    /// GAN_KEEP_TEST_FILES=1 (any value but empty) the folder is `gan-zoo-tests-kept-PID`, and no
    /// run removes it.
    static let temporaryRoot: String = {
        let base = NSTemporaryDirectory(), prefix = "gan-zoo-tests-"
        let keep = !(ProcessInfo.processInfo.environment["GAN_KEEP_TEST_FILES"] ?? "").isEmpty
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] where name.hasPrefix(prefix) {
            // Exactly the name this code gives (no sign, no leading zero), a real folder (not a
            // link), of a process that does not run.
            guard let pid = pid_t(name.dropFirst(prefix.count)), pid > 0, pid != getpid(), name == prefix + String(pid) else { continue }
            var status = stat()
            guard lstat(base + name, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: base + name) }
        }
        let root = base + prefix + (keep ? "kept-" : "") + "\(getpid())"
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        if !keep { atexit { try? FileManager.default.removeItem(atPath: Support.temporaryRoot) } }
        return root
    }()

    /// A fresh folder under this process's temporary folder.
    static func temporaryFolder(_ label: String = #function) -> String {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        let path = temporaryRoot + "/\(safe)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The `gan` executable: $GAN_BINARY, else the newest of .build/{debug,release}/gan.
    static var ganBinary: String? {
        if let path = ProcessInfo.processInfo.environment["GAN_BINARY"] { return path }
        let candidates = ["debug", "release"].map { packageRoot + "/.build/\($0)/gan" }
            .filter { FileManager.default.isExecutableFile(atPath: $0) }
        return candidates.max { modified($0) < modified($1) }
    }

    static func modified(_ path: String) -> Date {
        (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
    }

    /// Runs a program to completion (bounded by `timeout` seconds) and captures its output.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                    timeout: TimeInterval = 300) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A tiny but real configuration: digit 4 of the shipped subset, small networks.
    static func tinyConfiguration(epochs: Int = 1, seed: UInt64 = 3) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.architectureConfiguration = try! JSONValue(parsing: #"{"generatorHiddenSizes":[32],"discriminatorHiddenSizes":[16]}"#)
        configuration.problem.latentSize = 8
        configuration.digits = [4]
        configuration.epochs = epochs
        configuration.batchSize = 25
        configuration.seed = seed
        return configuration
    }
}
