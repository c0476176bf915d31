import ArgumentParser
import Foundation
import GANZoo

@main
struct GAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "Train, sample and inspect generative adversarial nets (Goodfellow et al. 2014).",
        version: GANZooVersion.string,
        subcommands: [List.self, Train.self, Sample.self, Inspect.self, Evaluate.self, ZooCommand.self, DataCommand.self, Plot.self, ClassifierCommand.self, Bench.self])

    /// A file size limit (`ulimit -f`) must fail a write with EFBIG, which becomes an `Error:`
    /// line, rather than kill the process with SIGXFSZ.
    static func main() {
        signal(SIGXFSZ, SIG_IGN)
        main(nil)
    }
}
