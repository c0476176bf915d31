import ArgumentParser
import GANZoo

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the architecture and loss plugins.")

    @Flag(help: "Also print each architecture's default configuration (JSON).")
    var configurations = false

    func run() {
        let width = (Registry.architectures.map(\.name) + Registry.losses.map(\.name)).map(\.count).max() ?? 0
        func pad(_ name: String) -> String { name + String(repeating: " ", count: width - name.count) }
        print("Architectures (--arch):")
        for factory in Registry.architectures {
            print("  \(pad(factory.name))  \(factory.summary)")
            if configurations { print("  \(String(repeating: " ", count: width))  defaults: \(factory.defaultConfigurationJSON)") }
        }
        print("Losses (--loss):")
        for factory in Registry.losses { print("  \(pad(factory.name))  \(factory.summary)") }
    }
}
