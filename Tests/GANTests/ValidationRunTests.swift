import Foundation
import GANImages
import GANZoo
import Testing

/// `gan train --validate-every/--stop-on-plateau`, and ending a run at a checkpoint's epoch.
@Suite("gan train validation checks and early ends", .serialized)
struct ValidationRunTests {
    static let tiny = CheckpointCommandLineTests.tiny + ["--digit", "4"]

    @Test func aPlateauEndsTheRunAsAFinishedRunOfThatManyEpochs() throws {
        let folder = Support.temporaryFolder()
        let out = folder + "/w.h5"
        let run = try Support.run(try #require(Support.ganBinary),
                                  ["train", "--epochs", "300", "--hold-out-validation", "--validate-every", "1",
                                   "--stop-on-plateau", "1", "--out", out] + Self.tiny, timeout: 300)
        #expect(run.status == 0, "\(run.output)")
        let stop = try #require(run.stdout.components(separatedBy: "stopping at epoch ").last?.split(separator: "\n").first)
        let epoch = try #require(Int(stop), "\(run.output)")
        let contents = try ModelFile.load(out)
        #expect(epoch < 300 && contents.position.epoch == epoch && contents.configuration.epochs == epoch)
        let log = try String(contentsOfFile: folder + "/w-validation.csv", encoding: .utf8).split(separator: "\n")
        #expect(log.first == "epoch,step,validation_parzen,sigma,seconds" && log.count == epoch + 1, "\(log)")
        let plot = try PNG.decodeGray([UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/w-validation.png"))))
        #expect(plot.width == 480 && plot.height == 270 && plot.pixels.contains(0), "the curve is drawn beside the log")
        let scores = log.dropFirst().map { Double($0.split(separator: ",")[2])! }
        #expect(scores.last! <= scores.dropLast().max()!, "the last check found no new best")

        let unheld = try Support.run(try #require(Support.ganBinary), ["train", "--epochs", "1", "--validate-every", "1",
                                                                       "--out", folder + "/x.h5"] + Self.tiny)
        #expect(unheld.status != 0 && unheld.stderr.contains("--validate-every needs held-out validation images"), "\(unheld.output)")
        let lonely = try Support.run(try #require(Support.ganBinary), ["train", "--stop-on-plateau", "3"])
        #expect(lonely.status != 0 && lonely.stderr.contains("--stop-on-plateau needs --validate-every"), "\(lonely.output)")
    }

    @Test func resumingWithTheCheckpointsEpochsEndsTheRunThere() throws {
        let folder = Support.temporaryFolder()
        let trained = try Support.run(try #require(Support.ganBinary),
                                      ["train", "--epochs", "4", "--checkpoint-every", "2", "--keep-checkpoints", "5",
                                       "--checkpoint-dir", folder + "/ck", "--out", folder + "/w.h5"] + Self.tiny)
        #expect(trained.status == 0, "\(trained.output)")
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: folder + "/ck").filter { $0.hasPrefix("step-") }.sorted()
        let first = folder + "/ck/" + (try #require(checkpoints.first))
        #expect(try ModelFile.load(first).position.epoch == 2)
        let ended = try Support.run(try #require(Support.ganBinary),
                                    ["train", "--resume", first, "--epochs", "2", "--out", folder + "/end.h5"])
        #expect(ended.status == 0, "\(ended.output)")
        #expect(try CheckpointCommandLineTests.weights(folder + "/end.h5") == CheckpointCommandLineTests.weights(first))
        #expect(try ModelFile.load(folder + "/end.h5").configuration.epochs == 2)
        let again = try Support.run(try #require(Support.ganBinary), ["train", "--resume", folder + "/end.h5", "--out", folder + "/x.h5"])
        #expect(again.status != 0 && again.stderr.contains("has already finished 2 of 2 epochs"), "\(again.output)")
        let backwards = try Support.run(try #require(Support.ganBinary),
                                        ["train", "--resume", folder + "/w.h5", "--epochs", "3", "--out", folder + "/y.h5"])
        #expect(backwards.status != 0 && backwards.stderr.contains("has already trained 4 epochs"), "\(backwards.output)")
        try "epoch,step,validation_parzen,sigma,seconds\n".write(toFile: folder + "/empty.csv", atomically: true, encoding: .utf8)
        let blank = try Support.run(try #require(Support.ganBinary), ["plot", "--csv", folder + "/empty.csv", "--out", folder + "/p.png"])
        #expect(blank.status != 0 && blank.stderr.contains("no rows yet"), "\(blank.output)")
    }
}

@Suite("line plots")
struct LinePlotTests {
    @Test func ticksAreRoundAndCoverTheRange() {
        #expect(LinePlot.ticksForTesting(0, 97) == [0, 20, 40, 60, 80, 100])
        #expect(LinePlot.ticksForTesting(-184.7, 131) == [-200, -100, 0, 100, 200])
        #expect(LinePlot.ticksForTesting(0.21, 0.28) == [0.2, 0.22, 0.24, 0.26, 0.28].map { ($0 * 100).rounded() / 100 })
    }

    /// A diagonal from the axes' corner: its midpoint is dark, and a point far off it stays white.
    @Test func drawsTheSeriesWhereItsValuesAre() throws {
        var plot = LinePlot(series: [.init(points: [(0, 0), (100, 100)])])
        (plot.width, plot.height) = (200, 150)
        let image = try PNG.decodeGray(plot.png)
        #expect(image.width == 200 && image.height == 150)
        // Axes span x 40...188 and y 128 (bottom) ... 10 (top): the point (50, 50) sits at (114, 69).
        let around = (-1...1).flatMap { dy in (-1...1).map { dx in image.pixels[(69 + dy) * 200 + 114 + dx] } }
        #expect(around.contains(0), "the line passes through the middle of the plot")
        #expect(image.pixels[30 * 200 + 170] == 255 || image.pixels[30 * 200 + 170] == 225, "the top right corner holds no data")
    }
}

@Suite("resume commands keep the run's settings", .serialized)
struct ResumeCommandTests {
    /// Ctrl-C prints a resume command that keeps the validation checks (and their log, so the
    /// plateau rule remembers its best score) and the checkpoint policy.
    @Test func theResumeCommandCarriesValidationAndCheckpointFlags() throws {
        let folder = Support.temporaryFolder()
        let (process, out, err) = try CheckpointCommandLineTests.launch(
            ["train", "--epochs", "400", "--hold-out-validation", "--validate-every", "1", "--stop-on-plateau", "50",
             "--checkpoint-every", "2", "--checkpoint-dir", folder + "/ck", "--out", folder + "/w.h5"] + ValidationRunTests.tiny,
            in: folder)
        let deadline = Date().addingTimeInterval(120)
        while !CheckpointCommandLineTests.read(out).contains("validation Parzen") && process.isRunning && Date() < deadline { usleep(20_000) }
        process.interrupt()
        process.waitUntilExit()
        let message = CheckpointCommandLineTests.read(err)
        #expect(process.terminationStatus == 130, "\(message)")
        let command = try #require(message.split(separator: "\n").first { $0.hasPrefix("resume with: ") })
        for part in ["--checkpoint-every 2", "--checkpoint-dir \(folder)/ck", "--validate-every 1", "--stop-on-plateau 50",
                     "--validation-log \(folder)/w-validation.csv"] {
            #expect(command.contains(part), "\(command)")
        }
    }
}

@Suite("validation logs are never clobbered")
struct ValidationLogTests {
    @Test func anExistingFileThatIsNotALogIsRefusedAndKept() throws {
        let folder = Support.temporaryFolder()
        let precious = folder + "/notes.txt"
        try "my notes\n".write(toFile: precious, atomically: true, encoding: .utf8)
        let run = try Support.run(try #require(Support.ganBinary),
                                  ["train", "--epochs", "1", "--hold-out-validation", "--validate-every", "1",
                                   "--validation-log", precious, "--out", folder + "/w.h5"] + ValidationRunTests.tiny)
        #expect(run.status == 1 && run.stderr.contains("is not a validation log"), "\(run.output)")
        #expect(try String(contentsOfFile: precious, encoding: .utf8) == "my notes\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/w.h5"))
    }
}

@Suite("gan sample picks its format from --out")
struct SampleFormatTests {
    @Test func anNpyOutputIsWrittenAsNpyWithoutAFormatFlag() throws {
        let folder = Support.temporaryFolder()
        let run = try Support.run(try #require(Support.ganBinary),
                                  ["sample", "--model", "mlp-digit4", "--count", "3", "--out", folder + "/s.npy"])
        #expect(run.status == 0, "\(run.output)")
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: folder + "/s.npy")))
        #expect(Array(bytes.prefix(6)) == [0x93] + Array("NUMPY".utf8), "an .npy file, not a PNG")
    }
}
