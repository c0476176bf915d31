import Foundation

/// What an export holds: the generator, the discriminator when the source file has one, and
/// facts about the model (plugin names, problem JSON, ...) that every format records beside
/// the weights (ONNX `metadata_props`, safetensors `__metadata__`, Keras root attributes).
public struct ExportModel {
    public var generator: ExportNetwork
    public var discriminator: ExportNetwork?
    /// Key-value facts in the order written, e.g. `generator_architecture`, `problem`.
    public var metadata: [(key: String, value: String)]
    /// Who wrote the file, e.g. "gan-zoo 1.4.0 (abc1234)".
    public var producer: String

    public init(generator: ExportNetwork, discriminator: ExportNetwork?, metadata: [(key: String, value: String)], producer: String) {
        self.generator = generator
        self.discriminator = discriminator
        self.metadata = metadata
        self.producer = producer
    }

    /// The networks `choice` names, checked against what this model holds and what `format` can store.
    public func networks(_ choice: ExportChoice, format: ExportFormat) throws(ExportError) -> [ExportNetwork] {
        switch choice {
        case .generator:
            return [generator]
        case .discriminator, .both:
            guard let discriminator else {
                throw ExportError("--network \(choice.rawValue): the file holds no discriminator (a generator-only export); use --network generator")
            }
            if choice == .discriminator { return [discriminator] }
            guard format.holdsBoth else {
                throw ExportError("--network both: an \(format.rawValue) file holds one network; export the generator and the discriminator to two files")
            }
            return [generator, discriminator]
        }
    }

    /// The default choice: both networks where the format and the file hold them, else the generator.
    public func defaultChoice(for format: ExportFormat) -> ExportChoice {
        format.holdsBoth && discriminator != nil ? .both : .generator
    }

    /// The metadata plus the layer list of each exported network (`generator_layers`, ...).
    func facts(for networks: [ExportNetwork]) -> [(key: String, value: String)] {
        metadata + [("created_by", producer)] + networks.map { ("\($0.role.rawValue)_layers", $0.descriptionJSON) }
    }
}

/// Which networks an export writes.
public enum ExportChoice: String, Sendable, CaseIterable {
    case generator, discriminator, both
}

/// The export formats, and the file endings that name them.
public enum ExportFormat: String, Sendable, CaseIterable {
    case onnx, safetensors, keras

    /// What a path's ending names: `.onnx`, `.safetensors` (in any case), `.weights.h5` (in
    /// lower case: Keras 3 loads its weights layout only from names ending exactly so).
    public static func named(byPath path: String) -> ExportFormat? {
        let name = path.lowercased()
        if name.hasSuffix(".onnx") { return .onnx }
        if name.hasSuffix(".safetensors") { return .safetensors }
        if path.hasSuffix(".weights.h5") { return .keras }
        return nil
    }

    public var ending: String {
        switch self {
        case .onnx: return ".onnx"
        case .safetensors: return ".safetensors"
        case .keras: return ".weights.h5"
        }
    }

    /// An ONNX file is one graph; safetensors and a Keras weights file can hold both networks.
    public var holdsBoth: Bool { self != .onnx }
}
