import ArgumentParser
import Foundation
import GANCore
import GANExport
import GANZoo

extension ExportFormat: ExpressibleByArgument {}
extension ExportChoice: ExpressibleByArgument {}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a model's networks as ONNX, safetensors (PyTorch) or a Keras 3 weights file.",
        discussion: "See README, \"Export\", for each format's layout and how to load it.")

    @Argument(help: "The weights file (.h5) written by `gan train`.")
    var file: String

    @Option(help: "The format; it must agree with --out's ending. (default: from --out's ending: .onnx, .safetensors, .weights.h5)")
    var format: ExportFormat?

    @Option(help: "Output file; its ending must name the format.")
    var out: String

    @Option(help: "The networks to write. (default: both for safetensors and keras when the file holds a discriminator, else generator; ONNX holds one network)")
    var network: ExportChoice?

    /// --format, else what --out's ending names; a mismatch or an unknown ending is an error.
    func resolvedFormat() throws -> ExportFormat {
        let endings = ExportFormat.allCases.map { "\($0.ending) (\($0.rawValue))" }.joined(separator: ", ")
        let named = ExportFormat.named(byPath: out)
        switch (format, named) {
        case (nil, nil):
            throw ValidationError("--out \(out): its ending names no export format; end it in \(endings)")
        case (let format?, nil):
            throw ValidationError("--out \(out): a \(format.rawValue) export must end in \(format.ending)")
        case (let format?, let named?) where format != named:
            throw ValidationError("--format \(format.rawValue) does not match --out \(out), whose ending names \(named.rawValue)")
        default:
            return named!
        }
    }

    func validate() throws {
        try checkNotSame(out, flag: "--out", as: file, named: "weights file being exported")
        _ = try resolvedFormat()
    }

    func run() throws {
        let format = try resolvedFormat()
        try checkWritable(out, flag: "--out")
        let contents = try ModelFile.load(file)
        let model = contents.model
        var metadata: [(key: String, value: String)] = [
            ("generator_architecture", model.generatorArchitecture.name),
            ("generator_config", model.generatorArchitecture.configurationJSON),
        ]
        if contents.discriminatorStored {
            metadata += [("discriminator_architecture", model.discriminatorArchitecture.name),
                         ("discriminator_config", model.discriminatorArchitecture.configurationJSON)]
        }
        metadata += [("loss", contents.configuration.loss), ("problem", ConfigurationCoding.encode(model.problem)),
                     ("epoch", String(contents.position.epoch)), ("source", URL(fileURLWithPath: file).lastPathComponent)]
        let exported = ExportModel(
            generator: try ExportNetwork(.generator, network: model.generator),
            discriminator: contents.discriminatorStored ? try ExportNetwork(.discriminator, network: model.discriminator) : nil,
            metadata: metadata, producer: "gan-zoo \(GANZooVersion.string)")
        let written = try Exporter.export(exported, format: format, choice: network, to: out)
        let what = written.networks.map(\.rawValue).joined(separator: " and ")
        print("wrote the \(what) (\(written.parameters) values) to \(out) as \(format.rawValue)")
    }
}
