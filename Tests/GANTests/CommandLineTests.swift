import Foundation
import GANCore
import GANData
import GANStorage
import GANZoo
import Testing

/// End to end: the real `gan` binary, the shipped data, the files it writes.
@Suite("gan command line", .serialized)
struct CommandLineTests {
    static func gan(_ arguments: String...) throws -> Support.Run {
        guard let binary = Support.ganBinary else {
            Issue.record("no gan binary: run `swift build` (or `make test`) first")
            return Support.Run(status: -1, stdout: "", stderr: "")
        }
        return try Support.run(binary, arguments)
    }

    static let tinyArch = #"{"generatorHiddenSizes":[64],"discriminatorHiddenSizes":[32]}"#

    @Test func trainSampleInspectAndReadBackInPython() throws {
        let folder = Support.temporaryFolder()
        let weights = folder + "/tiny.h5"
        let train = try Self.gan("train", "--digit", "4", "--epochs", "2", "--batch-size", "50", "--arch-config", Self.tinyArch,
                                 "--latent-size", "10", "--seed", "7", "--out", weights, "--samples-dir", folder + "/grids")
        #expect(train.status == 0, "\(train.output)")
        #expect(train.stdout.contains("epoch   2/2"), "\(train.stdout)")
        #expect(train.stdout.contains("D(G(z))") && train.stdout.contains("samples/s"))
        #expect(FileManager.default.fileExists(atPath: folder + "/grids/epoch-001.png"))
        #expect(FileManager.default.fileExists(atPath: folder + "/grids/epoch-002.png"))
        let contents = try ModelFile.load(weights)
        #expect(contents.position == TrainingPosition(epoch: 2, step: 16))
        #expect(contents.configuration.digits == [4] && contents.model.problem.latentSize == 10)

        let grid = folder + "/grid.png", samples = folder + "/samples.npy", noise = folder + "/noise.npy"
        let png = try Self.gan("sample", "--weights", weights, "--count", "9", "--seed", "3", "--out", grid)
        #expect(png.status == 0, "\(png.output)")
        let npy = try Self.gan("sample", "--weights", weights, "--count", "9", "--seed", "3", "--format", "npy",
                               "--out", samples, "--save-noise", noise)
        #expect(npy.status == 0, "\(npy.output)")
        let pairs = try Self.gan("sample", "--weights", weights, "--count", "9", "--nearest", "--out", folder + "/pairs.png")
        #expect(pairs.status == 0, "\(pairs.output)")
        let pairsPNG = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/pairs.png")))
        let pairsWidth = pairsPNG[16..<20].reduce(0) { $0 << 8 | Int($1) }
        #expect(pairsWidth == 6 * 28 + 7, "3 pairs of 28-pixel tiles per row with 1-pixel gaps, got \(pairsWidth)")
        let idx = try Self.gan("sample", "--weights", weights, "--count", "9", "--format", "idx", "--out", folder + "/s.idx")
        #expect(idx.status == 0)
        let parsed = try GANData.IDXArray(contentsOf: folder + "/s.idx")
        #expect(parsed.shape == [9, 28, 28])

        let inspect = try Self.gan("inspect", weights)
        #expect(inspect.status == 0)
        for fragment in ["architecture:  mlp", "loss:          non-saturating", "epoch 2 of 2, step 16",
                         "dense_0", "kernel [10, 64]", "latent 10", "labels 4"] {
            #expect(inspect.stdout.contains(fragment), "inspect lacks '\(fragment)':\n\(inspect.stdout)")
        }

        let evaluation = try Self.gan("evaluate", "--weights", weights, "--count", "500", "--validation", "30",
                                      "--json", folder + "/parzen.json")
        #expect(evaluation.status == 0 && evaluation.stdout.hasPrefix("parzen log-likelihood"), "\(evaluation.output)")
        let parzen = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/parzen.json"))) as? [String: Any]
        #expect((parzen?["testImages"] as? Int) == 100 && (parzen?["labels"] as? [Int]) == [4], "evaluates the model's own digit")
        #expect((parzen?["mean"] as? Double)?.isFinite == true && (parzen?["validationScores"] as? [Double])?.count == 10)

        let frechet = try Self.gan("evaluate", "--metric", "frechet", "--weights", weights, "--count", "300", "--json", folder + "/frechet.json")
        #expect(frechet.status == 0 && frechet.stdout.contains("generated classes:"), "\(frechet.output)")
        let score = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/frechet.json"))) as? [String: Any]
        let shares = (score?["classShares"] as? [Double]) ?? []
        #expect(shares.count == 10 && abs(shares.reduce(0, +) - 1) < 1e-9 && ((score?["distance"] as? Double) ?? -1) >= 0)

        // h5py + numpy rebuild the generator from the file alone and match Swift's samples and PNG.
        let python = try Support.run("/usr/bin/env", ["python3", Support.packageRoot + "/Tests/interop/check_weights.py",
                                                     weights, noise, samples, grid])
        #expect(python.status == 0, "interop check failed (needs h5py and numpy: `make test` installs them):\n\(python.output)")
        #expect(python.stdout.contains("generator: numpy vs swift") && python.stdout.contains("png grid"))
    }

    @Test func zooListSampleByNameAndReadTheCompressedWeightsInPython() throws {
        let list = try Self.gan("zoo", "list")
        #expect(list.status == 0, "\(list.output)")
        for model in try Zoo.models() {
            let metrics = try #require(try model.metrics())
            let line = list.stdout.split(separator: "\n").first { $0.hasPrefix(model.name + " ") }.map(String.init) ?? ""
            let kid = try #require(metrics.frechet.kid), scores = try #require(metrics.frechet.precisionRecall)
            #expect(line.contains(String(format: "%.1f ± %.1f", metrics.parzen.mean, metrics.parzen.standardError))
                    && line.contains(String(format: "%.2f", metrics.frechet.distance)) && line.contains(String(format: "%.4f", kid.mean))
                    && line.contains(String(format: "%.2f / %.2f", scores.precision, scores.recall)), "zoo list line for \(model.name): \(line)")
        }
        let json = try Self.gan("zoo", "list", "--json")
        let entries = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(entries?.count == (try Zoo.models().count))

        // The shipped weights are deflate-compressed; h5py must still read them and agree with Swift.
        let folder = Support.temporaryFolder()
        let samples = folder + "/s.npy", noise = folder + "/z.npy"
        let sample = try Self.gan("sample", "--model", "mlp-digit4", "--count", "16", "--format", "npy", "--out", samples,
                                  "--save-noise", noise)
        #expect(sample.status == 0, "\(sample.output)")
        let python = try Support.run("/usr/bin/env", ["python3", Support.packageRoot + "/Tests/interop/check_weights.py",
                                                     Zoo.folder + "/mlp-digit4/weights.h5", noise, samples])
        #expect(python.status == 0, "\(python.output)")

        let unknown = try Self.gan("sample", "--model", "nope", "--out", folder + "/x.png")
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown zoo model 'nope'") && unknown.stderr.contains("paper-mnist"),
                "\(unknown.output)")
        let both = try Self.gan("sample", "--model", "mlp-digit4", "--weights", "x.h5")
        #expect(both.status != 0 && both.stderr.contains("either --weights FILE or --model NAME"))
        let evaluate = try Self.gan("evaluate", "--model", "mlp-digit4", "--metric", "frechet", "--samples", "500")
        #expect(evaluate.status == 0 && evaluate.stdout.contains("frechet distance") && evaluate.stdout.contains("KID ")
                && evaluate.stdout.contains("precision "), "\(evaluate.output)")
        let parzen = try Self.gan("evaluate", "--model", "mlp-digit4", "--samples", "500", "--test-limit", "50")
        #expect(parzen.status == 0 && parzen.stdout.contains("reference, training images as centres")
                && parzen.stdout.contains("distance to the nearest of"), "\(parzen.output)")
    }

    /// `gan zoo train NAME --publish` on a throwaway zoo ($GAN_ZOO_MODELS): a tiny recipe in, a
    /// finished checkpoint and a published folder out; unknown names list the known ones.
    @Test func zooTrainPublishesIntoItsFolder() throws {
        let binary = try #require(Support.ganBinary)
        let zoo = Support.temporaryFolder()
        try FileManager.default.createDirectory(atPath: zoo + "/tiny", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Zoo.folder + "/mnist-classifier", toPath: zoo + "/mnist-classifier")
        var recipe = Support.tinyConfiguration(epochs: 2)
        recipe.holdOutValidation = true
        try Data(ConfigurationCoding.encode(recipe, pretty: true).utf8).write(to: URL(fileURLWithPath: zoo + "/tiny/recipe.json"))
        let environment = ["GAN_ZOO_MODELS": zoo]
        func gan(_ arguments: String...) throws -> Support.Run { try Support.run(binary, arguments, environment: environment) }

        let before = try gan("zoo", "list")
        #expect(before.status == 0 && before.stdout.contains("tiny") && before.stdout.contains("gan zoo train tiny"), "\(before.output)")
        let unpublished = try gan("sample", "--model", "tiny", "--out", zoo + "/x.png")
        #expect(unpublished.status != 0 && unpublished.stderr.contains("gan zoo train tiny"), "\(unpublished.output)")

        let train = try gan("zoo", "train", "tiny", "--out", zoo + "/tiny.h5", "--publish")
        #expect(train.status == 0, "\(train.output)")
        #expect(train.stdout.contains("epoch   2/2") && train.stdout.contains("updated \(zoo)/tiny"), "\(train.stdout)")
        let trained = try ModelFile.load(zoo + "/tiny.h5")
        var ran = trained.configuration
        ran.threads = recipe.threads
        // The file stores the recipe with the plugin's configuration spelled out.
        let spelled = ModelFile.completed(recipe, generator: trained.model.generatorArchitecture,
                                          discriminator: trained.model.discriminatorArchitecture)
        #expect(ran == spelled && ran != recipe && trained.position.epoch == 2, "the checkpoint follows the recipe")
        for file in ["metrics.json", "README.md", "samples.png", "nearest.png", "weights.h5"] {
            #expect(FileManager.default.fileExists(atPath: zoo + "/tiny/" + file), "\(file) missing")
        }
        let after = try gan("zoo", "list")
        #expect(after.stdout.split(separator: "\n").contains { $0.hasPrefix("tiny ") && $0.contains(" ± ") }, "\(after.stdout)")
        let sample = try gan("sample", "--model", "tiny", "--count", "4", "--out", zoo + "/s.png")
        #expect(sample.status == 0, "\(sample.output)")

        let unknown = try gan("zoo", "train", "nope")
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown zoo model 'nope'; the zoo has: tiny"), "\(unknown.output)")
        let stale = try gan("zoo", "publish", "tiny", "--weights", zoo + "/tiny/weights.h5")
        #expect(stale.status != 0 && stale.stderr.contains("not a checkpoint"), "a weights-only export cannot be published: \(stale.output)")

        // Re-measuring from the shipped weights rewrites the measurements only.
        let unchanged = ["weights.h5", "samples.png", "nearest.png"].map { FileManager.default.contents(atPath: zoo + "/tiny/" + $0) }
        let measure = try gan("zoo", "measure", "tiny")
        #expect(measure.status == 0 && measure.stdout.contains("updated \(zoo)/tiny/metrics.json"), "\(measure.output)")
        #expect(["weights.h5", "samples.png", "nearest.png"].map { FileManager.default.contents(atPath: zoo + "/tiny/" + $0) } == unchanged)
        let metrics = try #require(try ZooModel(name: "tiny", folder: zoo + "/tiny")?.metrics())
        #expect(metrics.frechet.kid != nil && metrics.frechet.precisionRecall?.k == 3 && metrics.parzen.references?.count == 2
                && metrics.frechet.heldOutImages?.images == 67
                && metrics.parzen.nearestTraining?.trainingImages == 333 && metrics.epochs == 2)
        let card = try String(contentsOfFile: zoo + "/tiny/README.md", encoding: .utf8)
        #expect(card.contains("| KID | **") && card.contains("| precision / recall | **") && card.contains("| distance to the nearest training image |"))
        let missing = try gan("zoo", "measure", "nope")
        #expect(missing.status != 0 && missing.stderr.hasPrefix("Error: unknown zoo model 'nope'"), "\(missing.output)")
    }

    @Test func evaluateCountsAreBounded() throws {
        for flags in [["--count", "0"], ["--count", "100001"], ["--validation", "1000000000"]] {
            let run = try Support.run(Support.ganBinary ?? "/bin/false", ["evaluate", "--model", "mlp-digit4"] + flags)
            #expect(run.status != 0 && run.stderr.contains("Error: --count and --validation must be in 1...100000"), "\(flags): \(run.output)")
        }
    }

    @Test func classifierFlagsAreChecked() throws {
        let folder = Support.temporaryFolder()
        let sizes = try Self.gan("classifier", "--data", "data/mnist-subset", "--sizes", "16,32", "--out", folder + "/c.h5")
        #expect(sizes.status != 0 && sizes.stderr.hasPrefix("Error: --sizes takes three integers"), "\(sizes.output)")
        let huge = try Self.gan("classifier", "--data", "data/mnist-subset", "--sizes", "16,32,100000", "--out", folder + "/c.h5")
        #expect(huge.status != 0 && huge.stderr.contains("hidden size 100000 outside 1...4096"), "\(huge.output)")
        let epochs = try Self.gan("classifier", "--data", "data/mnist-subset", "--epochs", "0", "--out", folder + "/c.h5")
        #expect(epochs.status != 0 && epochs.stderr.contains("--epochs must be in 1...100"), "\(epochs.output)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/c.h5"))
    }

    @Test func listShowsEveryPlugin() throws {
        let list = try Self.gan("list")
        #expect(list.status == 0)
        for name in Registry.architectures.map(\.name) + Registry.losses.map(\.name) {
            #expect(list.stdout.contains("  \(name) "), "\(name) missing from:\n\(list.stdout)")
        }
    }

    @Test func unknownPluginsFailWithTheKnownNames() throws {
        let folder = Support.temporaryFolder()
        let arch = try Self.gan("train", "--arch", "resnet", "--epochs", "1", "--out", folder + "/x.h5")
        #expect(arch.status != 0)
        let architectures = Registry.architectures.map(\.name).joined(separator: ", ")
        #expect(arch.stderr.contains("unknown architecture 'resnet' (known architectures: \(architectures))"), "\(arch.output)")
        let loss = try Self.gan("train", "--loss", "hinge2", "--epochs", "1", "--out", folder + "/x.h5")
        #expect(loss.status != 0)
        let losses = Registry.losses.map(\.name).joined(separator: ", ")
        #expect(loss.stderr.contains("unknown loss 'hinge2' (known losses: \(losses))"), "\(loss.output)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.h5"))
    }

    @Test func badFilesAndFlagsFailCleanlyWithoutClobbering() throws {
        let folder = Support.temporaryFolder()
        let garbage = folder + "/garbage.h5"
        try Data("definitely not hdf5".utf8).write(to: URL(fileURLWithPath: garbage))
        let inspect = try Self.gan("inspect", garbage)
        #expect(inspect.status != 0 && inspect.stderr.contains("not an HDF5 file"), "\(inspect.output)")
        let sample = try Self.gan("sample", "--weights", folder + "/missing.h5", "--out", folder + "/g.png")
        #expect(sample.status != 0 && sample.stderr.contains("no such file"), "\(sample.output)")

        // A run that fails on its flags leaves an existing weights file alone.
        let existing = folder + "/keep.h5"
        try Data("previous good file".utf8).write(to: URL(fileURLWithPath: existing))
        for flags in [["--batch-size", "0"], ["--batch-size", "5000", "--digit", "4"], ["--digit", "12"],
                      ["--epochs", "-1"], ["--learning-rate", "-0.1"]] {
            let run = try Support.run(Support.ganBinary ?? "/bin/false", ["train", "--out", existing] + flags)
            #expect(run.status != 0, "\(flags) should fail")
            #expect(run.stderr.contains("Error"), "\(flags): \(run.output)")
        }
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "previous good file")
        // Missing folders are created (ConsistentCommandLineTests); a file where a folder should be is refused.
        let fileInTheWay = try Self.gan("train", "--epochs", "1", "--out", existing + "/dir/w.h5")
        #expect(fileInTheWay.status != 0 && fileInTheWay.stderr.contains("exists and is not a folder"), "\(fileInTheWay.output)")
    }
}
