import Foundation
import GANCore
import GANEvaluation
import GANLayers
import GANStorage

/// What a weights file holds, for `gan inspect`: a GAN's weights or checkpoint (`gan train`), or
/// one of the evaluation's classifiers (`gan classifier`, models/*-classifier/classifier.h5).
/// `text` is the readable form; the value itself encodes as `gan inspect --json`'s entries.
public struct WeightsReport: Encodable, Sendable {
    public struct Parameter: Codable, Sendable { public var name: String, shape: [Int] }
    public struct LayerEntry: Codable, Sendable {
        public var name: String, inputSize: Int, outputSize: Int, parameters: [Parameter]
    }
    public struct NetworkEntry: Codable, Sendable {
        public var role: String, parameterCount: Int, layers: [LayerEntry]
    }
    /// A GAN file's recipe and position.
    public struct GANEntry: Encodable, Sendable {
        public var architecture: String, loss: String
        public var generatorArchitecture: String, generatorConfiguration: String
        public var discriminatorArchitecture: String, discriminatorConfiguration: String
        public var problem: Problem
        public var training: TrainingConfiguration
        public var position: TrainingPosition
        public var discriminatorStored: Bool
    }
    /// A classifier file's sizes and what its training recorded.
    public struct ClassifierEntry: Codable, Sendable {
        public var height: Int, width: Int, filters1: Int, filters2: Int, hiddenSize: Int, classes: Int
        public var testAccuracy: Double, data: String, trainingImages: Int, epochs: Int, trainSeconds: Double
    }
    public enum Kind: String, Codable, Sendable { case gan, classifier }

    public let path: String
    public let kind: Kind
    public let format: String
    public let formatVersion: Int
    public let gan: GANEntry?
    public let classifier: ClassifierEntry?
    public let networks: [NetworkEntry]

    enum CodingKeys: String, CodingKey { case path, kind, format, formatVersion, gan, classifier, networks }

    public init(path: String) throws {
        self.path = path
        let format = try? HDF5File.open(path).root.stringAttribute("format")
        if format == Classifier.format {
            let (loaded, record) = try Classifier.load(path)
            let shape = loaded.shape
            (kind, self.format, formatVersion, gan) = (.classifier, Classifier.format, Classifier.formatVersion, nil)
            classifier = ClassifierEntry(height: shape.height, width: shape.width, filters1: shape.filters1, filters2: shape.filters2,
                                         hiddenSize: shape.hidden, classes: shape.classes, testAccuracy: record.testAccuracy,
                                         data: record.data, trainingImages: record.trainingImages, epochs: record.epochs,
                                         trainSeconds: record.trainSeconds)
            networks = [Self.entry("classifier", loaded.network)]
            return
        }
        let contents = try ModelFile.load(path)
        let model = contents.model
        // The file's own version (an unconditional model's files are still written as 1).
        let version = (try? HDF5File.open(path).root.intAttribute("format_version")) ?? ModelFile.formatVersion
        (kind, self.format, formatVersion, classifier) = (.gan, ModelFile.format, version, nil)
        gan = GANEntry(architecture: model.architectureName, loss: contents.configuration.loss,
                       generatorArchitecture: model.generatorArchitecture.name,
                       generatorConfiguration: model.generatorArchitecture.configurationJSON,
                       discriminatorArchitecture: model.discriminatorArchitecture.name,
                       discriminatorConfiguration: model.discriminatorArchitecture.configurationJSON,
                       problem: model.problem, training: contents.configuration, position: contents.position,
                       discriminatorStored: contents.discriminatorStored)
        networks = [Self.entry("generator", model.generator)] + (contents.discriminatorStored ? [Self.entry("discriminator", model.discriminator)] : [])
    }

    static func entry(_ role: String, _ network: Network) -> NetworkEntry {
        NetworkEntry(role: role, parameterCount: network.parameterCount, layers: zip(network.layerNames, network.layers).map { name, layer in
            LayerEntry(name: name, inputSize: layer.inputSize, outputSize: layer.outputSize,
                       parameters: layer.parameters.map { Parameter(name: $0.key, shape: $0.shape) })
        })
    }
}

extension WeightsReport {
    /// The readable report: a header of `label: value` lines, then each network's layers in
    /// columns as wide as their longest entry.
    public var text: String {
        var lines = ["\(path)", "  format:        \(format) v\(formatVersion)"]
        if let gan { lines += Self.lines(gan) }
        if let classifier {
            let c = classifier
            lines.append("  kind:          classifier (LeNet: conv 5x5 x\(c.filters1), pool, conv 5x5 x\(c.filters2), pool, dense \(c.hiddenSize), \(c.classes) classes; its penultimate features feed `gan evaluate --metric frechet`)")
            lines.append("  images:        \(c.height)x\(c.width)")
            lines.append(String(format: "  trained:       %d epochs on %d images of %@ (%.0f s); test accuracy %.4f",
                                c.epochs, c.trainingImages, c.data, c.trainSeconds, c.testAccuracy))
        }
        if gan?.discriminatorStored == false {
            lines.append("  discriminator: not stored (a generator-only export: it samples and evaluates, it cannot train on)")
        }
        let nameWidth = (networks.flatMap { $0.layers.map(\.name.count) }.max() ?? 0) + 2
        for network in networks {
            lines.append("  \(network.role) (\(network.parameterCount) parameters):")
            for layer in network.layers {
                let shapes = layer.parameters.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")
                lines.append("    " + layer.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                             + "\(layer.inputSize) -> \(layer.outputSize)" + (shapes.isEmpty ? "" : "  \(shapes)"))
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func lines(_ gan: GANEntry) -> [String] {
        let configuration = gan.training, problem = gan.problem
        var lines = ["  kind:          GAN (weights written by `gan train`)",
                     "  architecture:  \(gan.architecture)", "  loss:          \(gan.loss)"]
        if gan.generatorArchitecture == gan.discriminatorArchitecture && gan.generatorConfiguration == gan.discriminatorConfiguration {
            lines.append("  configuration: \(gan.generatorConfiguration)")
        } else {
            lines.append("  generator:     \(gan.generatorArchitecture) \(gan.generatorConfiguration)")
            lines.append("  discriminator: \(gan.discriminatorArchitecture) \(gan.discriminatorConfiguration)")
        }
        lines.append("  problem:       samples \(problem.sampleShape.map(String.init).joined(separator: "x")), "
                     + "latent \(problem.latentSize), noise \(problem.noise.kind.rawValue)(scale \(problem.noise.scale))"
                     + (problem.classes.map { ", conditional on \($0.names.count) classes (\($0.names.joined(separator: ", ")))" } ?? ""))
        let digits = configuration.digits.map { $0.map(String.init).joined(separator: ",") } ?? "all"
        let held = configuration.holdOutValidation ? "validation \(configuration.validationSplit.rawValue) held out" : "no images held out"
        lines.append("  data:          \(configuration.dataPath ?? "shipped MNIST subset"), labels \(digits), \(held)")
        // The words of the interrupt and resume messages, with the recipe's epochs.
        let position = gan.position, epochs = configuration.epochs
        let at = position.epochStep > 0 ? "at epoch \(position.epoch + 1) of \(epochs), step \(position.step)"
            : "at the end of epoch \(position.epoch) of \(epochs), step \(position.step)"
        lines.append("  training:      \(at), "
                     + "batch \(configuration.batchSize), k \(configuration.k), \(configuration.mode.rawValue), "
                     + "D objective \(configuration.discriminatorObjective.rawValue), "
                     + "seed \(configuration.seed), threads \(configuration.threads)")
        for (role, optimizer) in [("G", configuration.generatorOptimizer), ("D", configuration.discriminatorOptimizer)] {
            lines.append("  optimizer \(role):   \(ConfigurationCoding.encode(optimizer))")
        }
        return lines
    }
}
