import Foundation

/// JSON for plugin configurations: sorted keys, and partial overrides merged over defaults,
/// so a recipe or a flag only names the fields it changes.
public enum ConfigurationCoding {
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        // Configurations are plain structs of numbers, strings and arrays: encoding cannot fail.
        let data = try! encoder.encode(value)
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes `json` (an object with any subset of the fields) over `defaults`.
    /// Unknown fields are an error that names them and the known ones.
    public static func decode<T: Codable>(_ type: T.Type, from json: String?, over defaults: T,
                                          plugin: String) throws -> T {
        guard let json, !json.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return defaults }
        let base = try JSONSerialization.jsonObject(with: Data(encode(defaults).utf8)) as! [String: Any]
        let override: Any
        do {
            override = try JSONSerialization.jsonObject(with: Data(json.utf8))
        } catch {
            throw ConfigurationError.invalid(plugin: plugin, reason: "not valid JSON: \(json)")
        }
        guard let fields = override as? [String: Any] else {
            throw ConfigurationError.invalid(plugin: plugin, reason: "expected a JSON object, got \(json)")
        }
        let unknown = fields.keys.filter { base[$0] == nil }.sorted()
        if !unknown.isEmpty {
            throw ConfigurationError.invalid(
                plugin: plugin,
                reason: "unknown field(s) \(unknown.joined(separator: ", ")) (known: \(base.keys.sorted().joined(separator: ", ")))")
        }
        let merged = base.merging(fields) { _, new in new }
        let data = try JSONSerialization.data(withJSONObject: merged)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw ConfigurationError.invalid(plugin: plugin, reason: describe(error))
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context),
             .keyNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

public enum ConfigurationError: Error, CustomStringConvertible {
    case invalid(plugin: String, reason: String)
    public var description: String {
        switch self {
        case .invalid(let plugin, let reason): return "invalid configuration for '\(plugin)': \(reason)"
        }
    }
}
