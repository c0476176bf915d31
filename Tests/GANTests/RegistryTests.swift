import Foundation
import GANCore
import GANZoo
import Testing

@Suite("Plugin registry")
struct RegistryTests {
    @Test func unknownNamesListTheKnownOnes() {
        #expect(throws: RegistryError.unknown(kind: "architecture", name: "cnn", known: Registry.architectures.map(\.name))) {
            try Registry.architecture(named: "cnn")
        }
        do {
            _ = try Registry.loss(named: "wasserstein")
            Issue.record("an unknown loss was accepted")
        } catch {
            let known = Registry.losses.map(\.name).joined(separator: ", ")
            #expect(known.contains("non-saturating, saturating"))
            #expect(error.description == "unknown loss 'wasserstein' (known losses: \(known))")
        }
    }

    @Test func namesAreUniqueAndKebabCase() {
        let names = Registry.architectures.map(\.name) + Registry.losses.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.range(of: "^[a-z0-9]+(-[a-z0-9]+)*$", options: .regularExpression) != nil })
    }

    /// Every folder under Plugins/ holds a plugin that the registry lists: a folder nobody
    /// registered would otherwise be silently ignored.
    @Test func everyPluginFolderIsRegistered() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Support.packageRoot + "/Plugins")
            .filter { !$0.hasPrefix(".") }.sorted()
        let source = try String(contentsOfFile: Support.packageRoot + "/Sources/GANZoo/Registry.swift", encoding: .utf8)
        let manifest = try String(contentsOfFile: Support.packageRoot + "/Package.swift", encoding: .utf8)
        #expect(!folders.isEmpty)
        for folder in folders {
            // A folder's type shares its name (MLP/MLP.swift holds `struct MLP`).
            #expect(source.contains("\(folder).self"), "Plugins/\(folder) is not in Registry.swift")
            #expect(manifest.contains("folder: \"\(folder)\""), "Plugins/\(folder) has no plugin(...) line in Package.swift")
        }
    }

    @Test func partialConfigurationsKeepDefaultsAndUnknownFieldsFail() throws {
        let factory = try Registry.architecture(named: "mlp")
        let custom = try factory.make(configurationJSON: #"{"generatorHiddenSizes":[7,9]}"#)
        #expect(custom.configurationJSON.contains(#""generatorHiddenSizes":[7,9]"#))
        #expect(custom.configurationJSON.contains(#""discriminatorHiddenSizes":[256]"#))
        #expect(throws: ConfigurationError.self) { try factory.make(configurationJSON: #"{"hiddenSize":3}"#) }
        #expect(throws: ConfigurationError.self) { try factory.make(configurationJSON: #"{"generatorHiddenSizes":[0]}"#) }
        #expect(throws: ConfigurationError.self) { try factory.make(configurationJSON: #"{"leakyReLUAlpha":2}"#) }
        #expect(throws: ConfigurationError.self) { try factory.make(configurationJSON: "[1]") }
    }
}

@Suite("Plugin scaffold (scripts/new-plugin.py)")
struct ScaffoldTests {
    /// A copy of the three places a plugin touches, scaffolded into.
    static func sandbox() throws -> String {
        let root = Support.temporaryFolder("scaffold")
        let files = FileManager.default
        try files.createDirectory(atPath: root + "/Sources/GANZoo", withIntermediateDirectories: true)
        try files.copyItem(atPath: Support.packageRoot + "/Package.swift", toPath: root + "/Package.swift")
        try files.copyItem(atPath: Support.packageRoot + "/Sources/GANZoo/Registry.swift", toPath: root + "/Sources/GANZoo/Registry.swift")
        try files.copyItem(atPath: Support.packageRoot + "/Plugins", toPath: root + "/Plugins")
        return root
    }

    static func scaffold(_ root: String, _ kind: String, _ name: String) throws -> Support.Run {
        try Support.run("/usr/bin/env", ["python3", Support.packageRoot + "/scripts/new-plugin.py", "--kind", kind, "--name", name, "--root", root])
    }

    @Test func addsTheFolderThePackageLineAndTheRegistryEntry() throws {
        let root = try Self.sandbox()
        let loss = try Self.scaffold(root, "loss", "wasserstein-ish")
        #expect(loss.status == 0, "\(loss.output)")
        let architecture = try Self.scaffold(root, "architecture", "wide-mlp")
        #expect(architecture.status == 0, "\(architecture.output)")
        let source = try String(contentsOfFile: root + "/Plugins/WassersteinIshLoss/WassersteinIshLoss.swift", encoding: .utf8)
        #expect(source.contains("public struct WassersteinIshLoss: Loss") && source.contains(#"static let name = "wasserstein-ish""#))
        #expect(FileManager.default.fileExists(atPath: root + "/Plugins/WideMlp/WideMlp.swift"))
        let manifest = try String(contentsOfFile: root + "/Package.swift", encoding: .utf8)
        #expect(manifest.contains(#"plugin("WassersteinIshLossPlugin", folder: "WassersteinIshLoss"),"#))
        #expect(manifest.contains(#"plugin("WideMlpPlugin", folder: "WideMlp"),"#))
        let registry = try String(contentsOfFile: root + "/Sources/GANZoo/Registry.swift", encoding: .utf8)
        #expect(registry.contains("import WassersteinIshLossPlugin") && registry.contains("LossFactory(WassersteinIshLoss.self),"))
        #expect(registry.contains("import WideMlpPlugin") && registry.contains("ArchitectureFactory(WideMlp.self),"))
        // The loss went into the losses list and the architecture into the architectures list.
        let lossesList = try #require(registry.range(of: "static let losses"))
        #expect(registry.range(of: "LossFactory(WassersteinIshLoss.self)")!.lowerBound > lossesList.lowerBound)
        #expect(registry.range(of: "ArchitectureFactory(WideMlp.self)")!.lowerBound < lossesList.lowerBound)
    }

    @Test func refusesTakenNamesAndBadNames() throws {
        let root = try Self.sandbox()
        let before = try String(contentsOfFile: root + "/Package.swift", encoding: .utf8)
        for (kind, name) in [("loss", "hinge"), ("architecture", "mlp"), ("loss", "Bad_Name")] {
            let run = try Self.scaffold(root, kind, name)
            #expect(run.status != 0, "\(name) should be refused")
        }
        #expect(try String(contentsOfFile: root + "/Package.swift", encoding: .utf8) == before, "nothing was changed")
    }
}
