import GANStorage

/// Writes a model in one of the export formats, atomically (a temporary file in the same
/// folder, renamed into place), and says what it wrote.
public enum Exporter {
    public struct Written: Sendable {
        public let format: ExportFormat
        public let networks: [ExportNetwork.Role]
        public let parameters: Int
    }

    @discardableResult
    public static func export(_ model: ExportModel, format: ExportFormat, choice: ExportChoice? = nil, to path: String) throws -> Written {
        let networks = try model.networks(choice ?? model.defaultChoice(for: format), format: format)
        let facts = model.facts(for: networks)
        switch format {
        case .onnx:
            try AtomicFile.write(try ONNXExport.encode(networks[0], facts: facts, producer: model.producer), to: path)
        case .safetensors:
            try AtomicFile.write(SafetensorsExport.encode(networks, facts: facts), to: path)
        case .keras:
            try KerasExport.write(networks, facts: facts, to: path)
        }
        let parameters = networks.flatMap(\.layers).reduce(0) { $0 + $1.operation.parameterCount }
        return Written(format: format, networks: networks.map(\.role), parameters: parameters)
    }
}
