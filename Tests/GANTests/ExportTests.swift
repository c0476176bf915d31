import Foundation
import GANCore
import GANExport
import GANImages
import GANLayers
import GANTensor
import GANZoo
import Testing

/// `gan export`: every architecture plugin's networks, loaded by the real consumers
/// (onnxruntime, PyTorch through safetensors, Keras 3 `load_weights`; Tests/interop/check_export.py
/// runs the README's own loading code) and compared with Swift; and the command's refusals.
@Suite("gan export", .serialized)
struct ExportTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let architecture: String
        let configuration: String
        var testDescription: String { "\(architecture) \(configuration)" }
    }

    /// Small networks that still use every layer type the plugins build: leaky ReLU and dropout
    /// (mlp), tanh and ReLU (mlp with other activations), batch normalisation in both networks,
    /// maxout with dropout. The discriminators start from larger weights than the plugins' so
    /// that their logits are far from 0 and a wrong layout shows.
    static let cases = [
        Case(architecture: "mlp", configuration: #"{"generatorHiddenSizes":[32],"discriminatorHiddenSizes":[16]}"#),
        Case(architecture: "mlp", configuration: #"{"generatorHiddenSizes":[32,24],"discriminatorHiddenSizes":[16],"generatorActivation":"tanh","discriminatorActivation":"relu"}"#),
        Case(architecture: "mlp-batchnorm", configuration: #"{"generatorHiddenSizes":[32,24],"discriminatorHiddenSizes":[16],"discriminatorBatchNormalization":true}"#),
        Case(architecture: "maxout-dropout", configuration: #"{"generatorHiddenSizes":[48,32],"discriminatorUnits":[12,8],"discriminatorPieces":3,"discriminatorInitScale":0.3}"#),
        // Convolutions both ways, 2-D batch norm, reshape and flatten, several channels on each
        // side of the reshape and the flatten (where PyTorch reads channels first).
        Case(architecture: "dcgan", configuration: #"{"generatorChannels":[6,4],"discriminatorChannels":[4,5],"initStd":0.2}"#),
        Case(architecture: "dcgan", configuration: #"{"generatorChannels":[6,4],"discriminatorChannels":[4,5,3],"initStd":0.2}"#),
    ]

    static func gan(_ arguments: [String]) throws -> Support.Run {
        let binary = try #require(Support.ganBinary, "no gan binary: run `swift build` (or `make test`) first")
        return try Support.run(binary, arguments)
    }

    static func python(_ script: String, _ arguments: [String]) throws -> Support.Run {
        try Support.run("/usr/bin/env", ["python3", Support.packageRoot + "/Tests/interop/" + script] + arguments, timeout: 600)
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func everyArchitecturePluginHasAnExportCase() {
        let tested = Set(Self.cases.map(\.architecture))
        for plugin in Registry.architectures {
            #expect(tested.contains(plugin.name), "architecture plugin '\(plugin.name)' has no case in ExportTests.cases")
        }
    }

    @Test(arguments: cases)
    func exportsLoadInOnnxruntimePyTorchAndKeras(_ testCase: Case) throws {
        let folder = Support.temporaryFolder()
        let weights = folder + "/model.h5"
        let train = try Self.gan(["train", "--arch", testCase.architecture, "--arch-config", testCase.configuration,
                                  "--digit", "4", "--epochs", "1", "--batch-size", "25", "--latent-size", "8",
                                  "--seed", "5", "--out", weights])
        try #require(train.status == 0, "\(train.output)")
        let noise = folder + "/z.npy", samples = folder + "/samples.npy"
        let sample = try Self.gan(["sample", "--weights", weights, "--count", "32", "--seed", "9", "--format", "npy",
                                   "--out", samples, "--save-noise", noise])
        try #require(sample.status == 0, "\(sample.output)")

        // Swift's discriminator logits on 64 images of uniform pixels: the reference for each export's discriminator.
        let model = try ModelFile.load(weights).model
        let width = model.problem.sampleSize, rows = 64
        var inputs = [Float](repeating: 0, count: rows * width)
        var rng = RandomGenerator(seed: 11)
        inputs.withUnsafeMutableBufferPointer { rng.fillUniform($0.baseAddress!, count: $0.count, low: 0, high: 1) }
        let logits = inputs.withUnsafeBufferPointer { buffer in
            Array(UnsafeBufferPointer(start: model.discriminator.forward(buffer.baseAddress!, batchSize: rows, phase: .inference), count: rows))
        }
        try Self.write(NPY.encode(inputs, shape: [rows, width]), to: folder + "/x.npy")
        try Self.write(NPY.encode(logits, shape: [rows, 1]), to: folder + "/logits.npy")
        #expect(logits.contains { abs($0) > 0.01 }, "logits too close to 0 to tell layouts apart: \(logits.prefix(4))")

        let exports: [(arguments: [String], path: String, says: String)] = [
            (["--out", folder + "/g.onnx"], folder + "/g.onnx", "wrote the generator ("),
            (["--out", folder + "/d.onnx", "--network", "discriminator"], folder + "/d.onnx", "wrote the discriminator ("),
            (["--out", folder + "/m.safetensors"], folder + "/m.safetensors", "wrote the generator and discriminator ("),
            (["--out", folder + "/m.weights.h5", "--format", "keras"], folder + "/m.weights.h5", "wrote the generator and discriminator ("),
        ]
        for export in exports {
            let run = try Self.gan(["export", weights] + export.arguments)
            #expect(run.status == 0 && run.stdout.contains(export.says), "\(export.arguments): \(run.output)")
        }
        let check = try Self.python("check_export.py", [
            Support.packageRoot + "/README.md", "--noise", noise, "--samples", samples,
            "--inputs", folder + "/x.npy", "--logits", folder + "/logits.npy",
            "--onnx", folder + "/g.onnx", "--onnx-discriminator", folder + "/d.onnx",
            "--safetensors", folder + "/m.safetensors", "--keras", folder + "/m.weights.h5",
        ])
        print("export \(testCase.testDescription):\n\(check.stdout)")
        #expect(check.status == 0, "export check failed (needs onnx, onnxruntime, safetensors, torch, keras: `make test` installs them):\n\(check.output)")
        for consumer in ["onnx generator", "onnx discriminator", "safetensors + torch", "keras"] {
            #expect(check.stdout.contains(consumer) && check.stdout.contains("max abs difference"), "no '\(consumer)' comparison:\n\(check.stdout)")
        }
        #expect(check.stdout.components(separatedBy: "(ok)").count - 1 == 6, "six comparisons expected:\n\(check.stdout)")

        // The README's numpy reader on the same file, both networks (maxout, batch norm, tanh included).
        let numpy = try Self.python("check_readme_numpy.py", [Support.packageRoot + "/README.md", weights, noise, samples,
                                                              "--inputs", folder + "/x.npy", "--logits", folder + "/logits.npy"])
        print(numpy.stdout)
        #expect(numpy.status == 0 && numpy.stdout.contains("numpy discriminator"), "\(numpy.output)")
    }

    /// The ending of --out names the format; --format must agree; ONNX holds one network.
    @Test func formatComesFromTheEndingAndMismatchesAreRefused() throws {
        let folder = Support.temporaryFolder()
        let weights = Zoo.folder + "/mlp-digit4/weights.h5"
        let refusals: [(arguments: [String], says: String)] = [
            (["--out", folder + "/m.bin"], "its ending names no export format"),
            (["--out", folder + "/m.h5", "--format", "keras"], "a keras export must end in .weights.h5"),
            (["--out", folder + "/m.onnx", "--format", "safetensors"], "--format safetensors does not match --out"),
            (["--out", folder + "/m.onnx", "--network", "both"], "an onnx file holds one network"),
            (["--out", folder + "/m.onnx", "--format", "tflite"], "--format"),
            (["--out", folder + "/M.WEIGHTS.H5"], "its ending names no export format"),  // Keras's test is case-sensitive
        ]
        for refusal in refusals {
            let run = try Self.gan(["export", weights] + refusal.arguments)
            #expect(run.status == 1 && run.stderr.contains(refusal.says) && run.stderr.hasPrefix("Error:"),
                    "\(refusal.arguments): \(run.output)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "a refused export wrote something")
        // Like every output, a missing parent folder is created.
        let nested = try Self.gan(["export", weights, "--out", folder + "/missing/m.onnx"])
        #expect(nested.status == 0 && FileManager.default.fileExists(atPath: folder + "/missing/m.onnx"), "\(nested.output)")
        try FileManager.default.removeItem(atPath: folder + "/missing")
        // Case does not matter in the ending; the default for a file with both networks is both.
        let upper = try Self.gan(["export", weights, "--out", folder + "/M.SAFETENSORS"])
        #expect(upper.status == 0 && upper.stdout.contains("generator and discriminator"), "\(upper.output)")
    }

    /// Damaged, foreign or mismatched inputs: one `Error:` line, exit 1, nothing written, an
    /// existing --out untouched, no temporary file left.
    @Test func hostileInputsGiveOneLineAndLeaveOutputsAlone() throws {
        let folder = Support.temporaryFolder()
        let good = folder + "/good.h5"
        try FileManager.default.copyItem(atPath: Zoo.folder + "/mlp-digit4/weights.h5", toPath: good)
        // A weights file whose name Keras's ending would match: exporting it onto itself is refused.
        let same = folder + "/same.weights.h5"
        try FileManager.default.copyItem(atPath: good, toPath: same)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: folder + "/truncated.h5"))
        var flipped = bytes
        flipped[flipped.count / 2] ^= 0xFF  // inside /generator/dense_2/kernel
        try flipped.write(to: URL(fileURLWithPath: folder + "/flipped.h5"))
        try Data("not hdf5 at all\n".utf8).write(to: URL(fileURLWithPath: folder + "/text.h5"))
        let existing = folder + "/existing.onnx"
        try Data("previous export".utf8).write(to: URL(fileURLWithPath: existing))

        let cases: [(input: String, arguments: [String], says: String)] = [
            (folder + "/truncated.h5", [], "truncated.h5"),
            (folder + "/flipped.h5", [], "flipped.h5"),
            (folder + "/text.h5", [], "text.h5"),
            (folder + "/absent.h5", [], "absent.h5"),
            (Zoo.folder + "/mnist-classifier/classifier.h5", [], "not a GAN Zoo weights file"),
            (Zoo.folder + "/paper-mnist/weights.h5", ["--network", "discriminator"], "holds no discriminator"),
            (same, ["--out", folder + "/./same.weights.h5"], "is the weights file being exported"),
        ]
        for hostile in cases {
            let arguments = hostile.arguments.contains("--out") ? hostile.arguments : hostile.arguments + ["--out", existing]
            let run = try Self.gan(["export", hostile.input] + arguments)
            let lines = run.stderr.split(separator: "\n")
            #expect(run.status == 1 && lines.count == 1 && run.stderr.hasPrefix("Error:") && run.stderr.contains(hostile.says),
                    "\(hostile.input) \(arguments): \(run.output)")
        }
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "previous export", "a failed export replaced --out")
        #expect(try Data(contentsOf: URL(fileURLWithPath: same)) == bytes, "the input changed")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }
        #expect(left.isEmpty, "temporary files left: \(left)")
        // A generator-only file exports its generator, to every format.
        for out in ["g.onnx", "g.safetensors", "g.weights.h5"] {
            let run = try Self.gan(["export", Zoo.folder + "/paper-mnist/weights.h5", "--out", folder + "/" + out])
            #expect(run.status == 0 && run.stdout.contains("wrote the generator ("), "\(out): \(run.output)")
        }
    }

    /// A layer type the formats cannot express is an error naming the network, the layer and
    /// the type, with the types that can be exported.
    @Test func unknownLayerTypeIsAnErrorNamingIt() throws {
        let pooling = MaxPooling2D(input: ImageShape(height: 2, width: 2, channels: 1), window: Window(size: 2))
        let network = Network(layers: [pooling, Dense(inputSize: 1, outputSize: 3)])
        #expect(throws: ExportError("discriminator layer 'max_pooling2d_0': type 'max_pooling2d' has no export (exportable types: "
                                    + ExportLayer.exportableTypes.joined(separator: ", ") + ")")) {
            try ExportNetwork(.discriminator, network: network)
        }
        let exportable = try ExportNetwork(.generator, network: Network(layers: [Dense(inputSize: 4, outputSize: 3), Tanh(size: 3)]))
        #expect(exportable.layers.map(\.type) == ["dense", "tanh"] && exportable.inputSize == 4 && exportable.outputSize == 3)
        #expect(exportable.descriptionJSON == #"[{"name": "dense_0", "type": "dense", "input_size": 4, "output_size": 3}, "#
                + #"{"name": "tanh_1", "type": "tanh", "input_size": 3, "output_size": 3}]"#)
    }
}

/// The README's h5py/numpy reader ("The weights file"), taken from README.md itself, against
/// every zoo model's shipped weights and `gan sample --save-noise` on the same noise; it must
/// also raise on an unknown layer type.
@Suite("README weights snippet", .serialized)
struct WeightsSnippetTests {
    @Test func readmeNumpyReaderMatchesEveryZooModel() throws {
        let binary = try #require(Support.ganBinary)
        let models = try Zoo.models().filter(\.hasWeights)
        #expect(models.count >= 4, "zoo models with weights: \(models.map(\.name))")
        for model in models {
            let folder = Support.temporaryFolder()
            let noise = folder + "/z.npy", samples = folder + "/s.npy"
            let sample = try Support.run(binary, ["sample", "--model", model.name, "--count", "20", "--format", "npy",
                                                  "--out", samples, "--save-noise", noise])
            try #require(sample.status == 0, "\(sample.output)")
            let check = try Support.run("/usr/bin/env", ["python3", Support.packageRoot + "/Tests/interop/check_readme_numpy.py",
                                                        Support.packageRoot + "/README.md", model.weightsPath, noise, samples])
            print("\(model.name): \(check.stdout)")
            #expect(check.status == 0 && check.stdout.contains("numpy generator") && check.stdout.contains("unknown layer type: ValueError (ok)"),
                    "\(model.name): \(check.output)")
        }
    }
}
