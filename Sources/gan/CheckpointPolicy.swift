import ArgumentParser
import Foundation
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

    /// Checkpoints in the folder, oldest first.
    func existing() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix("step-") && $0.hasSuffix(".h5") }.sorted().map { folder + "/" + $0 }
    }

    func latest() -> String? { existing().last }

    func prune() {
        for old in existing().dropLast(keep) { try? FileManager.default.removeItem(atPath: old) }
    }
}

enum DivergencePolicy: String, ExpressibleByArgument, CaseIterable {
    case stop, rollback
}
