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
