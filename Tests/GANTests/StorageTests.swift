import Foundation
import GANCore
import GANLayers
import GANStorage
import GANZoo
import Testing

@Suite("HDF5 weights files")
struct StorageTests {
    static func trainedSession(epochs: Int = 1) throws -> TrainingSession {
        let session = try TrainingSession(configuration: Support.tinyConfiguration(epochs: epochs))
        for _ in 0..<epochs { try session.trainEpoch() }
        return session
    }

    static func bits(_ network: Network) -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: network.namedParameters.map {
            ("\($0.layer)/\($0.parameter.key)", $0.parameter.value.array.map(\.bitPattern))
        })
    }

    @Test func saveThenLoadIsBitIdentical() throws {
        let session = try Self.trainedSession()
        let path = Support.temporaryFolder() + "/w.h5"
        try session.save(to: path)
        let loaded = try ModelFile.load(path)
        #expect(Self.bits(loaded.model.generator) == Self.bits(session.model.generator))
        #expect(Self.bits(loaded.model.discriminator) == Self.bits(session.model.discriminator))
        #expect(loaded.configuration == session.configuration)
        #expect(loaded.position == session.position)
        #expect(try WeightsReport(path: path).formatVersion == 1, "inspect reports the file's own format_version, not the newest")
        #expect(loaded.model.generatorArchitecture.configurationJSON == session.model.generatorArchitecture.configurationJSON)
        #expect(loaded.model.discriminatorArchitecture.configurationJSON == session.model.discriminatorArchitecture.configurationJSON)
        // The rebuilt generator draws exactly what the trained one draws.
        #expect(loaded.model.sample(count: 5, seed: 9).samples == session.model.sample(count: 5, seed: 9).samples)
    }

    @Test func fileDescribesItself() throws {
        let session = try Self.trainedSession()
        let path = Support.temporaryFolder() + "/w.h5"
        try session.save(to: path)
        let root = try HDF5File.open(path).root
        #expect(try root.stringAttribute("format") == "gan-zoo-weights")
        #expect(try root.intAttribute("format_version") == 1)
        #expect(try root.stringAttribute("architecture") == "mlp")
        #expect(try root.stringAttribute("loss") == "non-saturating")
        #expect(try root.intAttribute("epoch") == 1)
        let generator = try root.group("generator")
        #expect(try generator.stringsAttribute("layer_names") == ["dense_0", "leaky_relu_1", "dense_2", "sigmoid_3"])
        let kernel = try generator.group("dense_0").readFloats("kernel")
        #expect(kernel.shape == [8, 32])
        #expect(try root.group("rng").readUInt64s("noise").count == 4)
        #expect(try root.group("optimizer").group("generator").group("velocity").group("dense_0").readFloats("kernel").shape == [8, 32])
    }

    @Test func aFailedSaveLeavesTheExistingFileAlone() throws {
        let session = try Self.trainedSession()
        let folder = Support.temporaryFolder()
        let path = folder + "/w.h5"
        try session.save(to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        session.model.generator.trainableParameters[0].value[0] = .nan
        #expect(throws: TrainingError.self) { try session.save(to: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["w.h5"], "no temporary file is left")
    }

    @Test func damagedFilesGiveClearErrors() throws {
        let session = try Self.trainedSession()
        let folder = Support.temporaryFolder()
        let good = folder + "/good.h5"
        try session.save(to: good)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))

        let cases: [(String, Data, String)] = [
            ("empty.h5", Data(), "empty"),
            ("text.h5", Data("hello, I am not HDF5\n".utf8), "not an HDF5 file"),
            ("truncated.h5", bytes.prefix(bytes.count / 2), "damaged or truncated"),
            ("header-only.h5", bytes.prefix(600), "damaged or truncated"),
        ]
        for (name, data, expected) in cases {
            let path = folder + "/" + name
            try data.write(to: URL(fileURLWithPath: path))
            do {
                _ = try ModelFile.load(path)
                Issue.record("\(name) loaded without error")
            } catch {
                let message = "\(error)"
                #expect(message.hasPrefix(path), "\(name): the message names the file: \(message)")
                #expect(message.contains(expected), "\(name): \(message)")
            }
        }
    }

    /// A single flipped bit inside a weight matrix is caught by the dataset's checksum.
    @Test func aFlippedBitInTheWeightsIsDetected() throws {
        let session = try Self.trainedSession()
        let path = Support.temporaryFolder() + "/w.h5"
        try session.save(to: path)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let kernel = session.model.generator.namedParameters[0].parameter.value.array
        let pattern = kernel.prefix(8).flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) } }
        let offset = try #require((0...(bytes.count - pattern.count)).first { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) },
                                  "the kernel's values are stored as plain little-endian float32")
        bytes[offset + 13] ^= 0x04
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try expectLoadError(path, contains: "/generator/dense_0/kernel", "checksum mismatch")
    }

    @Test func foreignAndMismatchedFilesAreRejectedByName() throws {
        let folder = Support.temporaryFolder()
        let foreign = folder + "/foreign.h5"
        try AtomicFile.write(to: foreign) { file in
            try file.root.createGroup("model_weights").writeFloats("x", [1, 2], shape: [2])
        }
        #expect(throws: HDF5Error.self) { try ModelFile.load(foreign) }
        do { _ = try ModelFile.load(foreign) } catch { #expect("\(error)".contains("not a GAN Zoo weights file")) }

        // Rewrite a good file with one thing changed, as another writer might.
        let session = try Self.trainedSession()
        let source = folder + "/source.h5"
        try session.save(to: source)
        func variant(_ name: String, attributes: [String: Any] = [:],
                     dataset edit: @escaping (String, [Int], [Float]) -> ([Int], [Float])? = { ($1, $2) }) throws -> String {
            let path = folder + "/" + name
            try AtomicFile.write(to: path) { file in
                try Self.copy(from: HDF5File.open(source).root, into: file.root, attributes: attributes, edit: edit)
            }
            return path
        }
        try expectLoadError(variant("copy.h5"))  // the copy itself loads: the helper is faithful
        try expectLoadError(variant("shape.h5") { path, shape, values in
            path == "/generator/dense_0/kernel" ? (shape.reversed(), values) : (shape, values)
        }, contains: "/generator/dense_0/kernel", "shape [32, 8] does not match the expected [8, 32]")
        try expectLoadError(variant("missing.h5") { path, shape, values in
            path == "/discriminator/dense_3/bias" ? nil : (shape, values)
        }, contains: "/discriminator/dense_3/bias", "missing dataset")
        try expectLoadError(variant("nan.h5") { path, shape, values in
            path == "/generator/dense_2/bias" ? (shape, values.map { _ in Float.nan }) : (shape, values)
        }, contains: "/generator/dense_2/bias", "NaN")
        try expectLoadError(variant("future.h5", attributes: ["format_version": 99]), contains: "format_version 99")
        try expectLoadError(variant("unknown.h5", attributes: ["generator_architecture": "resnet-9000"]),
                            contains: "unknown architecture 'resnet-9000'", "mlp")
        try expectLoadError(variant("config.h5", attributes: ["generator_config": "{\"generatorHiddenSizes\":\"wide\"}"]),
                            contains: "invalid configuration for 'mlp'", "generatorHiddenSizes")
    }

    /// Loads `path`; with no fragments it must load, else fail with every fragment in the message.
    func expectLoadError(_ path: String, contains fragments: String...) throws {
        do {
            _ = try ModelFile.load(path)
            #expect(fragments.isEmpty, "\(path) loaded without error")
        } catch {
            #expect(!fragments.isEmpty, "\(path): \(error)")
            #expect("\(error)".hasPrefix(path), "the message names the file: \(error)")
            for fragment in fragments { #expect("\(error)".contains(fragment), "\(error)") }
        }
    }

    /// Copies attributes, groups and float datasets, overriding `attributes` and passing every
    /// dataset through `edit` (nil drops it).
    static func copy(from source: HDF5Group, into target: HDF5Group, attributes: [String: Any],
                     edit: (String, [Int], [Float]) -> ([Int], [Float])?) throws {
        for name in source.attributeNames() {
            switch attributes[name] {
            case let text as String: try target.setAttribute(name, text)
            case let number as Int: try target.setAttribute(name, number)
            default:
                if let strings = try? source.stringsAttribute(name) {
                    if source.path == "/" || strings.count == 1 && name != "layer_names" {
                        try target.setAttribute(name, strings[0])
                    } else {
                        try target.setAttribute(name, strings)
                    }
                } else if let number = try? source.intAttribute(name) {
                    try target.setAttribute(name, number)
                } else {
                    try target.setAttribute(name, try source.doubleAttribute(name))
                }
            }
        }
        for child in try source.childNames() {
            if source.isDataset(child) {
                let path = source.path == "/" ? "/" + child : source.path + "/" + child
                if let words = try? source.readUInt64s(child) {
                    try target.writeUInt64s(child, words)
                    continue
                }
                if let (shape, values) = try? source.readDoubles(child) {
                    try target.writeDoubles(child, values, shape: shape)
                    continue
                }
                let (shape, values) = try source.readFloats(child)
                if let (newShape, newValues) = edit(path, shape, values) {
                    try target.writeFloats(child, newValues, shape: newShape)
                }
            } else {
                try copy(from: source.group(child), into: target.createGroup(child), attributes: [:], edit: edit)
            }
        }
    }
}
