import Foundation
import Testing
import GANStorage

/// Inputs an attacker tried against the release binary after the hostile-input work: each must
/// end in one short `Error:` line, exit 1 and no signal or hang, and nothing may be clobbered.
@Suite("attacker regressions", .serialized)
struct AttackerRegressionTests {
    static func gan(_ arguments: [String]) throws -> Support.Run {
        try Support.run(try #require(Support.ganBinary), arguments, timeout: 60)
    }

    static func expectRefused(_ run: Support.Run, _ words: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = run.stderr.split(separator: "\n")
        #expect(run.status == 1, "\(run.output)", sourceLocation: sourceLocation)
        #expect(lines.count == 1 && lines[0].hasPrefix("Error:") && lines[0].count < 300 && lines[0].contains(words),
                "\(run.stderr)", sourceLocation: sourceLocation)
    }

    /// A plugin configuration that does not fit names the origin of the field at fault first,
    /// and what it is about survives the cut of a long line: a deep recipe path, a long list of
    /// unknown fields. The cut counts Unicode scalars (a letter with 20,000 combining marks is one
    /// character), and invisible characters that reorder a terminal's text are escaped.
    @Test func configurationErrorsNameTheirOriginAndSurviveTheCut() throws {
        let folder = Support.temporaryFolder() + "/" + String(repeating: "a", count: 60) + "/" + String(repeating: "b", count: 60)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let recipe = folder + "/recipe.json"
        try FileManager.default.copyItem(atPath: Support.packageRoot + "/models/dcgan-mnist/recipe.json", toPath: recipe)
        let other = try Self.gan(["train", "--recipe", recipe, "--arch", "mlp", "--print-recipe"])
        Self.expectRefused(other, "architectureConfiguration from recipe ...")
        #expect(other.stderr.contains("/recipe.json: invalid configuration for 'mlp': unknown field(s) batchNormEpsilon, batchNormMomentum, "
                                      + "discriminatorChannels, generatorChannels, initStd"), "\(other.stderr)")
        // The bad value is the flag's, though the recipe gave the other fields.
        let flag = try Self.gan(["train", "--recipe", recipe, "--arch-config", #"{"generatorChannels":"64"}"#, "--print-recipe"])
        Self.expectRefused(flag, #"architectureConfiguration from --arch-config: invalid configuration for 'dcgan': generatorChannels: "64""#)
        // A field named inside another's name is not blamed ("initStd" in "initStdev"), and the
        // known name it looks like comes first.
        let typo = try Self.gan(["train", "--recipe", recipe, "--arch-config", #"{"initStdev":0.03}"#, "--print-recipe"])
        Self.expectRefused(typo, "architectureConfiguration from --arch-config: invalid configuration for 'dcgan': unknown field(s) initStdev (known: initStd, ")
        let epochz = Support.temporaryFolder() + "/epochz.json"
        try #"{"epochz":3}"#.write(toFile: epochz, atomically: true, encoding: .utf8)
        Self.expectRefused(try Self.gan(["train", "--recipe", epochz, "--print-recipe"]), "unknown field(s) epochz (known: epochs, ")
        // Not a configuration's fault: no origin.
        let conditional = try Self.gan(["train", "--arch", "dcgan", "--arch-config", #"{"initStd":0.03}"#, "--conditional", "--print-recipe"])
        Self.expectRefused(conditional, "Error: invalid configuration for 'dcgan': it builds no conditional networks")
        let marks = try Self.gan(["train", "--arch-config", "{\"a" + String(repeating: "\u{301}", count: 20_000) + "\":1}", "--print-recipe"])
        #expect(marks.status == 1 && marks.stderr.unicodeScalars.count < 310, "\(marks.stderr.utf8.count) bytes")
        let hidden = try Self.gan(["train", "--arch-config", "{\"x\u{202E}y\u{200B}z\u{2028}w\u{3164}v\u{34F}\":1}", "--print-recipe"])
        Self.expectRefused(hidden, #"unknown field(s) x\u{202e}y\u{200b}z\u{2028}w\u{3164}v\u{34f}"#)
    }

    @Test func plotRefusesValuesItCannotDrawAndNeverReplacesItsLog() throws {
        let folder = Support.temporaryFolder()
        let log = folder + "/v.csv"
        let contents = "epoch,step,validation_parzen,sigma,seconds\n1,1,1e308,0.2,1\n2,2,-1e308,0.2,1\n"
        try contents.write(toFile: log, atomically: true, encoding: .utf8)
        Self.expectRefused(try Self.gan(["plot", "--csv", log, "--out", folder + "/p.png"]), "within ±1e12")
        try "epoch,step,validation_parzen,sigma,seconds\n1,1,5,0.2,1\n".write(toFile: log, atomically: true, encoding: .utf8)
        Self.expectRefused(try Self.gan(["plot", "--csv", log, "--out", log]), "is the log")
        #expect(try String(contentsOfFile: log, encoding: .utf8).hasPrefix("epoch,"))
        // Values near the limit draw without trapping.
        try "epoch,step,validation_parzen,sigma,seconds\n-5,1,1e12,0.2,1\n1e12,2,-1e12,0.2,1\n".write(toFile: log, atomically: true, encoding: .utf8)
        #expect(try Self.gan(["plot", "--csv", log, "--out", folder + "/p.png"]).status == 0)
    }

    @Test func recipesWithNonScalarKeysOrDeepNestingAreRefused() throws {
        let folder = Support.temporaryFolder()
        try "[1]: 1\n".write(toFile: folder + "/y.yaml", atomically: true, encoding: .utf8)
        Self.expectRefused(try Self.gan(["train", "--recipe", folder + "/y.yaml", "--print-recipe"]), "not a field name")
        let deep = String(repeating: "{\"a\":", count: 100) + "1" + String(repeating: "}", count: 100)
        try deep.write(toFile: folder + "/deep.json", atomically: true, encoding: .utf8)
        Self.expectRefused(try Self.gan(["train", "--recipe", folder + "/deep.json", "--print-recipe"]), "deeper than 64 levels")
        let flag = try Self.gan(["train", "--arch-config", String(repeating: "[", count: 60_000), "--print-recipe"])
        Self.expectRefused(flag, "deeper than 64 levels")
    }

    @Test func outputsThatAreTheCommandsOwnInputsAreRefused() throws {
        let folder = Support.temporaryFolder()
        let weights = folder + "/w.h5"
        try FileManager.default.copyItem(atPath: Support.packageRoot + "/models/mlp-digit4/weights.h5", toPath: weights)
        let before = try Data(contentsOf: URL(fileURLWithPath: weights))
        Self.expectRefused(try Self.gan(["evaluate", "--weights", weights, "--samples", "10", "--validation", "10",
                                         "--test-limit", "10", "--json", weights]), "is the --weights file")
        #expect(try Data(contentsOf: URL(fileURLWithPath: weights)) == before)
        let out = folder + "/t.h5"
        Self.expectRefused(try Self.gan(["train", "--epochs", "1", "--hold-out-validation", "--validate-every", "1",
                                         "--validation-log", out, "--out", out] + ValidationRunTests.tiny), "is the --out file")
    }

    @Test func emptyOutputsAndSampleGridsInTheDataFolderAreRefusedBeforeTraining() throws {
        Self.expectRefused(try Self.gan(["train", "--epochs", "1", "--out", ""] + ValidationRunTests.tiny), "name a file")
        let data = Support.packageRoot + "/data/mnist-subset"
        Self.expectRefused(try Self.gan(["train", "--epochs", "1", "--samples-dir", data + "/grids", "--out",
                                         Support.temporaryFolder() + "/w.h5"] + ValidationRunTests.tiny), "inside the data folder")
        #expect(!FileManager.default.fileExists(atPath: data + "/grids"))
    }

    @Test func controlCharactersFromInputsAreEscapedIntoOneLine() throws {
        let run = try Self.gan(["inspect", "/tmp/no\nsuch\u{1B}[31mfile"])
        Self.expectRefused(run, "\\u{a}such\\u{1b}[31m")
        #expect(!run.stderr.contains("\u{1B}"))
    }

    /// Pruning deletes only checkpoints this run wrote: a folder named like a checkpoint and an
    /// earlier run's later checkpoint stay, and the run's newest checkpoint is kept.
    @Test func pruningTouchesOnlyThisRunsCheckpoints() throws {
        let folder = Support.temporaryFolder()
        let checkpoints = folder + "/ck"
        try FileManager.default.createDirectory(atPath: checkpoints + "/step-000000000.h5/sub", withIntermediateDirectories: true)
        try "keep me".write(toFile: checkpoints + "/step-000000000.h5/sub/data.txt", atomically: true, encoding: .utf8)
        try "an earlier run".write(toFile: checkpoints + "/step-999999999.h5", atomically: true, encoding: .utf8)
        let run = try Self.gan(["train", "--epochs", "3", "--checkpoint-every", "1", "--keep-checkpoints", "1",
                                "--checkpoint-dir", checkpoints, "--out", folder + "/w.h5"] + ValidationRunTests.tiny)
        #expect(run.status == 0, "\(run.output)")
        #expect(FileManager.default.fileExists(atPath: checkpoints + "/step-000000000.h5/sub/data.txt"))
        #expect(FileManager.default.fileExists(atPath: checkpoints + "/step-999999999.h5"))
        let ours = try FileManager.default.contentsOfDirectory(atPath: checkpoints).filter { $0.hasPrefix("step-") && $0 != "step-000000000.h5" && $0 != "step-999999999.h5" }
        #expect(ours.count == 1, "keep 1 of this run's checkpoints: \(ours)")
    }

    // MARK: the attack on issues 12 and 13's inputs

    static let tinyTrain = ["--digit", "4", "--arch-config", #"{"generatorHiddenSizes":[16],"discriminatorHiddenSizes":[8]}"#,
                            "--latent-size", "4", "--batch-size", "32", "--threads", "1"]

    /// Runs Python with h5py on a file: `script` sees the path as `path`.
    static func edit(_ path: String, _ script: String) throws {
        let run = try Support.run("/usr/bin/env", ["python3", "-c", "import h5py, json\npath = \"\(path)\"\n" + script])
        try #require(run.status == 0, "\(run.output)")
    }

    /// A checkpoint whose recipe (`training`) was edited to other sizes, plugins, loss or layer
    /// constraint is refused on loading; it crashed `--resume` with SIGILL (copying weights of
    /// one shape into another) or silently trained another model.
    @Test func aCheckpointWhoseRecipeDisagreesWithItsNetworksIsRefused() throws {
        let folder = Support.temporaryFolder()
        let trained = try Self.gan(["train", "--epochs", "1", "--checkpoint-every", "1", "--out", folder + "/run.h5"] + Self.tinyTrain)
        try #require(trained.status == 0, "\(trained.output)")
        let edits: [(String, String)] = [
            ("t['problem']['latentSize'] = 8", "disagrees with the file's problem"),
            ("t['loss'] = 'hinge'", "disagrees with the file's loss"),
            ("t['architectureConfiguration']['generatorActivation'] = 'relu'", "disagrees with the file's generator_config"),
            ("t['architecture'] = 'mlp-batchnorm'", "disagrees with the file's generator_architecture"),
            ("t['architectureConfiguration']['discriminatorMaxColumnNorm'] = 2", "disagrees with the file's generator_config"),
            ("t = {'epochs': 2}", "disagrees with the file's"),
        ]
        for (index, (change, words)) in edits.enumerated() {
            let copy = folder + "/edited-\(index).h5"
            try FileManager.default.copyItem(atPath: folder + "/run.h5", toPath: copy)
            try Self.edit(copy, """
                f = h5py.File(path, 'r+'); t = json.loads(f.attrs['training'])
                \(change)
                s = json.dumps(t).encode(); del f.attrs['training']; f.attrs.create('training', s, dtype='S%d' % len(s))
                """)
            Self.expectRefused(try Self.gan(["train", "--resume", copy, "--out", folder + "/out-\(index).h5"]), words)
            Self.expectRefused(try Self.gan(["sample", "--weights", copy, "--out", folder + "/s-\(index).png"]), words)
        }
        let constrained = folder + "/max-col-norm.h5"
        try FileManager.default.copyItem(atPath: folder + "/run.h5", toPath: constrained)
        try Self.edit(constrained, "f = h5py.File(path, 'r+'); f['discriminator/dense_0'].attrs['max_col_norm'] = 2.0")
        Self.expectRefused(try Self.gan(["train", "--resume", constrained, "--out", folder + "/o.h5"]), "sets no max-norm here")
    }

    /// `--data` overrides the data folder a checkpoint names, before anything is read there.
    @Test func dataOverridesTheFolderACheckpointNames() throws {
        let folder = Support.temporaryFolder()
        let trained = try Self.gan(["train", "--epochs", "1", "--checkpoint-every", "1", "--out", folder + "/run.h5"] + Self.tinyTrain)
        try #require(trained.status == 0, "\(trained.output)")
        let evil = folder + "/elsewhere"
        try Self.edit(folder + "/run.h5", """
            f = h5py.File(path, 'r+'); t = json.loads(f.attrs['training']); t['dataPath'] = '\(evil)'
            s = json.dumps(t).encode(); del f.attrs['training']; f.attrs.create('training', s, dtype='S%d' % len(s))
            """)
        Self.expectRefused(try Self.gan(["train", "--resume", folder + "/run.h5", "--epochs", "2", "--out", folder + "/a.h5"]), evil)
        let overridden = try Self.gan(["train", "--resume", folder + "/run.h5", "--epochs", "2", "--data", "mnist-subset",
                                       "--out", folder + "/b.h5"] + Self.tinyTrain)
        #expect(overridden.status == 0, "\(overridden.output)")
        let nearest = try Self.gan(["sample", "--weights", folder + "/b.h5", "--nearest", "--data", "mnist-subset", "--count", "4",
                                    "--out", folder + "/n.png"])
        #expect(nearest.status == 0, "\(nearest.output)")
    }

    /// A run that fails leaves the metrics log of the weights already at --out as it was.
    @Test func aFailedRunKeepsTheOldMetricsLog() throws {
        let folder = Support.temporaryFolder()
        let out = folder + "/good.h5"
        let good = try Self.gan(["train", "--epochs", "2", "--out", out] + Self.tinyTrain)
        try #require(good.status == 0, "\(good.output)")
        let log = try #require(Hostile.bytes(out + ".metrics.jsonl"))
        #expect(!log.isEmpty && !FileManager.default.fileExists(atPath: out + ".metrics.jsonl.partial"))
        let failed = try Self.gan(["train", "--epochs", "2", "--learning-rate", "1e30", "--out", out] + Self.tinyTrain)
        #expect(failed.status == 1 && failed.stderr.contains("diverged"), "\(failed.output)")
        #expect(Hostile.bytes(out + ".metrics.jsonl") == log, "the old log was replaced by a failed run's")
    }

    /// --print-recipe checks the plugins' configurations as training does.
    @Test func printRecipeRefusesWhatTrainingRefuses() throws {
        Self.expectRefused(try Self.gan(["train", "--arch-config", #"{"discriminatorMaxColumnNorm":-1}"#, "--print-recipe"]),
                           "discriminatorMaxColumnNorm must lie in")
        Self.expectRefused(try Self.gan(["train", "--arch-config", #"{"generatorHiddenSizes":[0]}"#, "--print-recipe", "--explain"]),
                           "generatorHiddenSizes")
        Self.expectRefused(try Self.gan(["train", "--recipe", Support.packageRoot + "/models/paper-mnist/recipe.json", "--arch", "mlp",
                                         "--print-recipe"]), "unknown field")
    }
}

/// The temporary name an atomic write uses is predictable; whatever is planted there is not
/// written through or waited on.
@Suite("atomic writes and planted temporary files")
struct PlantedTemporaryFileTests {
    @Test func aLinkOrFifoAtTheTemporaryNameIsReplacedNotFollowed() throws {
        let folder = Support.temporaryFolder()
        let victim = folder + "/victim.txt", out = folder + "/out.bin"
        try "precious".write(toFile: victim, atomically: true, encoding: .utf8)
        let temporary = AtomicFile.temporaryPath(for: out)
        #expect(symlink(victim, temporary) == 0)
        try AtomicFile.write([1, 2, 3], to: out)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious", "written through a planted link")
        #expect(FileManager.default.contents(atPath: out) == Data([1, 2, 3]))
        #expect(mkfifo(temporary, 0o644) == 0)
        try AtomicFile.write(to: out) { file in try file.root.setAttribute("x", 1) }  // would block on a FIFO
        #expect(!FileManager.default.fileExists(atPath: temporary))
        #expect(try HDF5File.open(out).root.intAttribute("x") == 1)
    }
}
