import Foundation

/// JSON for plugin configurations: sorted keys, and partial overrides merged over defaults,
/// so a recipe or a flag only names the fields it changes.
public enum ConfigurationCoding {
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Plain structs of numbers, strings and arrays: encoding cannot fail, and a number that is
        // not finite (a measurement of a broken model) is written as a string, not a crash.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
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
            throw ConfigurationError.invalid(plugin: plugin, reason: outOfRange(json) ?? "not valid JSON: \(JSONText.excerpt(json))")
        }
        guard let fields = override as? [String: Any] else {
            throw ConfigurationError.invalid(plugin: plugin, reason: "expected a JSON object, got \(JSONText.excerpt(json))")
        }
        if let problem = JSONText.structuralProblem(in: json) {
            throw ConfigurationError.invalid(plugin: plugin, reason: problem)
        }
        try checkKnown(fields, against: base, defaults: defaults, path: "", plugin: plugin)
        let merged = deepMerge(base, fields)
        let data = try JSONSerialization.data(withJSONObject: merged)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw ConfigurationError.invalid(plugin: plugin, reason: outOfRange(json) ?? culprit(fields, over: base, as: T.self) ?? describe(error))
        }
    }

    /// The first field (by name) that does not decode when it alone is laid over the defaults,
    /// with the value given and the default: the decoder's own message may name no field (a
    /// fraction where a whole number belongs reads "The given data was not valid JSON"). Inside
    /// an object the defaults also hold (`problem.sampleShape`), the field within it is named.
    static func culprit<T: Decodable>(_ fields: [String: Any], over base: [String: Any], as type: T.Type,
                                      path: [String] = []) -> String? {
        func text(_ value: Any) -> String? {
            (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]))
                .map { String(decoding: $0, as: UTF8.self) }
        }
        func nested(_ value: Any, at keys: [String]) -> [String: Any] {
            keys.reversed().reduce(value) { inner, key in [key: inner] } as? [String: Any] ?? [:]
        }
        var root = base
        for key in path { root = root[key] as? [String: Any] ?? [:] }
        for key in fields.keys.sorted() {
            guard let value = fields[key],
                  let data = try? JSONSerialization.data(withJSONObject: deepMerge(base, nested(value, at: path + [key]))),
                  (try? JSONDecoder().decode(T.self, from: data)) == nil else { continue }
            if let inner = value as? [String: Any], root[key] is [String: Any],
               let found = culprit(inner, over: base, as: type, path: path + [key]) {
                return found
            }
            let given = text(value).map { JSONText.excerpt($0, limit: 60) } ?? "the value given"
            let fallback = root[key].flatMap(text).map { " (the default: \(JSONText.excerpt($0, limit: 60)))" } ?? ""
            return "\((path + [key]).joined(separator: ".")): \(given) is not of this field's type\(fallback)"
        }
        return nil
    }

    /// "field: the number N is out of range", when the text holds a number no field can take.
    static func outOfRange(_ json: String) -> String? {
        JSONText.outOfRangeNumber(in: json).map { "\($0.field): the number \(JSONText.excerpt($0.number, limit: 40)) is out of range" }
    }

    /// Fields of `fields` must exist in `base` (or be optional properties of `defaults`); nested
    /// objects are checked where the base has an object too.
    static func checkKnown(_ fields: [String: Any], against base: [String: Any], defaults: Any?, path: String,
                           plugin: String) throws {
        let optionalKeys = defaults.map { Mirror(reflecting: $0).children.compactMap(\.label) } ?? []
        let known = Set(base.keys).union(optionalKeys)
        let unknown = fields.keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw ConfigurationError.invalid(
                plugin: plugin,
                reason: "unknown field(s) \(unknown.map { path + $0 }.joined(separator: ", ")) (known: \(briefList(known.sorted(), near: unknown, plugin: plugin)))")
        }
        for (key, value) in fields {
            if let nested = value as? [String: Any], let nestedBase = base[key] as? [String: Any], !nestedBase.isEmpty {
                let child = defaults.flatMap { Mirror(reflecting: $0).children.first { $0.label == key }?.value }
                try checkKnown(nested, against: nestedBase, defaults: child, path: path + key + ".", plugin: plugin)
            }
        }
    }

    /// The known names for an error about `unknown` ones: those that look like a misspelling of
    /// one first (a shared start of 4 letters, or one inside the other), then the rest in order,
    /// joined by ", " up to about 150 characters, then how many there are and where all of them
    /// are listed; so an error line stays short enough that the names it is about are not cut.
    static func briefList(_ names: [String], near unknown: [String], plugin: String) -> String {
        let typed = unknown.map { $0.lowercased() }
        func near(_ name: String) -> Bool {
            let known = name.lowercased()
            return typed.contains { word in
                zip(word, known).prefix { $0 == $1 }.count >= 4 || word.contains(known) || known.contains(word)
            }
        }
        let ordered = names.filter(near) + names.filter { !near($0) }
        var shown: [String] = [], length = 0
        for name in ordered {
            guard length + name.count <= 150 else {
                let all = ["recipe", "training"].contains(plugin) ? "gan train --explain" : "gan list --configurations"
                return shown.joined(separator: ", ") + ", ... (\(names.count) in all: \(all))"
            }
            shown.append(name)
            length += name.count + 2
        }
        return shown.joined(separator: ", ")
    }

    /// `override` over `base`, recursing into objects present in both.
    static func deepMerge(_ base: [String: Any], _ override: [String: Any]) -> [String: Any] {
        base.merging(override) { old, new in
            if let oldObject = old as? [String: Any], let newObject = new as? [String: Any] {
                return deepMerge(oldObject, newObject)
            }
            return new
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
