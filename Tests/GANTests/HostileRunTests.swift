import Foundation
import GANZoo
import Testing

/// Hostile flags, recipes, outputs and faults (issue 11, classes 2, 3, 5, 7, 8, 9 and 10):
/// each gives one `Error:` line naming the flag or file and exit status 1 (143 for SIGTERM),
/// with no signal, no hang, and nothing clobbered.
@Suite("Hostile flags, outputs and faults", .serialized)
struct HostileRunTests {
    static let tiny = ["--arch-config", #"{"generatorHiddenSizes":[24],"discriminatorHiddenSizes":[12]}"#, "--latent-size", "6",
                       "--batch-size", "40", "--digit", "4", "--seed", "5"]

    // MARK: Class 3: sizes and counts from flags

    @Test func outOfRangeFlagsAreRefusedBeforeAnyWork() throws {
        let folder = try Hostile.workspace()
        let weights = folder + "/seed.h5", out = folder + "/w.h5"
        let cases: [([String], String)] = [
            (["evaluate", "--weights", weights, "--digit", "300"], "--digit"),
            (["evaluate", "--weights", weights, "--digit=-1"], "--digit"),
            (["evaluate", "--weights", weights, "--samples", "1000000000"], "--samples"),
            (["sample", "--weights", weights, "--count", "1000000000"], "--count"),
            (["sample", "--weights", weights, "--count", "4", "--columns", "1000000000"], "--columns"),
            // 100,001: one past the limit (2^20, the old one, needed 3.3 GB).
            (["sample", "--weights", weights, "--count", "100001"], "--count"),
            (["sample", "--weights", weights, "--count", "4", "--columns", "100001"], "--columns"),
            (["bench", "--batch-size", "0"], "--batch-size"),
            (["classifier", "--data", "mnist-subset", "--out", folder + "/c.h5", "--epochs=-1"], "--epochs"),
            (["classifier", "--data", "mnist-subset", "--out", folder + "/c.h5", "--threads", "100000"], "--threads"),
            (["train", "--epochs", "1000000000000", "--out", out], "epochs"),
            (["train", "--latent-size", "1000000000", "--out", out], "latentSize"),
            (["train", "--arch-config", #"{"generatorHiddenSizes":[1000000000]}"#, "--out", out], "generatorHiddenSizes"),
            (["train", "--arch-config", #"{"generatorHiddenSizes":[16384,16384,16384]}"#, "--out", out], "parameters"),
            // Each layer within the per-layer limit, the network over the total one.
            (["train", "--arch-config", "{\"generatorHiddenSizes\":[" + Array(repeating: "4096", count: 20).joined(separator: ",") + "]}",
              "--out", out], "the limit per network"),
            (["train", "--arch", "maxout-dropout", "--arch-config", #"{"discriminatorPieces":100000}"#, "--out", out], "discriminatorPieces"),
            (["train", "--final-momentum", "0.7", "--momentum-ramp-end", "9223372036854775807", "--out", out], "momentum ramp"),
            (["train", "--noise-scale=-1e30", "--out", out], "noise scale"),
            (["train", "--batch-size", "1000000000", "--out", out], "batch size"),
            // Within the batch-size limit, but 5.5 GiB of DCGAN buffers (it aborted allocating).
            (["train", "--arch", "dcgan", "--batch-size", "4000", "--out", out], "batch size 4000"),
            // A fraction where a whole number belongs: the decoder's own words named no field.
            (["train", "--arch", "dcgan", "--arch-config", #"{"discriminatorChannels":[32.5,64]}"#, "--out", out],
             "architectureConfiguration from --arch-config: invalid configuration for 'dcgan': discriminatorChannels: [32.5,64] is not of this field's type (the default: [32,64,128])"),
        ]
        for (arguments, subject) in cases {
            Hostile.expectRefused(try Hostile.gan(arguments, timeout: 60), naming: subject)
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    // MARK: Class 5: hangs

    @Test func yamlAliasBombAndDuplicateKeysAreRefused() throws {
        let folder = Support.temporaryFolder()
        var lines = [#"a: &a ["x","x","x","x","x","x","x","x","x"]"#]
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
        }
        let bomb = folder + "/bomb.yaml"
        try lines.joined(separator: "\n").write(toFile: bomb, atomically: true, encoding: .utf8)  // ~450 bytes, 9^9 nodes
        Hostile.expectRefused(try Hostile.gan(["train", "--recipe", bomb, "--print-recipe"], timeout: 30), naming: bomb,
                              saying: "expands to more than")
        let duplicate = folder + "/duplicate.yaml"
        try "epochs: 3\nepochs: 5\n".write(toFile: duplicate, atomically: true, encoding: .utf8)
        Hostile.expectRefused(try Hostile.gan(["train", "--recipe", duplicate, "--print-recipe"]), naming: duplicate)
        // Anchors and aliases within the budget still work (the zoo's recipes may share a block).
        let shared = folder + "/shared.yaml"
        try "generatorOptimizer: &opt {kind: adam, learningRate: 0.0003}\ndiscriminatorOptimizer: *opt\n"
            .write(toFile: shared, atomically: true, encoding: .utf8)
        let printed = try Hostile.gan(["train", "--recipe", shared, "--print-recipe"])
        #expect(printed.status == 0 && printed.stdout.components(separatedBy: "0.0003").count == 3, "\(printed.output)")
    }

    /// pthread_create failing (a thread limit) made the product splitter spin forever. An
    /// LD_PRELOAD shim, compiled here, fails it for threads started by the gan binary itself.
    @Test func failingPthreadCreateFallsBackToOneThread() throws {
        let folder = Support.temporaryFolder()
        let source = folder + "/nothreads.c", library = folder + "/nothreads.so"
        try """
            #define _GNU_SOURCE
            #include <dlfcn.h>
            #include <errno.h>
            #include <pthread.h>
            #include <string.h>
            typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
            int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg) {
                Dl_info info;
                if (dladdr((void *)start, &info) && info.dli_fname && strstr(info.dli_fname, "/gan") && !strstr(info.dli_fname, ".so"))
                    return EAGAIN;
                return ((create_fn)dlsym(RTLD_NEXT, "pthread_create"))(thread, attr, start, arg);
            }
            """.write(toFile: source, atomically: true, encoding: .utf8)
        let compiled = try Support.run("/usr/bin/env", ["clang", "-shared", "-fPIC", "-o", library, source, "-ldl"])
        try #require(compiled.status == 0, "clang (from the Swift toolchain) could not build the shim: \(compiled.output)")
        let run = try Hostile.gan(["train", "--epochs", "1", "--threads", "2", "--arch-config",
                                   #"{"generatorHiddenSizes":[256],"discriminatorHiddenSizes":[128]}"#, "--batch-size", "64",
                                   "--digit", "4", "--out", folder + "/w.h5"], timeout: 60, environment: ["LD_PRELOAD": library])
        #expect(!run.timedOut && !run.signaled && run.status == 0, "\(run.output.suffix(400))")
        #expect(FileManager.default.fileExists(atPath: folder + "/w.h5"))
    }

    // MARK: Class 2: devices and FIFOs are never replaced

    @Test func existingDevicesAndFIFOsAreRefusedNotReplaced() throws {
        let folder = try Hostile.workspace()
        let fifo = folder + "/fifo", device = folder + "/null"
        #expect(mkfifo(fifo, 0o644) == 0)
        // A character device like /dev/null (1, 3), made here so that the real one is never at risk.
        let targets = [fifo] + (mknod(device, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0 ? [device] : [])
        for target in targets {
            let cases: [([String], String)] = [
                (["train", "--epochs", "1", "--out", target] + Self.tiny, "--out"),
                (["sample", "--weights", folder + "/seed.h5", "--out", target], "--out"),
                (["sample", "--weights", folder + "/seed.h5", "--out", folder + "/s.png", "--save-noise", target], "--save-noise"),
                (["evaluate", "--weights", folder + "/seed.h5", "--json", target], "--json"),
            ]
            for (arguments, flag) in cases {
                Hostile.expectRefused(try Hostile.gan(arguments, timeout: 60), naming: flag, saying: target)
                var status = stat()
                #expect(stat(target, &status) == 0 && status.st_mode & S_IFMT != S_IFREG, "\(target) was replaced")
            }
        }
    }

    // MARK: Class 7: disk full

    @Test func aFileSizeLimitGivesAnErrorKeepsTheOldFileAndLeavesNoTemporary() throws {
        let folder = Support.temporaryFolder()
        let out = folder + "/w.h5"
        let good = try Hostile.gan(["train", "--epochs", "1", "--out", out] + Self.tiny)
        try #require(good.status == 0, "\(good.output)")
        let before = try #require(Hostile.bytes(out))
        // ulimit -f 16: at most 8 KiB per file, less than the weights need (EFBIG, as on a full disk).
        let run = try Hostile.gan(["train", "--epochs", "1", "--seed", "9", "--out", out] + Self.tiny.dropLast(2),
                                  fileSizeLimitBlocks: 16)
        Hostile.expectRefused(run, naming: out)
        #expect(Hostile.bytes(out) == before, "the previous good file was clobbered")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    // MARK: Classes 8 and 9: SIGTERM and two runs on one folder

    @Test func sigtermCheckpointsLikeSigintAndASecondRunIsLockedOut() throws {
        let folder = Support.temporaryFolder()
        let out = folder + "/w.h5", checkpoints = folder + "/ck"
        try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
        // A checkpoint temporary of a process that no longer exists (killed while writing).
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let stale = checkpoints + "/.step-000000007.h5.tmp-\(gone.processIdentifier)"
        _ = FileManager.default.createFile(atPath: stale, contents: Data("half a checkpoint".utf8))

        let (first, stdout, stderr) = try CheckpointCommandLineTests.launch(
            ["train", "--epochs", "100000", "--out", out, "--checkpoint-dir", checkpoints] + Self.tiny, in: folder)
        let deadline = Date().addingTimeInterval(120)
        while !CheckpointCommandLineTests.read(stdout).contains("epoch   1/") && first.isRunning && Date() < deadline { usleep(20_000) }
        #expect(!FileManager.default.fileExists(atPath: stale), "the stale temporary checkpoint was not removed")

        let second = try Hostile.gan(["train", "--epochs", "2", "--out", folder + "/other.h5", "--checkpoint-dir", checkpoints] + Self.tiny)
        Hostile.expectRefused(second, naming: checkpoints, saying: "PID \(first.processIdentifier)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/other.h5"))

        first.terminate()  // SIGTERM, as timeout, Slurm, docker stop and systemd send
        first.waitUntilExit()
        #expect(first.terminationReason == .exit && first.terminationStatus == 143,
                "exit status \(first.terminationStatus): \(CheckpointCommandLineTests.read(stderr))")
        let message = CheckpointCommandLineTests.read(stderr)
        #expect(message.contains("by SIGTERM") && message.contains("resume with: gan train --resume"), "\(message)")
        let checkpoint = try #require(message.components(separatedBy: "--resume ").last?.components(separatedBy: " ").first)
        // "interrupted at epoch 3, step ..." or "interrupted at the end of epoch 2, step ...".
        let at = try #require(message.components(separatedBy: "interrupted at ").last)
        let epoch = try #require(Int(at.components(separatedBy: "epoch ").dropFirst().first?.prefix { $0.isNumber } ?? ""))
        let resumed = try Hostile.gan(["train", "--resume", checkpoint, "--epochs", String(epoch + 1), "--out", out])
        #expect(resumed.status == 0, "\(resumed.output)")
    }

    // MARK: Class 10: silent acceptance and confusing errors

    @Test func duplicateKeysRangesAndHugeInputsGiveShortNamedErrors() throws {
        let folder = try Hostile.workspace()
        let recipe = folder + "/recipe.json"
        let cases: [(String, String)] = [
            (#"{"epochs": 3, "epochs": 5}"#, "epochs appears twice"),
            (#"{"generatorOptimizer": {"kind": "adam", "epsilon": -1}}"#, "epsilon"),
            (#"{"discriminatorOptimizer": {"beta2": 1.5}}"#, "beta2"),
            (#"{"problem": {"noise": {"scale": -1e30}}}"#, "noise scale"),
            (#"{"generatorOptimizer": {"learningRate": 1e39}}"#, "generatorOptimizer.learningRate: the number 1e39 is out of range"),
            (#"{"epochs": 99999999999999999999999}"#, "epochs: the number"),
            // A wrong type inside an object: the field within it is named, with its default.
            (#"{"problem": {"sampleShape": "28"}}"#, #"problem.sampleShape: "28" is not of this field's type (the default: [28,28])"#),
            (#"{"batchSize": "64"}"#, #"batchSize: "64" is not of this field's type (the default: 16)"#),
            ("{\"x\": \"" + String(repeating: "a", count: 200_000) + "\", }", recipe),
        ]
        for (text, reason) in cases {
            try text.write(toFile: recipe, atomically: true, encoding: .utf8)
            Hostile.expectRefused(try Hostile.gan(["train", "--recipe", recipe, "--out", folder + "/w.h5"]), naming: recipe, saying: reason)
        }
        let huge = "{\"generatorHiddenSizes\": [" + String(repeating: "1,", count: 60_000) + "]"
        Hostile.expectRefused(try Hostile.gan(["train", "--arch-config", huge, "--out", folder + "/w.h5"]), naming: "--arch-config")
        Hostile.expectRefused(try Hostile.gan(["train", "--arch-config", #"{"generatorHiddenSizes":[8],"generatorHiddenSizes":[9]}"#,
                                               "--out", folder + "/w.h5"]), naming: "--arch-config", saying: "appears twice")
        Hostile.expectRefused(try Hostile.gan(["train", "--epochs", String(repeating: "9", count: 100_000)]), naming: "--epochs")

        let samples = folder + "/s.npy"
        Hostile.expectRefused(try Hostile.gan(["sample", "--weights", folder + "/seed.h5", "--format", "npy", "--out", samples,
                                               "--save-noise", folder + "/./s.npy"]), naming: "--save-noise")
        #expect(!FileManager.default.fileExists(atPath: samples))
        // A file where the samples folder should be: a plain message, not NSCocoaErrorDomain.
        _ = FileManager.default.createFile(atPath: folder + "/grids", contents: Data())
        let run = try Hostile.gan(["train", "--samples-dir", folder + "/grids", "--out", folder + "/w.h5"] + Self.tiny)
        Hostile.expectRefused(run, naming: "--samples-dir")
        #expect(!run.stderr.contains("NSCocoaErrorDomain"))
        let checkpointFolder = try Hostile.gan(["train", "--checkpoint-dir", folder + "/grids", "--out", folder + "/w.h5"] + Self.tiny)
        Hostile.expectRefused(checkpointFolder, naming: folder + "/grids", saying: "exists and is not a folder")
        #expect(!FileManager.default.fileExists(atPath: folder + "/w.h5"))
    }
}
