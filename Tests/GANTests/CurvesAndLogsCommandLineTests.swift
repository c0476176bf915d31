import Foundation
import GANLogging
import GANZoo
import Testing

/// `gan train`'s metrics log and TensorBoard files, read back by the real `tensorboard`
/// package; `gan plot`'s SVG; weights exports keeping the history.
@Suite("curves and logs: gan train and gan plot", .serialized)
struct CurvesAndLogsCommandLineTests {
    static let timing: Set<String> = ["samples_per_second", "elapsed_seconds"]

    /// The log's rows as JSON objects without the timing columns.
    static func rowsWithoutTiming(_ path: String) throws -> [[String: String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return object.filter { !timing.contains($0.key) }.mapValues { "\($0)" }
        }
    }

    static func gan(_ arguments: [String]) throws -> Support.Run {
        try Support.run(try #require(Support.ganBinary), arguments)
    }

    /// An uninterrupted run against one stopped by SIGINT and resumed from an earlier checkpoint
    /// (so the log holds rows past it): the same rows except the timing columns, and TensorBoard
    /// files that the tensorboard package reads back as the log's values.
    @Test func anInterruptedAndResumedRunLogsTheRowsOfAnUninterruptedOne() throws {
        let folder = Support.temporaryFolder()
        let tiny = CheckpointCommandLineTests.tiny + ["--digit", "4"]  // 400 images: 10 steps per epoch
        let reference = try Self.gan(["train", "--epochs", "4", "--log-every", "3", "--out", folder + "/a.h5",
                                      "--tensorboard", folder + "/tb-a"] + tiny)
        #expect(reference.status == 0, "\(reference.output)")
        #expect(reference.stdout.contains("epoch   4/4") && reference.stdout.contains("elapsed ") && reference.stdout.contains("ETA "),
                "\(reference.stdout)")
        let rows = try MetricsLog.rows(of: folder + "/a.h5.metrics.jsonl")
        // 10 steps per epoch: a row every 3 steps and at each epoch's end.
        #expect(rows.map(\.step) == [3, 6, 9, 10, 12, 15, 18, 20, 21, 24, 27, 30, 33, 36, 39, 40])
        #expect(rows.filter(\.epochEnd).map(\.epoch) == [1, 2, 3, 4] && rows.allSatisfy { $0.generatorLearningRate > 0 })
        // Epoch rows are the history the weights file keeps.
        let history = try ModelFile.load(folder + "/a.h5").history
        #expect(history.map(\.discriminatorLoss) == rows.filter(\.epochEnd).map(\.discriminatorLoss))
        #expect(history.map(\.fakeScore) == rows.filter(\.epochEnd).map(\.fakeScore))

        let (process, out, err) = try CheckpointCommandLineTests.launch(
            ["train", "--epochs", "4000", "--log-every", "3", "--out", folder + "/b.h5", "--tensorboard", folder + "/tb-b",
             "--checkpoint-every", "13steps", "--keep-checkpoints", "1000"] + tiny, in: folder)
        let deadline = Date().addingTimeInterval(120)
        while !CheckpointCommandLineTests.read(out).contains("epoch   3/") && process.isRunning && Date() < deadline { usleep(20_000) }
        process.interrupt()
        process.waitUntilExit()
        let message = CheckpointCommandLineTests.read(err)
        #expect(process.terminationStatus == 130, "\(message)")
        #expect(message.contains("--log-every 3 --tensorboard \(folder)/tb-b"), "the resume command keeps the logging: \(message)")
        // An interrupted run's log is still the run in progress's: `.partial` until its weights are written.
        #expect(!FileManager.default.fileExists(atPath: folder + "/b.h5.metrics.jsonl"))
        #expect(try MetricsLog.rows(of: folder + "/b.h5.metrics.jsonl.partial").last!.step > 26, "rows past the checkpoint resumed from")

        let resumed = try Self.gan(["train", "--resume", folder + "/b-checkpoints/step-000000026.h5", "--epochs", "4",
                                    "--out", folder + "/b.h5", "--log-every", "3", "--tensorboard", folder + "/tb-b"])
        #expect(resumed.status == 0, "\(resumed.output)")
        let straight = try Self.rowsWithoutTiming(folder + "/a.h5.metrics.jsonl")
        let joined = try Self.rowsWithoutTiming(folder + "/b.h5.metrics.jsonl")
        #expect(!FileManager.default.fileExists(atPath: folder + "/b.h5.metrics.jsonl.partial"), "the finished log took its real name")
        #expect(straight.count == 16 && joined.count == straight.count, "\(joined.count) rows")
        for (index, (a, b)) in zip(straight, joined).enumerated() { #expect(a == b, "row \(index + 1)") }

        for (log, board) in [("a", "tb-a"), ("b", "tb-b")] {
            let python = try Support.run("/usr/bin/env", ["python3", Support.packageRoot + "/Tests/interop/check_tensorboard.py",
                                                          "\(folder)/\(log).h5.metrics.jsonl", "\(folder)/\(board)", "233"])
            #expect(python.status == 0, "tensorboard check (needs the tensorboard package: `make test` installs it):\n\(python.output)")
            #expect(python.stdout.contains("scalars: 9 tags x 16 steps equal the metrics log"), "\(python.output)")
            #expect(python.stdout.contains("images: 4 sample grids of 233x233"), "\(python.output)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/tb-b").filter { $0.hasPrefix("events.out.tfevents.") }
        #expect(files.count == 2, "the resumed run writes a file of its own: \(files)")
    }

    @Test func plotDrawsAWeightsFileOrAMetricsLogAsSVGWithTheValidationScoresBeside() throws {
        let folder = Support.temporaryFolder()
        let trained = try Self.gan(["train", "--epochs", "3", "--out", folder + "/run.h5"] + CheckpointCommandLineTests.tiny)
        #expect(trained.status == 0, "\(trained.output)")
        // An export for sharing keeps the history; the curves drawn from it are the checkpoint's.
        let contents = try ModelFile.load(folder + "/run.h5")
        try ModelFile.exportWeights(contents, to: folder + "/shared.h5")
        #expect(try ModelFile.load(folder + "/shared.h5").history == contents.history && contents.history.count == 3)

        for (input, output) in [("run.h5", "a.svg"), ("shared.h5", "b.svg"), ("run.h5.metrics.jsonl", "c.svg")] {
            let plot = try Self.gan(["plot", folder + "/" + input, "--out", folder + "/" + output])
            #expect(plot.status == 0 && plot.stdout.contains("wrote"), "\(plot.output)")
            let svg = try String(contentsOfFile: folder + "/" + output, encoding: .utf8)
            #expect(CurvesAndLogsFormatTests.polylines(svg).map { $0.count } == [3, 3, 3, 3], "\(input)")
            let xml = try Support.run("/usr/bin/env", ["python3", "-c", "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])",
                                                       folder + "/" + output])
            #expect(xml.status == 0, "not well-formed XML: \(xml.output)")
        }
        #expect(try String(contentsOfFile: folder + "/a.svg", encoding: .utf8) == String(contentsOfFile: folder + "/b.svg", encoding: .utf8)
                    .replacingOccurrences(of: "shared.h5", with: "run.h5"))

        try "epoch,step,validation_parzen,sigma,seconds\n1,10,-210.5,0.2,1.0\n3,30,-190.25,0.2,1.0\n"
            .write(toFile: folder + "/run-validation.csv", atomically: true, encoding: .utf8)
        let withScores = try Self.gan(["plot", folder + "/run.h5.metrics.jsonl", "--out", folder + "/d.svg"])
        #expect(withScores.status == 0 && withScores.stdout.contains("with the validation scores"), "\(withScores.output)")
        #expect(CurvesAndLogsFormatTests.polylines(try String(contentsOfFile: folder + "/d.svg", encoding: .utf8)).map { $0.count }
                == [3, 3, 3, 3, 2])

        let png = try Self.gan(["plot", folder + "/run.h5", "--out", folder + "/curves.png"])
        #expect(png.status != 0 && png.stderr.hasPrefix("Error: --out") && png.stderr.contains(".svg"), "\(png.output)")
        let both = try Self.gan(["plot", folder + "/run.h5", "--csv", folder + "/run-validation.csv", "--out", folder + "/e.png"])
        #expect(both.status != 0 && both.stderr.hasPrefix("Error:"), "\(both.output)")
        let old = try Self.gan(["plot", "--csv", folder + "/run-validation.csv", "--out", folder + "/f.png"])
        #expect(old.status == 0 && FileManager.default.fileExists(atPath: folder + "/f.png"), "\(old.output)")
        let notALog = try Self.gan(["plot", folder + "/run-validation.csv.jsonl", "--out", folder + "/g.svg"])
        #expect(notALog.status != 0 && notALog.stderr.hasPrefix("Error:"), "\(notALog.output)")
    }

    /// Bad logging flags and a log path taken by another file end before training, clobbering nothing.
    @Test func badLoggingInputIsRefusedBeforeTrainingAndNothingIsOverwritten() throws {
        let folder = Support.temporaryFolder()
        let notes = folder + "/w.h5.metrics.jsonl"
        try "my notes\n".write(toFile: notes, atomically: true, encoding: .utf8)
        let taken = try Self.gan(["train", "--epochs", "1", "--out", folder + "/w.h5"] + CheckpointCommandLineTests.tiny)
        #expect(taken.status != 0 && taken.stderr.hasPrefix("Error: metrics log \(notes): line 1"), "\(taken.output)")
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "my notes\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/w.h5"), "no training ran")

        let file = folder + "/board"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let board = try Self.gan(["train", "--epochs", "1", "--out", folder + "/v.h5", "--tensorboard", file] + CheckpointCommandLineTests.tiny)
        #expect(board.status != 0 && board.stderr.hasPrefix("Error: --tensorboard \(file): exists and is not a folder"), "\(board.output)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "x")

        let zero = try Self.gan(["train", "--log-every", "0", "--out", folder + "/u.h5"])
        #expect(zero.status != 0 && zero.stderr.contains("--log-every must lie in 1..."), "\(zero.output)")
    }
}
