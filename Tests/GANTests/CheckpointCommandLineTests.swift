import Foundation
import GANLayers
import GANTensor
import GANZoo
import Testing

/// The real `gan` binary interrupted and killed while it trains.
@Suite("gan train checkpoints and signals", .serialized)
struct CheckpointCommandLineTests {
    static let tiny = ["--arch-config", #"{"generatorHiddenSizes":[24],"discriminatorHiddenSizes":[12]}"#, "--latent-size", "6",
                       "--batch-size", "40", "--seed", "11"]

    /// Starts `gan` with output to files; returns the process and the two paths.
    static func launch(_ arguments: [String], in folder: String) throws -> (Process, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Support.ganBinary))
        process.arguments = arguments
        let out = folder + "/stdout-\(UUID().uuidString.prefix(6)).txt", err = out.replacingOccurrences(of: "stdout", with: "stderr")
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        return (process, out, err)
    }

    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    static func weights(_ path: String) throws -> [[UInt32]] {
        let model = try ModelFile.load(path).model
        return (model.generator.namedParameters + model.discriminator.namedParameters).map { $0.parameter.value.array.map(\.bitPattern) }
    }

    /// A run that wrote no checkpoint removes the folder it created for its lock; a folder that
    /// was there before, or that holds checkpoints, stays.
    @Test func aRunWithoutCheckpointsLeavesNoFolderBehind() throws {
        let folder = Support.temporaryFolder()
        let gan = try #require(Support.ganBinary)
        let plain = try Support.run(gan, ["train", "--epochs", "1", "--out", folder + "/a.h5"] + Self.tiny)
        #expect(plain.status == 0, "\(plain.output)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/a-checkpoints"), "an empty checkpoint folder was left")
        try FileManager.default.createDirectory(atPath: folder + "/b-checkpoints", withIntermediateDirectories: false)
        #expect(try Support.run(gan, ["train", "--epochs", "1", "--out", folder + "/b.h5"] + Self.tiny).status == 0)
        #expect(FileManager.default.fileExists(atPath: folder + "/b-checkpoints"), "a folder the user made was removed")
        #expect(try Support.run(gan, ["train", "--epochs", "2", "--checkpoint-every", "1", "--out", folder + "/c.h5"] + Self.tiny).status == 0)
        let kept = try FileManager.default.contentsOfDirectory(atPath: folder + "/c-checkpoints").filter { $0.hasPrefix("step-") }
        #expect(kept.count == 2, "\(kept)")
    }

    @Test func ctrlCWritesACheckpointAndResumingMatchesAnUninterruptedRun() throws {
        let folder = Support.temporaryFolder()
        let reference = folder + "/reference.h5"
        let straight = try Support.run(try #require(Support.ganBinary), ["train", "--epochs", "3", "--out", reference] + Self.tiny)
        #expect(straight.status == 0, "\(straight.output)")

        let (process, out, err) = try Self.launch(["train", "--epochs", "400", "--out", folder + "/w.h5",
                                                   "--checkpoint-dir", folder + "/ck"] + Self.tiny, in: folder)
        let deadline = Date().addingTimeInterval(120)
        while !Self.read(out).contains("epoch   1/") && process.isRunning && Date() < deadline { usleep(20_000) }
        process.interrupt()  // SIGINT, as Ctrl-C sends
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "exit status \(process.terminationStatus): \(Self.read(err))")
        let message = Self.read(err)
        #expect(message.contains("interrupted at ") && message.contains("resume with: gan train --resume"), "\(message)")
        let checkpoint = try #require(message.components(separatedBy: "--resume ").last?.components(separatedBy: " ").first)
        #expect(FileManager.default.fileExists(atPath: checkpoint))
        #expect(!FileManager.default.fileExists(atPath: folder + "/w.h5"), "an interrupted run writes no final weights")

        // The original command's training flags may come along when they equal the checkpoint's.
        let resumed = try Support.run(try #require(Support.ganBinary), ["train", "--resume", checkpoint, "--epochs", "3",
                                                                         "--out", folder + "/w.h5"] + Self.tiny)
        #expect(resumed.status == 0, "\(resumed.output)")
        // The resumed run names the position as the interrupt did ("epoch 2, step 115" both times).
        let position = try #require(message.components(separatedBy: "interrupted at ").last?.components(separatedBy: " by SIG").first)
        #expect(resumed.stdout.contains(" from \(position)"), "interrupted at \(position), resumed: \(resumed.stdout.prefix(300))")
        #expect(try Self.weights(folder + "/w.h5") == Self.weights(reference), "interrupted + resumed == uninterrupted")

        let again = try Support.run(try #require(Support.ganBinary), ["train", "--resume", folder + "/w.h5", "--out", folder + "/x.h5"])
        #expect(again.status != 0 && again.stderr.contains("has already finished 3 of 3 epochs"), "\(again.output)")
        let mixed = try Support.run(try #require(Support.ganBinary), ["train", "--resume", checkpoint, "--loss", "hinge"])
        #expect(mixed.status != 0 && mixed.stderr.contains(#"loss: checkpoint "non-saturating", given "hinge""#), "\(mixed.output)")
        let changed = try Support.run(try #require(Support.ganBinary), ["train", "--resume", checkpoint, "--seed", "12", "--batch-size", "40"])
        #expect(changed.status != 0 && changed.stderr.contains("1 setting(s) given differ") && changed.stderr.contains("seed: checkpoint 11, given 12"),
                "only the differing flag is listed: \(changed.output)")
        // A side without its own configuration builds from the shared one: a per-side flag equal
        // to it is no difference, one that differs is compared with it, not with "(unset)".
        let sides = try Support.run(try #require(Support.ganBinary), ["train", "--resume", checkpoint, "--seed", "12", "--generator-config",
                                                                      #"{"generatorHiddenSizes":[24]}"#, "--discriminator-config",
                                                                      #"{"discriminatorHiddenSizes":[13]}"#])
        #expect(sides.status != 0 && sides.stderr.contains("2 setting(s) given differ")
                && sides.stderr.contains("discriminatorConfiguration.discriminatorHiddenSizes: checkpoint [12], given [13]")
                && !sides.stderr.contains("generator"), "\(sides.output)")
        // A per-side flag replaces the shared configuration (the plugin's defaults for what it
        // leaves out), so naming one field of a checkpoint that set others is a difference.
        let replaced = try Support.run(try #require(Support.ganBinary), ["train", "--resume", checkpoint, "--generator-config",
                                                                         #"{"generatorHiddenSizes":[24],"leakyReLUAlpha":0.3}"#])
        #expect(replaced.status != 0 && replaced.stderr.contains("generatorConfiguration.leakyReLUAlpha: checkpoint 0.2, given 0.3"),
                "\(replaced.output)")
    }

    /// A per-side flag on resume means what it means in a fresh run: the plugin's defaults for
    /// what it leaves out, so it must repeat what the checkpoint's shared configuration set.
    @Test func aPerSideFlagOnResumeIsComparedAsTheNetworkItBuilds() throws {
        let folder = Support.temporaryFolder()
        let shared = #"{"generatorHiddenSizes":[24],"discriminatorHiddenSizes":[12],"leakyReLUAlpha":0.1}"#
        let train = try Support.run(try #require(Support.ganBinary), ["train", "--digit", "4", "--epochs", "2", "--checkpoint-every", "1",
                                                                      "--arch-config", shared, "--threads", "1", "--out", folder + "/w.h5"])
        #expect(train.status == 0, "\(train.output)")
        let checkpoint = folder + "/w-checkpoints/step-000000025.h5"  // the end of epoch 1 (400 images of 4s, batch 16)
        let partial = try Support.run(try #require(Support.ganBinary), ["train", "--resume", checkpoint, "--out", folder + "/p.h5",
                                                                        "--generator-config", #"{"generatorHiddenSizes":[24]}"#])
        #expect(partial.status == 1 && partial.stderr.contains("the generator it would build: leakyReLUAlpha: checkpoint 0.1, given 0.2"),
                "\(partial.output)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/p.h5"))
        let whole = try Support.run(try #require(Support.ganBinary), ["train", "--resume", checkpoint, "--out", folder + "/q.h5",
                                                                      "--generator-config", #"{"generatorHiddenSizes":[24],"leakyReLUAlpha":0.1}"#])
        #expect(whole.status == 0, "the generator's own fields repeated: \(whole.output)")
        // A setting that shows only at initialisation from the data's mean is still part of the
        // network a flag would build.
        let noBias = try Support.run(try #require(Support.ganBinary), ["train", "--digit", "4", "--epochs", "2", "--checkpoint-every", "1",
                                                                       "--arch-config", #"{"outputBiasFromDataMean":false}"#, "--threads", "1",
                                                                       "--out", folder + "/n.h5"])
        #expect(noBias.status == 0, "\(noBias.output)")
        let bias = try Support.run(try #require(Support.ganBinary), ["train", "--resume", folder + "/n-checkpoints/step-000000025.h5",
                                                                     "--out", folder + "/nb.h5", "--generator-config", #"{"generatorHiddenSizes":[512]}"#])
        #expect(bias.status == 1 && bias.stderr.contains("outputBiasFromDataMean: checkpoint false, given true"), "\(bias.output)")
        // Plugins compare as each network uses them; a field named for the other network feeds
        // nothing on this one.
        let plugins = try Support.run(try #require(Support.ganBinary), ["train", "--resume", checkpoint, "--out", folder + "/r.h5",
                                                                        "--generator", "mlp", "--discriminator", "mlp", "--generator-config", shared])
        #expect(plugins.status == 0, "\(plugins.output)")

        // A run with a configuration per network: --arch-config then feeds neither network, and
        // a value it sets must still be the checkpoint's on the networks it names.
        let perSide = try Support.run(try #require(Support.ganBinary), ["train", "--digit", "4", "--epochs", "2", "--checkpoint-every", "1",
                                                                        "--generator-config", shared, "--discriminator-config", shared,
                                                                        "--threads", "1", "--out", folder + "/s.h5"])
        #expect(perSide.status == 0, "\(perSide.output)")
        let ignored = try Support.run(try #require(Support.ganBinary), ["train", "--resume", folder + "/s-checkpoints/step-000000025.h5",
                                                                        "--out", folder + "/t.h5", "--arch-config",
                                                                        #"{"generatorHiddenSizes":[24],"leakyReLUAlpha":0.3}"#])
        #expect(ignored.status == 1 && ignored.stderr.contains("1 setting(s) given differ") && ignored.stderr.contains("architectureConfiguration.leakyReLUAlpha: checkpoint 0.1, given 0.3")
                && !ignored.stderr.contains("generatorHiddenSizes"), "\(ignored.output)")
        let same = try Support.run(try #require(Support.ganBinary), ["train", "--resume", folder + "/s-checkpoints/step-000000025.h5",
                                                                     "--out", folder + "/u.h5", "--arch-config", shared])
        #expect(same.status == 0, "the same networks: \(same.output)")
    }

    /// The original command line resumes: values the plugin rounds or respells (a float of
    /// nine digits, "uniform:1"), --threads 0, and a shared configuration beside a per-side one
    /// (which then feeds only the other network).
    @Test func theOriginalCommandLineResumes() throws {
        let folder = Support.temporaryFolder()
        let commands: [[String]] = [
            ["--threads", "0", "--arch-config",
             #"{"generatorHiddenSizes":[16],"discriminatorHiddenSizes":[8],"leakyReLUAlpha":0.333333333,"initializer":"uniform:1"}"#],
            ["--threads", "1", "--arch-config", #"{"leakyReLUAlpha":0.1,"discriminatorHiddenSizes":[16]}"#,
             "--generator-config", #"{"generatorHiddenSizes":[24]}"#],
            ["--threads", "1", "--arch", "maxout-dropout", "--discriminator", "mlp", "--arch-config",
             #"{"discriminatorUnits":[16],"discriminatorPieces":2,"generatorHiddenSizes":[32]}"#,
             "--generator-config", #"{"generatorHiddenSizes":[16],"generatorInitScale":0.1}"#],
        ]
        for (index, flags) in commands.enumerated() {
            let common = ["--digit", "4", "--epochs", "2", "--checkpoint-every", "1"] + flags
            let train = try Support.run(try #require(Support.ganBinary), ["train", "--out", folder + "/w\(index).h5"] + common)
            #expect(train.status == 0, "\(train.output)")
            // The end of epoch 1 (the plugins' batch sizes differ).
            let checkpoints = folder + "/w\(index)-checkpoints"
            let first = try #require(try FileManager.default.contentsOfDirectory(atPath: checkpoints).filter { $0.hasSuffix(".h5") }.sorted().first)
            let resumed = try Support.run(try #require(Support.ganBinary), ["train", "--resume", checkpoints + "/" + first,
                                                                             "--out", folder + "/r\(index).h5"] + common)
            #expect(resumed.status == 0, "\(flags): \(resumed.output)")
        }
        // That last run's shared configuration fed no network; a value it recorded is still
        // compared as recorded.
        let mixed = folder + "/w2-checkpoints/" + (try #require(try FileManager.default.contentsOfDirectory(atPath: folder + "/w2-checkpoints").filter { $0.hasSuffix(".h5") }.sorted().first))
        let other = try Support.run(try #require(Support.ganBinary), ["train", "--resume", mixed,
                                                                       "--out", folder + "/o.h5", "--arch-config", #"{"discriminatorUnits":[240,240]}"#])
        #expect(other.status == 1 && other.stderr.contains("architectureConfiguration.discriminatorUnits: checkpoint [16], given [240,240]"),
                "\(other.output)")
    }

    /// SIGKILL at random moments, resuming from the newest checkpoint each time: every file
    /// under a checkpoint's real name is whole, and the final weights equal an uninterrupted run's.
    @Test func killedAtRandomMomentsNeverLeavesABrokenCheckpoint() throws {
        let folder = Support.temporaryFolder()
        let data = ["--epochs", "16", "--digit", "1", "--digit", "7"] + Self.tiny
        let checkpointing = ["--checkpoint-every", "3steps", "--keep-checkpoints", "2"]
        let started = Date()
        let reference = try Support.run(try #require(Support.ganBinary),
                                        ["train", "--out", folder + "/reference.h5", "--checkpoint-dir", folder + "/ref-ck"] + data + checkpointing)
        #expect(reference.status == 0, "\(reference.output)")
        // Kill times are drawn across the length of a whole run, whatever this machine's speed.
        let duration = Date().timeIntervalSince(started)

        var rng = RandomGenerator(seed: 99)
        var kills = 0, finished = false, checkedFiles = 0
        let ck = folder + "/ck"
        for _ in 0..<60 where !finished {
            let latest = ((try? FileManager.default.contentsOfDirectory(atPath: ck)) ?? [])
                .filter { $0.hasPrefix("step-") && $0.hasSuffix(".h5") }.sorted().last
            let start = latest.map { ["train", "--resume", ck + "/" + $0] } ?? (["train"] + data)
            let (process, _, err) = try Self.launch(start + ["--out", folder + "/w.h5", "--checkpoint-dir", ck] + checkpointing,
                                                    in: folder)
            // Early enough in each run that kills land even when a busy machine made the reference slow.
            usleep(UInt32(duration * 1e6 * (0.08 + 0.2 * Double(rng.next() % 1000) / 1000)))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            if process.terminationReason == .exit {
                #expect(process.terminationStatus == 0, "\(Self.read(err))")
                finished = process.terminationStatus == 0
            }
            for name in (try? FileManager.default.contentsOfDirectory(atPath: ck)) ?? [] where name.hasPrefix("step-") {
                #expect(throws: Never.self, "\(name) is broken after a kill") { _ = try ModelFile.load(ck + "/" + name) }
                checkedFiles += 1
            }
        }
        print("kill test: \(kills) SIGKILLs, \(checkedFiles) checkpoint files loaded whole afterwards")
        #expect(finished, "training never finished")
        #expect(kills >= 3, "only \(kills) kills landed; the test did not exercise crashes")
        #expect(checkedFiles > kills)
        #expect(try Self.weights(folder + "/w.h5") == Self.weights(folder + "/reference.h5"))
    }

    @Test func divergenceStopsNamingTheStepAndKeepsTheOldFile() throws {
        let folder = Support.temporaryFolder()
        let existing = folder + "/w.h5"
        try Data("an older good file".utf8).write(to: URL(fileURLWithPath: existing))
        let run = try Support.run(try #require(Support.ganBinary),
                                  ["train", "--epochs", "2", "--digit", "4", "--learning-rate", "1e30", "--out", existing] + Self.tiny)
        #expect(run.status != 0)
        #expect(run.stderr.contains("training diverged at step") && run.stderr.contains("not finite"), "\(run.output)")
        #expect(run.stderr.contains("no checkpoint was written"), "\(run.output)")
        #expect(Self.read(existing) == "an older good file")
    }

    /// With rollback, a divergence sends training back to an earlier checkpoint with lower
    /// learning rates (at most 3 times); it ends either trained or with the usual error.
    @Test func rollbackReturnsToACheckpointWithALowerLearningRate() throws {
        let folder = Support.temporaryFolder()
        let run = try Support.run(try #require(Support.ganBinary),
                                  ["train", "--epochs", "3", "--digit", "4", "--learning-rate", "10", "--checkpoint-every", "1steps",
                                   "--on-divergence", "rollback", "--out", folder + "/w.h5"])
        #expect(run.stdout.contains("rolling back to \(folder)/w-checkpoints/step-") && run.stdout.contains("scaled by 0.5 (rollback 1 of 3)"),
                "\(run.output)")
        let rollbacks = run.stdout.components(separatedBy: "rolling back to").count - 1
        #expect((1...3).contains(rollbacks))
        if run.status == 0 {
            #expect(FileManager.default.fileExists(atPath: folder + "/w.h5"))
        } else {
            #expect(rollbacks == 3 && run.stderr.contains("last good checkpoint"), "\(run.output)")
        }
    }
}
