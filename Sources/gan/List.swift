import ArgumentParser
import GANCore
import GANZoo

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the architecture and loss plugins.")

    @Flag(help: "Also print each architecture's default configuration (JSON) and each plugin's reference training settings.")
    var configurations = false

    func run() {
        let width = (Registry.architectures.map(\.name) + Registry.losses.map(\.name)).map(\.count).max() ?? 0
        func pad(_ name: String) -> String { name + String(repeating: " ", count: width - name.count) }
        let indent = "  " + String(repeating: " ", count: width) + "  "
        func settings(_ reference: ReferenceSettings) {
            guard configurations else { return }
            if reference.isEmpty {
                print(indent + "training: the defaults (no reference settings)")
                return
            }
            print(indent + "training: " + reference.lines.joined(separator: "; "))
            if let reason = reference.reason { print(indent + "  from: " + reason) }
        }
        print("Architectures (--arch):")
        for factory in Registry.architectures {
            print("  \(pad(factory.name))  \(factory.summary)")
            if configurations { print(indent + "defaults: \(factory.defaultConfigurationJSON)") }
            settings(factory.referenceSettings)
        }
        print("Losses (--loss):")
        for factory in Registry.losses {
            print("  \(pad(factory.name))  \(factory.summary)")
            settings(factory.referenceSettings)
        }
        if configurations {
            print("Precedence, strongest first: flag, recipe, loss plugin, architecture plugin, default "
                  + "(`gan train ... --print-recipe --explain` shows where each value came from).")
        }
    }
}
