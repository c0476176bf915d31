import Foundation
import GANCore
import GANData
import Yams

extension TrainingConfiguration {
    /// A recipe file holds at most 1 MiB (the zoo's are about 1 KB).
    public static let maximumRecipeBytes = 1 << 20
    /// A YAML recipe expands to at most this many nodes, counting each alias's target again:
    /// a few hundred bytes of nested aliases (a "billion laughs") would otherwise grow without
    /// bound. The zoo's recipes have about 60.
    public static let maximumYAMLNodes = 10_000

    /// Reads a recipe file: YAML when it ends in .yaml or .yml, else JSON. Both are the same
    /// structure (fields left out keep their defaults; nested objects merge).
    public static func recipe(contentsOf path: String) throws -> TrainingConfiguration {
        try recipe(json: recipeJSON(contentsOf: path), source: path)
    }

    /// A recipe file's content as JSON text (YAML converted), before defaults are applied.
    public static func recipeJSON(contentsOf path: String) throws -> String {
        let data: [UInt8]
        do {
            data = try BoundedFile.read(path, limit: maximumRecipeBytes)
        } catch {
            throw TrainingError.invalidConfiguration("\(error.description.replacingOccurrences(of: "cannot read the file", with: "cannot read the recipe file"))")
        }
        let text = String(decoding: data, as: UTF8.self)
        let lowered = path.lowercased()
        guard lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") else { return text }
        do {
            guard let node = try Yams.compose(yaml: text) else { return "{}" }
            var budget = maximumYAMLNodes
            try checkYAML(node, path: "", budget: &budget, source: path)
            let value = Constructor.default.any(from: node)
            guard JSONSerialization.isValidJSONObject(value) else {
                throw TrainingError.invalidConfiguration("\(path): a recipe is a mapping of fields, got \(type(of: value))")
            }
            return String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self)
        } catch let error as TrainingError {
            throw error
        } catch {
            let message = "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
            throw TrainingError.invalidConfiguration("\(path): not valid YAML: \(JSONText.excerpt(message))")
        }
    }

    /// Counts nodes with aliases expanded, stopping at the budget (so the count itself is
    /// bounded), and refuses a mapping that repeats a key (YAML loaders keep the last silently).
    private static func checkYAML(_ node: Node, path: String, budget: inout Int, source: String) throws {
        budget -= 1
        guard budget >= 0 else {
            throw TrainingError.invalidConfiguration(
                "\(source): the YAML expands to more than \(maximumYAMLNodes) values (nested aliases?); refused")
        }
        switch node {
        case .mapping(let mapping):
            var keys = Set<String>()
            for (key, value) in mapping {
                guard case .scalar = key, let name = key.string else {
                    throw TrainingError.invalidConfiguration(
                        "\(source): a key under \(path.isEmpty ? "the top level" : path) is a list or mapping, not a field name")
                }
                let child = path.isEmpty ? name : path + "." + name
                if !keys.insert(name).inserted {
                    throw TrainingError.invalidConfiguration("\(source): the field \(child) appears twice (which one was meant?)")
                }
                try checkYAML(value, path: child, budget: &budget, source: source)
            }
        case .sequence(let sequence):
            for element in sequence { try checkYAML(element, path: path + "[]", budget: &budget, source: source) }
        case .scalar, .alias:
            return
        }
    }
}
