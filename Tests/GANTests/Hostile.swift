import Foundation
import GANCore
import GANZoo
import Testing

/// Helpers for the hostile-input tests (issue 11): run the real binary under a deadline and a
/// memory limit, build hostile files at run time, and check how a refusal looks.
enum Hostile {
    /// Virtual memory allowed to a hostile run (`ulimit -v`, KiB): an allocation bomb that
    /// slipped through would fail an allocation and crash, which the checks below catch.
    static let memoryLimitKiB = 1 << 20
    /// A line an outside file holds; it must never appear in any output.
    static let secret = "TOPSECRET-" + String(repeating: "0123456789abcdef", count: 16)

    struct Run {
        var status: Int32
        var signaled: Bool
        var timedOut: Bool
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
        var errorLines: [Substring] { stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") } }
    }

    /// Runs `gan` with a deadline (killed with SIGKILL after `timeout` seconds) and the memory
    /// limit; output goes to files, so a hang cannot block the reader.
    static func gan(_ arguments: [String], timeout: TimeInterval = 60, environment: [String: String] = [:],
                    fileSizeLimitBlocks: Int? = nil, started: ((Process) -> Void)? = nil) throws -> Run {
        let binary = try #require(Support.ganBinary)
        let folder = Support.temporaryFolder("hostile-run")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let out = folder + "/stdout", err = folder + "/stderr"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let size = fileSizeLimitBlocks.map { "ulimit -f \($0); " } ?? ""
        process.arguments = ["-c", "ulimit -v \(memoryLimitKiB); \(size)exec \"$0\" \"$@\"", binary] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Support.packageRoot)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        started?(process)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        let timedOut = process.isRunning
        if timedOut { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return Run(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                   timedOut: timedOut, stdout: read(out), stderr: read(err))
    }

    /// The refusal every hostile input must get: exit status 1, no signal, no hang, exactly one
    /// `Error:` line under 300 characters naming `subject` (the file or flag), and no byte of
    /// the outside secret anywhere in the output.
    static func expectRefused(_ run: Run, naming subject: String, saying reason: String? = nil,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!run.timedOut, "the command hung", sourceLocation: sourceLocation)
        #expect(!run.signaled, "the command died of signal \(run.status): \(run.stderr.suffix(400))", sourceLocation: sourceLocation)
        #expect(run.status == 1, "exit status \(run.status): \(run.output.suffix(400))", sourceLocation: sourceLocation)
        #expect(run.errorLines.count == 1, "expected one Error: line, got \(run.errorLines.count): \(run.stderr.suffix(400))",
                sourceLocation: sourceLocation)
        if let line = run.errorLines.first {
            #expect(line.count < 300, "the Error: line has \(line.count) characters", sourceLocation: sourceLocation)
            #expect(line.contains(subject), "the Error: line does not name \(subject): \(line)", sourceLocation: sourceLocation)
            if let reason { #expect(line.contains(reason), "\(line)", sourceLocation: sourceLocation) }
        }
        expectNoSecret(run, sourceLocation: sourceLocation)
    }

    static func expectNoSecret(_ run: Run, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!run.output.contains("TOPSECRET"), "an outside file's bytes reached the output", sourceLocation: sourceLocation)
    }

    /// A fresh folder with `secret.txt` (the outside file) and a tiny trained checkpoint
    /// `seed.h5` (weights, optimizer state, data order: everything a hostile variant can break).
    static func workspace(_ label: String = #function) throws -> String {
        let folder = Support.temporaryFolder(label)
        try (secret + "\n").write(toFile: folder + "/secret.txt", atomically: true, encoding: .utf8)
        let session = try TrainingSession(configuration: Support.tinyConfiguration())
        _ = try session.step()
        try session.save(to: folder + "/seed.h5")
        return folder
    }

    /// `Tests/hostile/make_hostile.py SEED OUT KIND [ARG]` (h5py, which `make test` installs).
    @discardableResult
    static func make(_ kind: String, _ argument: String = "", from seed: String, to out: String) throws -> String {
        let script = Support.packageRoot + "/Tests/hostile/make_hostile.py"
        let run = try Support.run("/usr/bin/env", ["python3", script, seed, out, kind] + (argument.isEmpty ? [] : [argument]), timeout: 60)
        try #require(run.status == 0, "make_hostile.py \(kind) failed (needs h5py: `make test` installs it): \(run.output)")
        return out
    }

    /// A tiny dcgan (channels [4, 3] and [3, 4]) after one step, saved as `folder/dcgan.h5`:
    /// its recipe and the file's path.
    static func tinyDCGANFile(in folder: String) throws -> (configuration: TrainingConfiguration, path: String) {
        var configuration = Support.tinyConfiguration()
        configuration.architecture = "dcgan"
        configuration.architectureConfiguration = try JSONValue(parsing: #"{"generatorChannels":[4,3],"discriminatorChannels":[3,4]}"#)
        let session = try TrainingSession(configuration: configuration)
        _ = try session.step()
        let path = folder + "/dcgan.h5"
        try session.save(to: path)
        return (configuration, path)
    }

    /// The bytes of a file, or nil when it is absent.
    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }
}
