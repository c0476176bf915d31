import Foundation
import Yams

extension TrainingConfiguration {
    /// Reads a recipe file: YAML when it ends in .yaml or .yml, else JSON. Both are the same
    /// structure (fields left out keep their defaults; nested objects merge).
    public static func recipe(contentsOf path: String) throws -> TrainingConfiguration {
        try recipe(json: recipeJSON(contentsOf: path), source: path)
    }

    /// A recipe file's content as JSON text (YAML converted), before defaults are applied.
    public static func recipeJSON(contentsOf path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingError.invalidConfiguration("\(path): cannot read the recipe file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let lowered = path.lowercased()
        guard lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") else { return text }
        do {
            let value = try Yams.load(yaml: text) ?? [String: Any]()
            guard JSONSerialization.isValidJSONObject(value) else {
                throw TrainingError.invalidConfiguration("\(path): a recipe is a mapping of fields, got \(type(of: value))")
            }
            return String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self)
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError.invalidConfiguration("\(path): not valid YAML: \(error)")
        }
    }
}
