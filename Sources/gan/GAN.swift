import ArgumentParser
import GANZoo

@main
struct GAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "Train, sample and inspect generative adversarial nets (Goodfellow et al. 2014).",
        version: GANZooVersion.string,
        subcommands: [List.self, Train.self, Sample.self, Inspect.self, Evaluate.self, ZooCommand.self, DataCommand.self, Plot.self, ClassifierCommand.self, Bench.self])
}
