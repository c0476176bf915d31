import GANCore
import GANLayers

/// One source of recipe fields: the global defaults, a plugin's reference settings, a recipe
/// file or the flags, as a (partial) JSON object in the recipe's layout.
public struct RecipeLayer: Sendable {
    /// Shown by `--explain`: "default", "architecture maxout-dropout", "loss least-squares",
    /// "recipe FILE", "flag".
    public let source: String
    public let fields: [String: JSONValue]
    /// Dotted paths of objects this layer sets whole: what it leaves out there reverts to the
    /// global default instead of keeping a weaker layer's value (a plugin's optimizer, any noise prior).
    public let wholeObjects: Set<String>

    public init(source: String, fields: [String: JSONValue], wholeObjects: Set<String> = []) {
        self.source = source
        self.fields = fields
        self.wholeObjects = wholeObjects
    }
}

/// A training configuration with the source of each of its values.
public struct ResolvedRecipe: Sendable {
    public let configuration: TrainingConfiguration
    /// Source of every leaf value, by dotted path ("generatorOptimizer.learningRate").
    public let sources: [String: String]

    /// The same recipe with the plugins' configurations spelled out (`ModelFile.completed`), as a
    /// weights file stores it: fields nobody set are the defaults of `generator` and `discriminator`.
    public func completed(generator: AnyArchitecture, discriminator: AnyArchitecture) -> ResolvedRecipe {
        ResolvedRecipe(configuration: ModelFile.completed(configuration, generator: generator, discriminator: discriminator),
                       sources: sources)
    }

    /// The fields a recipe or a flag set whose values differ from `other`'s (except `epochs`,
    /// which a resumed run may raise): (path, other's value, this one's), sorted by path.
    public func explicitDifferences(from other: TrainingConfiguration) -> [(path: String, theirs: String, ours: String)] {
        let mine = RecipeResolver.leaves(of: RecipeResolver.fields(of: configuration))
        let theirs = RecipeResolver.leaves(of: RecipeResolver.fields(of: other))
        return sources.filter { $0.value == "flag" || $0.value.hasPrefix("recipe ") }.keys.sorted().compactMap { path in
            guard path != "epochs", mine[path] != theirs[path] else { return nil }
            return (path, theirs[path]?.text ?? "(unset)", mine[path]?.text ?? "(unset)")
        }
    }

    /// "path = value  (source)", one line per leaf, sorted by path.
    public var explanation: [String] {
        let leaves = RecipeResolver.leaves(of: RecipeResolver.fields(of: configuration))
        let width = leaves.keys.map { $0.count + 3 + leaves[$0]!.text.count }.max() ?? 0
        return leaves.keys.sorted().map { path in
            let text = "\(path) = \(leaves[path]!.text)"
            return text + String(repeating: " ", count: max(width - text.count, 0)) + "  (\(sources[path] ?? "default"))"
        }
    }
}

/// Settings in order of precedence, strongest last: the global defaults, the architecture
/// plugin's reference settings, the loss plugin's, the recipe, the flags.
public enum RecipeResolver {
    /// Every object a plugin declares whole: its optimizers (kind, rates and schedule belong
    /// together) and the noise prior.
    static let pluginWholeObjects: Set<String> = ["generatorOptimizer", "discriminatorOptimizer", "problem.noise"]

    /// Resolves `recipe` (a recipe's fields, or nil) and the `flags` layer, which is built from
    /// the configuration resolved below it (so a flag can depend on it: `--optimizer` resets
    /// the optimizer only when it changes its kind).
    public static func resolve(recipe: RecipeLayer?,
                               flags: (TrainingConfiguration) throws -> RecipeLayer) throws -> ResolvedRecipe {
        // The plugin names come from the recipe and flags before any plugin can say anything.
        let named = try merge([defaults()] + [recipe].compactMap { $0 })
        let names = try flags(named.configuration)
        let plain = try merge([defaults()] + [recipe].compactMap { $0 } + [names])
        let plugins = try pluginLayers(for: plain.configuration)
        let below = try merge([defaults()] + plugins + [recipe].compactMap { $0 })
        return try merge([defaults()] + plugins + [recipe].compactMap { $0 } + [try flags(below.configuration)])
    }

    /// The reference settings that apply to `configuration`'s plugins, weakest first: the
    /// architecture's (the generator's plugin for G's optimizer and the noise, the
    /// discriminator's for D's optimizer, `architecture`'s for the shared fields), then the loss's.
    public static func pluginLayers(for configuration: TrainingConfiguration) throws -> [RecipeLayer] {
        var layers: [RecipeLayer] = []
        let main = try Registry.architecture(named: configuration.architecture)
        let generator = try Registry.architecture(named: configuration.generatorPlugin)
        let discriminator = try Registry.architecture(named: configuration.discriminatorPlugin)
        for (factory, shared, g, d) in [(main, true, main.name == generator.name, main.name == discriminator.name),
                                        (generator, false, true, false), (discriminator, false, false, true)]
        where (shared || factory.name != main.name) && (shared || g || d) {
            var fields = factory.referenceSettings.recipeFields(includeShared: shared, includeGenerator: g, includeDiscriminator: d)
            if shared, let configuration = factory.referenceSettings.architectureConfiguration {
                fields["architectureConfiguration"] = configuration
            }
            if !fields.isEmpty {
                layers.append(RecipeLayer(source: "architecture \(factory.name)", fields: fields, wholeObjects: pluginWholeObjects))
            }
        }
        let loss = try Registry.loss(named: configuration.loss)
        let fields = loss.referenceSettings.recipeFields()
        if !fields.isEmpty {
            layers.append(RecipeLayer(source: "loss \(loss.name)", fields: fields, wholeObjects: pluginWholeObjects))
        }
        return layers
    }

    static func defaults() -> RecipeLayer {
        RecipeLayer(source: "default", fields: fields(of: TrainingConfiguration()))
    }

    /// Merges the layers in order and decodes the result; the message of a bad value names the
    /// layer that brought it.
    static func merge(_ layers: [RecipeLayer]) throws -> ResolvedRecipe {
        var merged: [String: JSONValue] = [:]
        var sources: [String: String] = [:]
        for layer in layers {
            for whole in layer.wholeObjects where value(at: whole, in: layer.fields) != nil {
                remove(whole, from: &merged)
                for key in sources.keys where key == whole || key.hasPrefix(whole + ".") { sources[key] = nil }
            }
            merged = deepMerge(merged, layer.fields)
            for path in leaves(of: layer.fields).keys { sources[path] = layer.source }
        }
        let text = JSONValue.object(merged).text
        let source = layers.last.map { $0.source == "flag" ? "the flags" : $0.source } ?? "recipe"
        let configuration = try TrainingConfiguration.recipe(json: text, source: source)
        return ResolvedRecipe(configuration: configuration, sources: sources)
    }

    public static func fields(of configuration: TrainingConfiguration) -> [String: JSONValue] {
        guard case .object(let fields)? = try? JSONValue(parsing: ConfigurationCoding.encode(configuration)) else { return [:] }
        return fields
    }

    /// Leaf values by dotted path (objects are walked; arrays, numbers and strings are leaves).
    public static func leaves(of fields: [String: JSONValue], prefix: String = "") -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for (key, value) in fields {
            if case .object(let nested) = value, !nested.isEmpty {
                result.merge(leaves(of: nested, prefix: prefix + key + "."), uniquingKeysWith: { $1 })
            } else {
                result[prefix + key] = value
            }
        }
        return result
    }

    static func value(at path: String, in fields: [String: JSONValue]) -> JSONValue? {
        let parts = path.split(separator: ".").map(String.init)
        var current: JSONValue = .object(fields)
        for part in parts {
            guard case .object(let object) = current, let next = object[part] else { return nil }
            current = next
        }
        return current
    }

    static func remove(_ path: String, from fields: inout [String: JSONValue]) {
        let parts = path.split(separator: ".").map(String.init)
        guard let first = parts.first else { return }
        if parts.count == 1 {
            fields[first] = nil
        } else if case .object(var nested)? = fields[first] {
            remove(parts.dropFirst().joined(separator: "."), from: &nested)
            fields[first] = .object(nested)
        }
    }

    public static func deepMerge(_ base: [String: JSONValue], _ override: [String: JSONValue]) -> [String: JSONValue] {
        base.merging(override) { old, new in
            if case .object(let oldObject) = old, case .object(let newObject) = new {
                return .object(deepMerge(oldObject, newObject))
            }
            return new
        }
    }
}
