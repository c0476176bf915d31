import ArgumentParser
import Foundation
import GANStorage
import GANZoo

/// "5" or "5epochs": every 5 epochs; "200steps": every 200 steps.
struct CheckpointInterval: ExpressibleByArgument, Equatable {
    enum Unit: Equatable { case epochs, steps }
    let count: Int
    let unit: Unit

    init?(argument: String) {
        let text = argument.lowercased()
        let unit: Unit = text.hasSuffix("steps") || text.hasSuffix("step") ? .steps : .epochs
        let digits = text.prefix { $0.isNumber }
        let rest = text.dropFirst(digits.count)
        guard let count = Int(digits), count > 0, ["", "epoch", "epochs", "step", "steps"].contains(String(rest)) else { return nil }
        self.count = count
        self.unit = unit
    }
}

/// Where checkpoints go, when, and how many are kept.
struct CheckpointPolicy {
    let interval: CheckpointInterval?
    let folder: String
    let keep: Int
    /// The checkpoints this process wrote, oldest first: the only ones pruning may delete.
    let written = WrittenCheckpoints()

    final class WrittenCheckpoints {
        var paths: [String] = []
    }

    /// The flags that keep this policy on a resumed run (printed in the resume command).
    func resumeArguments(out: String) -> [String] {
        var arguments: [String] = []
        if let interval { arguments += ["--checkpoint-every", "\(interval.count)\(interval.unit == .steps ? "steps" : "")"] }
        if folder != Self.defaultFolder(for: out) { arguments += ["--checkpoint-dir", folder] }
        if keep != 3 { arguments += ["--keep-checkpoints", "\(keep)"] }
        return arguments
    }

    /// The folder used when none is given: `<out without .h5>-checkpoints`.
    static func defaultFolder(for out: String) -> String { stem(of: out) + "-checkpoints" }

    /// The output path without its `.h5`: where files that belong to a run get their names.
    static func stem(of out: String) -> String { out.hasSuffix(".h5") ? String(out.dropLast(3)) : out }

    func isDue(_ session: TrainingSession) -> Bool {
        guard let interval else { return false }
        switch interval.unit {
        case .steps: return session.position.step % interval.count == 0
        case .epochs: return session.position.epochStep == 0 && session.position.epoch % interval.count == 0
        }
    }

    func path(for session: TrainingSession) -> String {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder + String(format: "/step-%09d.h5", session.position.step)
    }

    /// Checkpoints in the folder up to `step`, oldest first: regular files named as ours
    /// (`step-` and nine digits), so a folder or another run's later checkpoints are never taken.
    func existing(upTo step: Int = .max) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { name in
            guard name.count == 17, name.hasPrefix("step-"), name.hasSuffix(".h5"),
                  let number = Int(name.dropFirst(5).prefix(9)), number <= step else { return false }
            let type = try? FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.type] as? FileAttributeType
            return type == .typeRegular
        }.sorted().map { folder + "/" + $0 }
    }

    /// Records a checkpoint just written and deletes this process's older ones beyond `keep`;
    /// files it did not write (an earlier run's, anything else in the folder) stay.
    func recordAndPrune(_ path: String) {
        written.paths.append(path)
        while written.paths.count > keep {
            let old = written.paths.removeFirst()
            if old != path { try? FileManager.default.removeItem(atPath: old) }
        }
    }
}

enum DivergencePolicy: String, ExpressibleByArgument, CaseIterable {
    case stop, rollback
}

/// An advisory lock (flock) on a checkpoint folder, held while the process lives. A folder the
/// run created and left holding nothing but the lock (no checkpoint was written) is removed
/// when the lock is released, so a run without checkpoints leaves no empty folder behind.
final class FolderLock {
    private let descriptor: Int32
    private let folder: String
    private let created: Bool
    init(descriptor: Int32, folder: String, created: Bool) {
        self.descriptor = descriptor
        self.folder = folder
        self.created = created
    }
    deinit {
        if created, (try? FileManager.default.contentsOfDirectory(atPath: folder)) == [".lock"] {
            unlink(folder + "/.lock")
            rmdir(folder)  // fails, harmlessly, if something arrived in between
        }
        close(descriptor)  // closing releases the lock
    }
}

extension CheckpointPolicy {
    /// Creates the folder, takes its lock (`.lock`, holding the owner's PID) and removes
    /// temporary files of ours left by processes that died while writing a checkpoint. A second
    /// run on the same folder gets an error naming the first one's PID.
    func lock() throws -> FolderLock {
        var isFolder: ObjCBool = false
        let existed = FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder)
        try createFolder(folder, named: "checkpoint folder")
        let path = folder + "/.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            throw CLIError("checkpoint folder \(folder): cannot open its lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = read(descriptor, &buffer, buffer.count)
            close(descriptor)
            let holder = Int32(String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)).map { "PID \($0)" } ?? "another process"
            throw CLIError("checkpoint folder \(folder) is in use by another gan train (\(holder)); wait for it to finish, "
                           + "or pass another --out or --checkpoint-dir")
        }
        let pid = Array("\(getpid())\n".utf8)
        ftruncate(descriptor, 0)
        _ = pwrite(descriptor, pid, pid.count, 0)
        removeStaleTemporaries()
        return FolderLock(descriptor: descriptor, folder: folder, created: !existed)
    }

    /// `.step-NNNNNNNNN.h5.tmp-PID` files whose process is gone: a run killed while it wrote a
    /// checkpoint (SIGKILL, power loss) leaves one behind.
    func removeStaleTemporaries() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names {
            guard let pid = AtomicFile.temporaryOwner(of: name, matching: { $0.hasPrefix("step-") && $0.hasSuffix(".h5") }),
                  pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(folder + "/" + name)
        }
    }
}
