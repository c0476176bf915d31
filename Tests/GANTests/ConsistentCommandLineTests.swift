import Foundation
import GANCore
import GANData
import GANImages
import GANZoo
import Testing

/// One name and one default per concept across subcommands, formats that follow file endings,
/// outputs that create their folders, inspect, --version, completion and the zoo's test sets.
@Suite("gan command line consistency", .serialized)
struct ConsistentCommandLineTests {
    static func gan(_ arguments: String...) throws -> Support.Run {
        try Support.run(try #require(Support.ganBinary), arguments)
    }

    /// A float32 .npy as written by `NPY.encode`: its shape and values.
    static func readNPY(_ path: String) throws -> (shape: [Int], values: [Float]) {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        try #require(bytes.count > 10 && bytes[0] == 0x93 && String(decoding: bytes[1..<6], as: UTF8.self) == "NUMPY")
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'descr': '<f4'"), "\(header)")
        let inside = try #require(header.split(separator: "(").last?.split(separator: ")").first)
        let shape = inside.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let values = bytes[(10 + headerLength)...].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(values.count == shape.reduce(1, *))
        return (shape, values)
    }

    /// A negative value after its option reaches the option's own check (ArgumentParser alone
    /// said "Missing value"), and a value that is not a number still fails.
    @Test func negativeValuesReachTheirChecks() throws {
        let rate = try Self.gan("train", "--learning-rate", "-0.1", "--print-recipe")
        #expect(rate.status == 1 && rate.stderr.contains("learningRate must be positive") && !rate.stderr.contains("Missing value"), "\(rate.output)")
        let seed = try Self.gan("train", "--seed", "-5", "--print-recipe")
        #expect(seed.status == 1 && seed.stderr.contains("'-5'") && !seed.stderr.contains("Missing value"), "\(seed.output)")
        let label = try Self.gan("sample", "--model", "cgan-mnist", "--label", "-1", "--out", Support.temporaryFolder() + "/never.png")
        #expect(label.status != 0 && label.stderr.contains("-1") && !label.stderr.contains("Missing value"), "\(label.output)")
        for value in ["nan", "inf", "-inf"] {
            let infinite = try Self.gan("train", "--learning-rate", value, "--print-recipe")
            #expect(infinite.status == 1 && infinite.stderr.contains("--learning-rate must be a finite number"), "\(infinite.output)")
        }
        // Above 2^53 a seed would be rounded on its way into the JSON recipe: refused instead.
        let huge = try Self.gan("train", "--seed", "9007199254740993", "--print-recipe")
        #expect(huge.status == 1 && huge.stderr.contains("--seed must lie in 0...9007199254740992"), "\(huge.output)")
        let largest = try Self.gan("train", "--seed", "9007199254740992", "--print-recipe")
        #expect(largest.status == 0 && largest.stdout.contains("\"seed\" : 9007199254740992"), "\(largest.output)")
        let flag = try Self.gan("train", "--seed", "--print-recipe")
        #expect(flag.status != 0, "an option followed by a flag still misses its value")
    }

    /// gan train writes HDF5 only: an --out named for another format is refused before training,
    /// with the export command to use, and nothing is written.
    @Test func trainRefusesAnOutputNamedForAnotherFormat() throws {
        let folder = Support.temporaryFolder() + "/out"
        for name in ["model.pth", "model.onnx", "model.safetensors", "weights"] {
            let run = try Self.gan("train", "--epochs", "1", "--out", folder + "/" + name)
            #expect(run.status == 1 && run.stderr.contains("gan export"), "\(name): \(run.output)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/" + name))
        }
    }

    @Test func sampleFormatFollowsTheEndingAndRefusesDisagreement() throws {
        let folder = Support.temporaryFolder()
        // --format alone names the default file: samples.npy, not NumPy bytes in samples.png.
        let shell = try Support.run("/bin/sh", ["-c", "cd '\(folder)' && '\(try #require(Support.ganBinary))' sample --model mlp-digit4 --count 4 --format npy"])
        #expect(shell.status == 0 && shell.stdout.contains("samples.npy"), "\(shell.output)")
        #expect(try Self.readNPY(folder + "/samples.npy").shape == [4, 28, 28])
        #expect(!FileManager.default.fileExists(atPath: folder + "/samples.png"))

        for (flags, message) in [(["--out", folder + "/x.jpg"], "--out \(folder)/x.jpg: unknown ending"),
                                 (["--out", folder + "/x"], "unknown ending"),
                                 (["--format", "npy", "--out", folder + "/x.png"], "--format npy disagrees with --out \(folder)/x.png"),
                                 (["--format", "png", "--out", folder + "/x.idx"], "whose ending names idx")] {
            let run = try Support.run(try #require(Support.ganBinary), ["sample", "--model", "mlp-digit4"] + flags)
            #expect(run.status == 1 && run.stderr.hasPrefix("Error: ") && run.stderr.contains(message), "\(flags): \(run.output)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["samples.npy"], "a refused run writes nothing")

        // Each ending gives its format, whatever its case; MNIST's own -ubyte names are IDX.
        let idx = try Self.gan("sample", "--model", "mlp-digit4", "--count", "3", "--out", folder + "/t10k-images-idx3-ubyte")
        #expect(idx.status == 0, "\(idx.output)")
        #expect(try IDXArray(contentsOf: folder + "/t10k-images-idx3-ubyte").shape == [3, 28, 28])
        let png = try Self.gan("sample", "--model", "mlp-digit4", "--count", "4", "--out", folder + "/grid.PNG")
        #expect(png.status == 0, "\(png.output)")
        let decoded = try PNG.decodeGray([UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/grid.PNG"))))
        #expect(decoded.width == 2 * 28 + 3 && decoded.height == 2 * 28 + 3)
    }

    /// Outputs create missing parent folders, as --samples-dir does; a file or FIFO in the way is refused.
    @Test func outputsCreateTheirFoldersAndRefuseWhatIsInTheWay() throws {
        let folder = Support.temporaryFolder()
        let deep = folder + "/new/deeper/s.npy", noise = folder + "/other/z.npy"
        let sample = try Self.gan("sample", "--model", "mlp-digit4", "--count", "2", "--out", deep, "--save-noise", noise)
        #expect(sample.status == 0 && FileManager.default.fileExists(atPath: deep) && FileManager.default.fileExists(atPath: noise),
                "\(sample.output)")
        let weights = folder + "/runs/today/w.h5"
        let train = try Self.gan("train", "--digit", "4", "--epochs", "1", "--batch-size", "50", "--arch-config", CommandLineTests.tinyArch,
                                 "--out", weights)
        #expect(train.status == 0 && FileManager.default.fileExists(atPath: weights), "\(train.output)")

        try Data("a file".utf8).write(to: URL(fileURLWithPath: folder + "/plain"))
        let blocked = try Self.gan("sample", "--model", "mlp-digit4", "--out", folder + "/plain/s.png")
        #expect(blocked.status == 1 && blocked.stderr.contains("exists and is not a folder"), "\(blocked.output)")
        #expect(mkfifo(folder + "/pipe.png", 0o600) == 0)
        let fifo = try Self.gan("sample", "--model", "mlp-digit4", "--out", folder + "/pipe.png")
        #expect(fifo.status == 1 && fifo.stderr.hasPrefix("Error: --out"), "\(fifo.output)")
    }

    /// Every row of an interpolation grid starts and ends at the samples of its two noise vectors.
    @Test func interpolationRowsEndAtTheSamplesOfTheirNoiseVectors() throws {
        let folder = Support.temporaryFolder()
        let grid = folder + "/walk.npy", gridNoise = folder + "/walk-z.npy", plain = folder + "/s.npy", plainNoise = folder + "/z.npy"
        let walk = try Self.gan("sample", "--model", "mlp-digit4", "--seed", "5", "--interpolate", "0,3", "--interpolate", "5,2",
                                "--steps", "4", "--out", grid, "--save-noise", gridNoise)
        #expect(walk.status == 0 && walk.stdout.contains("2 interpolation rows of 4 samples"), "\(walk.output)")
        let samples = try Self.gan("sample", "--model", "mlp-digit4", "--seed", "5", "--count", "6", "--out", plain, "--save-noise", plainNoise)
        #expect(samples.status == 0)
        let (shape, values) = try Self.readNPY(grid)
        #expect(shape == [2, 4, 28, 28])
        let z = try Self.readNPY(gridNoise).values, zPlain = try Self.readNPY(plainNoise).values, sPlain = try Self.readNPY(plain).values
        let latent = z.count / 8, size = 784
        for (row, ends) in [(0, (0, 3)), (1, (5, 2))] {
            for (column, index) in [(0, ends.0), (3, ends.1)] {
                let cell = row * 4 + column
                #expect(Array(z[(cell * latent)..<((cell + 1) * latent)]) == Array(zPlain[(index * latent)..<((index + 1) * latent)]),
                        "row \(row) column \(column) is noise vector \(index)")
                let worst = zip(values[(cell * size)..<((cell + 1) * size)], sPlain[(index * size)..<((index + 1) * size)])
                    .map { abs($0 - $1) }.max() ?? 1
                #expect(worst <= 1e-6, "row \(row) column \(column) differs from sample \(index) by \(worst)")
            }
        }
        // The zoo model's prior is uniform: the default path is the straight line.
        let middle = Array(z[latent..<(2 * latent)]), expected = zip(zPlain[0..<latent], zPlain[(3 * latent)..<(4 * latent)]).map { $0 + ($1 - $0) / 3 }
        #expect(zip(middle, expected).allSatisfy { abs($0 - $1) < 1e-5 })

        let again = try Self.gan("sample", "--model", "mlp-digit4", "--seed", "5", "--interpolate", "0,3", "--interpolate", "5,2",
                                 "--steps", "4", "--out", folder + "/again.npy")
        #expect(again.status == 0 && FileManager.default.contents(atPath: folder + "/again.npy") == FileManager.default.contents(atPath: grid))
        let png = try Self.gan("sample", "--model", "mlp-digit4", "--interpolate", "1,2", "--steps", "6", "--path", "spherical",
                               "--out", folder + "/walk.png")
        #expect(png.status == 0, "\(png.output)")
        let decoded = try PNG.decodeGray([UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/walk.png"))))
        #expect(decoded.width == 6 * 28 + 7 && decoded.height == 28 + 2, "one row of --steps tiles")
        for flags in [["--interpolate", "1"], ["--interpolate", "1,100000"], ["--interpolate", "0,1", "--steps", "1"],
                      ["--interpolate", "0,1", "--nearest"]] {
            let run = try Support.run(try #require(Support.ganBinary), ["sample", "--model", "mlp-digit4", "--out", folder + "/bad.png"] + flags)
            #expect(run.status != 0 && run.stderr.hasPrefix("Error: "), "\(flags): \(run.output)")
        }
    }

    /// The spherical path keeps the endpoints exactly and moves the norm linearly between them.
    @Test func sphericalPathKeepsEndpointsAndInterpolatesTheNorm() {
        let a: [Float] = [3, 0, 0], b: [Float] = [0, 0, 1]
        let path = LatentPath.spherical.interpolate(from: a[...], to: b[...], steps: 3)
        #expect(Array(path[0..<3]) == a && Array(path[6..<9]) == b)
        let middle = path[3..<6]
        #expect(abs(middle.map { $0 * $0 }.reduce(0, +).squareRoot() - 2) < 1e-5, "norm halfway between 3 and 1")
        #expect(abs(middle[3] - middle[5]) < 1e-5 && middle[4] == 0, "direction halfway along the quarter circle")
        #expect(LatentPath.default(for: NoisePrior(kind: .normal, scale: 1)) == .spherical
                && LatentPath.default(for: NoisePrior(kind: .uniform, scale: 1)) == .linear)
    }

    /// A library user's few lines: a zoo model by name, samples with their shape, PNG bytes.
    @Test func libraryLoadsAZooModelByNameAndSamplesWithShape() throws {
        let model = try Zoo.load("mlp-digit4")
        let samples = model.samples(count: 6, seed: 2)
        #expect(samples.shape == [6, 28, 28] && samples.sampleShape == [28, 28] && samples.noise.count == 6 * model.problem.latentSize)
        #expect(samples.values == model.sample(count: 6, seed: 2).samples && Array(samples[5]) == Array(samples.values[(5 * 784)...]))
        let png = try PNG.decodeGray([UInt8](samples.png(columns: 3)))
        #expect(png.width == 3 * 28 + 4 && png.height == 2 * 28 + 3)
        #expect(samples.npy().prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
        #expect(model.samples(count: 0, seed: 0).shape == [0, 28, 28])
        #expect(throws: (any Error).self) { try Zoo.load("no-such-model") }
    }

    @Test func seedsThreadsAndCountsShareOneNameAndDefault() throws {
        for command in ["train", "sample", "evaluate"] {
            let help = try Self.gan(command, "--help").stdout.replacingOccurrences(of: "\n", with: " ")
                .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            #expect(help.contains("--seed <seed>") && help.contains("(default: 0"), "\(command) --help: \(help)")
            let threads = help.components(separatedBy: "--threads <threads> ").last?.components(separatedBy: " --").first ?? ""
            #expect(threads.hasPrefix("BLAS threads (0 = all cores") && (threads.contains("(default: 0)") || command != "train")
                    && !threads.contains("default: 1"), "\(command) --threads: \(threads)")
            if command != "train" { #expect(help.contains("--count <count>") && !help.contains("--samples <"), "\(command) --help") }
        }
        let recipe = try Self.gan("train", "--print-recipe")
        #expect(recipe.stdout.contains("\"seed\" : 0") && recipe.stdout.contains("\"threads\" : 0"), "\(recipe.stdout)")

        // All cores by default, and the file records how many that was.
        let folder = Support.temporaryFolder()
        let weights = folder + "/w.h5"
        let train = try Self.gan("train", "--digit", "4", "--epochs", "1", "--batch-size", "50", "--arch-config", CommandLineTests.tinyArch,
                                 "--out", weights)
        #expect(train.status == 0, "\(train.output)")
        let stored = try ModelFile.load(weights).configuration
        #expect(stored.threads == ProcessInfo.processInfo.activeProcessorCount && stored.seed == 0, "threads \(stored.threads)")

        // evaluate's old --samples still works, under its one name --count.
        let count = try Self.gan("evaluate", "--model", "mlp-digit4", "--count", "0")
        #expect(count.status == 1 && count.stderr.contains("Error: --count and --validation must be in 1...100000"), "\(count.output)")
        let old = try Self.gan("evaluate", "--model", "mlp-digit4", "--samples", "0")
        #expect(old.status == 1 && old.stderr.contains("Error: --samples and --validation must be in 1...100000"), "\(old.output)")
        let both = try Self.gan("evaluate", "--model", "mlp-digit4", "--samples", "10", "--count", "10")
        #expect(both.status == 1 && both.stderr.contains("--samples is the old name of --count"), "\(both.output)")
    }

    @Test func inspectReadsSeveralFilesClassifiersAndJSON() throws {
        let classifier = Zoo.folder + "/mnist-classifier/classifier.h5", batchNorm = Zoo.folder + "/mlp-batchnorm/weights.h5"
        let folder = Support.temporaryFolder()
        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: folder + "/garbage.h5"))
        let text = try Self.gan("inspect", classifier, batchNorm, folder + "/garbage.h5")
        #expect(text.status == 1 && text.stderr.contains("Error: ") && text.stderr.contains("garbage.h5"), "\(text.output)")
        for fragment in ["format:        gan-zoo-classifier v2", "kind:          classifier", "test accuracy 0.99", "conv2d_0",
                         "kind:          GAN", "architecture:  mlp-batchnorm", "batch_normalization_1  256 -> 256  gamma [256]"] {
            #expect(text.stdout.contains(fragment), "inspect lacks '\(fragment)':\n\(text.stdout)")
        }
        #expect(!text.stdout.contains("batch_normalizat256"))

        let json = try Self.gan("inspect", "--json", classifier, batchNorm)
        #expect(json.status == 0, "\(json.output)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["kind"] as? String } == ["classifier", "gan"])
        let accuracy = (entries[0]["classifier"] as? [String: Any])?["testAccuracy"] as? Double
        #expect(accuracy.map { $0 > 0.98 } == true)
        let gan = try #require(entries[1]["gan"] as? [String: Any])
        #expect(gan["architecture"] as? String == "mlp-batchnorm" && (gan["training"] as? [String: Any])?["epochs"] as? Int == 200)
        let networks = try #require(entries[1]["networks"] as? [[String: Any]])
        let layers = (networks.first?["layers"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(networks.count == 2 && layers.contains("batch_normalization_1"), "\(layers)")
    }

    @Test func versionNamesTheCommitAndTheBLAS() throws {
        let version = try Self.gan("--version")
        #expect(version.status == 0 && version.stdout.hasPrefix("gan-zoo \(GANZooVersion.string)\n"), "\(version.output)")
        #expect(version.stdout.contains("BLAS: OpenBLAS 0.") && version.stdout.contains("kernel "), "\(version.stdout)")
        // The commit of the package's own checkout; none when it is not one (an archive, perhaps unpacked in another repository).
        let git = { (arguments: [String]) in try Support.run("/usr/bin/env", ["git", "-C", Support.packageRoot] + arguments) }
        let top = try git(["rev-parse", "--show-toplevel"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let head = try git(["rev-parse", "--short=12", "HEAD"])
        if head.status == 0 && URL(fileURLWithPath: top).resolvingSymlinksInPath() == URL(fileURLWithPath: Support.packageRoot).resolvingSymlinksInPath() {
            #expect(version.stdout.contains("commit: " + head.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(version.stdout)")
        } else {
            #expect(version.stdout.contains("commit: unknown"))
        }
    }

    /// The bash completion script offers the registry's plugins and asks `gan` for the zoo's models.
    @Test func completionOffersPluginsZooModelsAndWeightsFiles() throws {
        let folder = Support.temporaryFolder()
        let script = try Self.gan("--generate-completion-script", "bash")
        #expect(script.status == 0)
        try Data(script.stdout.utf8).write(to: URL(fileURLWithPath: folder + "/gan.bash"))
        #expect(script.stdout.contains("'!*.@(h5)'"), "weights options complete .h5 files")
        func complete(_ words: [String]) throws -> [String] {
            let line = words.joined(separator: " ")
            let program = """
                shopt -s extglob; source '\(folder)/gan.bash'
                COMP_WORDS=(\(words.map { "'\($0)'" }.joined(separator: " "))); COMP_CWORD=\(words.count - 1)
                COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
                _gan gan '\(words.last!)' '\(words[words.count - 2])'; printf '%s\\n' "${COMPREPLY[@]}"
                """
            let binaryFolder = URL(fileURLWithPath: try #require(Support.ganBinary)).deletingLastPathComponent().path
            let run = try Support.run("/bin/bash", ["-c", program],
                                      environment: ["PATH": binaryFolder + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")])
            return run.stdout.split(separator: "\n").map(String.init)
        }
        #expect(try complete(["gan", "train", "--arch", ""]) == Registry.architectures.map(\.name))
        #expect(try complete(["gan", "train", "--loss", ""]) == Registry.losses.map(\.name))
        #expect(try Set(complete(["gan", "sample", "--model", "mlp-"])) == Set(try Zoo.models().map(\.name).filter { $0.hasPrefix("mlp-") }))
        for shell in ["zsh", "fish"] {
            let other = try Self.gan("--generate-completion-script", shell)
            #expect(other.status == 0 && Registry.architectures.allSatisfy { other.stdout.contains($0.name) }
                    && other.stdout.contains("---completion"), "\(shell) completion lacks the plugins or the zoo's model lookup")
        }
    }

    /// Scores of different test sets never share a group; --sort orders inside each group.
    @Test func zooListGroupsScoresByTestSet() throws {
        let list = try Self.gan("zoo", "list", "--sort", "parzen")
        #expect(list.status == 0 && list.stdout.contains("TEST SET"), "\(list.output)")
        let blocks = list.stdout.components(separatedBy: "\n\n")
        var seen: [String: Int] = [:]
        for model in try Zoo.models() {
            let metrics = try #require(try model.metrics())
            let testSet = (metrics.parzen.data == "shipped MNIST subset" ? "mnist-subset" : URL(fileURLWithPath: metrics.parzen.data).lastPathComponent)
                + (metrics.parzen.labels.map { " [" + $0.map(String.init).joined(separator: ",") + "]" } ?? "")
                + ", \(metrics.parzen.testImages) test images"
            let block = try #require(blocks.firstIndex { $0.split(separator: "\n").contains { $0.hasPrefix(model.name + " ") } })
            let line = blocks[block].split(separator: "\n").first { $0.hasPrefix(model.name + " ") } ?? ""
            #expect(line.contains(testSet), "\(model.name): \(line)")
            if let other = seen[testSet] { #expect(other == block, "one test set, one group") }
            #expect(!seen.contains { $0.value == block && $0.key != testSet }, "\(model.name) shares a group with another test set")
            seen[testSet] = block
        }
        let json = try Self.gan("zoo", "list", "--json")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(entries.allSatisfy { ($0["testSet"] as? String)?.contains("test images") == true })
    }
}
