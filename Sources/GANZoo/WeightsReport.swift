import Foundation
import GANCore
import GANLayers

/// A readable description of a weights file, for `gan inspect`.
public struct WeightsReport {
    public let text: String

    public init(path: String) throws {
        let contents = try ModelFile.load(path)
        let model = contents.model
        let configuration = contents.configuration
        var lines: [String] = []
        lines.append("\(path)")
        lines.append("  format:        \(ModelFile.format) v\(ModelFile.formatVersion)")
        lines.append("  architecture:  \(model.architectureName)")
        lines.append("  loss:          \(configuration.loss)")
        if model.generatorArchitecture.name == model.discriminatorArchitecture.name {
            lines.append("  configuration: \(model.generatorArchitecture.configurationJSON)")
        } else {
            lines.append("  generator:     \(model.generatorArchitecture.name) \(model.generatorArchitecture.configurationJSON)")
            lines.append("  discriminator: \(model.discriminatorArchitecture.name) \(model.discriminatorArchitecture.configurationJSON)")
        }
        let problem = model.problem
        lines.append("  problem:       samples \(problem.sampleShape.map(String.init).joined(separator: "x")), "
                     + "latent \(problem.latentSize), noise \(problem.noise.kind.rawValue)(scale \(problem.noise.scale))")
        let digits = configuration.digits.map { $0.map(String.init).joined(separator: ",") } ?? "all"
        let held = configuration.holdOutValidation ? "validation \(configuration.validationSplit.rawValue) held out" : "no images held out"
        lines.append("  data:          \(configuration.dataPath ?? "shipped MNIST subset"), labels \(digits), \(held)")
        lines.append("  training:      epoch \(contents.position.epoch) of \(configuration.epochs), step \(contents.position.step), "
                     + "batch \(configuration.batchSize), k \(configuration.k), \(configuration.mode.rawValue), "
                     + "D objective \(configuration.discriminatorObjective.rawValue), "
                     + "seed \(configuration.seed), threads \(configuration.threads)")
        for (role, optimizer) in [("G", configuration.generatorOptimizer), ("D", configuration.discriminatorOptimizer)] {
            lines.append("  optimizer \(role):   \(ConfigurationCoding.encode(optimizer))")
        }
        for (role, network) in [("generator", model.generator), ("discriminator", model.discriminator)] {
            if role == "discriminator" && !contents.discriminatorStored {
                lines.append("  discriminator: not stored (a generator-only export: it samples and evaluates, it cannot train on)")
                continue
            }
            lines.append("  \(role) (\(network.parameterCount) parameters):")
            for (name, layer) in zip(network.layerNames, network.layers) {
                let shapes = layer.parameters.map { "\($0.key) \($0.shape)" }.joined(separator: ", ")
                let detail = shapes.isEmpty ? "" : "  \(shapes)"
                lines.append("    \(name.padding(toLength: 16, withPad: " ", startingAt: 0))\(layer.inputSize) -> \(layer.outputSize)\(detail)")
            }
        }
        text = lines.joined(separator: "\n")
    }
}
