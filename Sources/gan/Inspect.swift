import ArgumentParser
import GANZoo

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what a weights file holds: plugins, configuration, layers, training position.")

    @Argument(help: "The weights file (.h5).")
    var file: String

    func run() throws {
        print(try WeightsReport(path: file).text)
    }
}
