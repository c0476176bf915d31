import ArgumentParser
import Foundation
import GANCore
import GANData
import GANLayers
import GANZoo

extension Train {
    /// Defaults, then the plugins' reference settings (architecture, then loss), then the
    /// recipe, then the flags that were given.
    func makeConfiguration() throws -> TrainingConfiguration {
        try resolveConfiguration().configuration
    }

    /// The configuration with the source of each value (`--explain`). `checkpoint`: a resumed
    /// run's recipe, which stands where a --recipe would when none is given, so that flags such as
    /// `--arch-config` are read as settings of the checkpoint's plugins (not the default's).
    func resolveConfiguration(checkpoint: TrainingConfiguration? = nil) throws -> ResolvedRecipe {
        var recipeLayer: RecipeLayer?
        if recipe == nil, let checkpoint {
            // A plugin named anew by flag leaves the checkpoint's configuration of the old one
            // behind, so that the refusal names the plugin change, not its fields.
            var fields = RecipeResolver.fields(of: checkpoint)
            for (flag, key, stored) in [(arch, "architectureConfiguration", checkpoint.architecture),
                                        (generator, "generatorConfiguration", checkpoint.generatorPlugin),
                                        (discriminator, "discriminatorConfiguration", checkpoint.discriminatorPlugin)]
            where flag != nil && flag != stored {
                fields[key] = nil
            }
            recipeLayer = RecipeLayer(source: "checkpoint", fields: fields)
        }
        if let recipe {
            let text = try TrainingConfiguration.recipeJSON(contentsOf: recipe)
            let configuration = try TrainingConfiguration.recipe(json: text, source: recipe)
            do { try configuration.validate() } catch { throw CLIError("\(recipe): \(error)") }
            guard case .object(let fields)? = try? JSONValue(parsing: text) else {
                throw CLIError("\(recipe): a recipe is a JSON object of fields")
            }
            recipeLayer = RecipeLayer(source: "recipe \(recipe)", fields: fields)
        }
        let resolved = try RecipeResolver.resolve(recipe: recipeLayer, flags: flagLayer(over:))
        let configuration = resolved.configuration
        do { try configuration.validate() } catch { throw CLIError("\(error)") }
        // The plugins' own configurations too, so that --print-recipe never prints a recipe that
        // training would refuse; the recipe spells them out, as a weights file stores it.
        var architectures: [AnyArchitecture] = []
        for generator in [true, false] {
            let plugin = generator ? configuration.generatorPlugin : configuration.discriminatorPlugin
            let architecture: AnyArchitecture
            do {
                architecture = try Registry.architecture(named: plugin).make(configurationJSON: configuration.configurationJSON(generator: generator))
                try architecture.checkSizes(for: configuration.problem)
            } catch {
                let key = configuration.configurationKey(generator: generator)
                throw CLIError("\(Self.origin(of: "\(error)", in: key, sources: resolved.sources))\(error)")
            }
            // The classes come from the data later; whether the plugin takes one is known now.
            if configuration.conditional && !architecture.supportsCondition {
                throw ConfigurationError.invalid(plugin: plugin, reason: "it builds no conditional networks (its "
                                                 + "supportsCondition is false); train it without --conditional")
            }
            architectures.append(architecture)
        }
        return resolved.completed(generator: architectures[0], discriminator: architectures[1])
    }

    /// "architectureConfiguration from --arch-config: ", where the fields of a plugin
    /// configuration that `message` names came from (a recipe spells out its plugin's
    /// configuration; --arch naming another plugin does not clear it); every origin of the
    /// configuration's fields when the message names none of them. First on the line: a long
    /// message is cut in its middle (GAN.main), and the origin must survive it.
    static func origin(of message: String, in key: String, sources: [String: String]) -> String {
        let flags = ["architectureConfiguration": "--arch-config", "generatorConfiguration": "--generator-config",
                     "discriminatorConfiguration": "--discriminator-config"]
        let fields = sources.filter { $0.key.hasPrefix(key + ".") && $0.value != "default" }
        // The fields the message is about, not the list of known ones it may add.
        let named = message.components(separatedBy: "(known:")[0]
        // A field's name as a whole word (initStd is not named by "initStdev").
        func names(_ field: String) -> Bool {
            var rest = named[...]
            while let range = rest.range(of: field) {
                let before = range.lowerBound > named.startIndex ? named[named.index(before: range.lowerBound)] : " "
                let after = range.upperBound < named.endIndex ? named[range.upperBound] : " "
                if !(before.isLetter || before.isNumber) && !(after.isLetter || after.isNumber) { return true }
                rest = named[range.upperBound...]
            }
            return false
        }
        let culprits = Set(fields.filter { names(String($0.key.dropFirst(key.count + 1))) }.map(\.value))
        let origins = (culprits.isEmpty ? Set(fields.values) : culprits).sorted { ($0 == "flag" ? "" : $0) < ($1 == "flag" ? "" : $1) }
        guard !origins.isEmpty else { return "" }
        let labels = origins.map { $0 == "flag" ? flags[key] ?? "the flags" : $0 }
        let whole = "\(key) from " + labels.joined(separator: " and ") + ": "
        // A line that would be cut (GAN.main: 300 Unicode scalars) shows a long recipe path by
        // its end (the file's name), so the message after it is not cut.
        guard (whole + message).unicodeScalars.count > 290 else { return whole }
        let shown = labels.map { origin -> String in
            let scalars = origin.unicodeScalars
            guard origin.hasPrefix("recipe "), scalars.count > 50 else { return origin }
            return "recipe ..." + String(String.UnicodeScalarView(scalars.suffix(40)))
        }
        return "\(key) from " + shown.joined(separator: " and ") + ": "
    }

    /// The flags that were given, as recipe fields. `--optimizer` naming another kind than the
    /// one below starts from that kind's defaults (an Adam run keeps no SGD schedule); the noise
    /// prior is set whole (a part not given is the default's: uniform, scale 1).
    func flagLayer(over below: TrainingConfiguration) throws -> RecipeLayer {
        var fields: [String: JSONValue] = [:]
        func put(_ key: String, _ value: (some Encodable)?) throws {
            guard let value else { return }
            fields[key] = try JSONValue(parsing: ConfigurationCoding.encode(value))
        }
        try put("architecture", arch)
        if let archConfig { fields["architectureConfiguration"] = try json(archConfig, flag: "--arch-config") }
        try put("generatorArchitecture", generator)
        if let generatorConfig { fields["generatorConfiguration"] = try json(generatorConfig, flag: "--generator-config") }
        try put("discriminatorArchitecture", discriminator)
        if let discriminatorConfig { fields["discriminatorConfiguration"] = try json(discriminatorConfig, flag: "--discriminator-config") }
        try put("loss", loss)
        try put("digits", digit.isEmpty ? nil : digit)
        try put("dataPath", data)
        try put("holdOutValidation", holdOutValidation ? true : nil)
        try put("conditional", conditional ? true : nil)
        try put("validationSplit", validationSplit)
        try put("discriminatorObjective", discriminatorObjective)
        try put("epochs", epochs)
        try put("batchSize", batchSize)
        try put("k", k)
        try put("mode", mode)
        try put("seed", seed)
        try put("threads", threads)
        var problem: [String: JSONValue] = [:]
        if let latentSize { problem["latentSize"] = .number(Double(latentSize)) }
        var wholeObjects: Set<String> = []
        if noise != nil || noiseScale != nil {
            let prior = NoisePrior(kind: noise ?? .uniform, scale: noiseScale ?? 1)
            problem["noise"] = try JSONValue(parsing: ConfigurationCoding.encode(prior))
            wholeObjects.insert("problem.noise")
        }
        if !problem.isEmpty { fields["problem"] = .object(problem) }
        for (key, base) in [("generatorOptimizer", below.generatorOptimizer), ("discriminatorOptimizer", below.discriminatorOptimizer)] {
            var optimizerFields: [String: JSONValue] = [:]
            if let optimizer, optimizer != base.kind,
               case .object(let whole)? = try? JSONValue(parsing: ConfigurationCoding.encode(OptimizerConfiguration.defaults(for: optimizer))) {
                optimizerFields = whole
                wholeObjects.insert(key)
            }
            var schedule: [String: JSONValue] = [:]
            if let learningRate { optimizerFields["learningRate"] = .number(Double(learningRate)) }
            if let momentum { optimizerFields["momentum"] = .number(Double(momentum)) }
            if let beta1 { optimizerFields["beta1"] = .number(Double(beta1)) }
            if let weightDecay { optimizerFields["weightDecay"] = .number(Double(weightDecay)) }
            if let learningRateDecay { schedule["learningRateDecay"] = .number(learningRateDecay) }
            if let minimumLearningRate { schedule["minimumLearningRate"] = .number(Double(minimumLearningRate)) }
            if let finalMomentum { schedule["finalMomentum"] = .number(Double(finalMomentum)) }
            if let momentumRampEnd { schedule["momentumRampEndEpoch"] = .number(Double(momentumRampEnd)) }
            if !schedule.isEmpty {
                if case .object(let existing)? = optimizerFields["schedule"] { schedule = existing.merging(schedule) { $1 } }
                optimizerFields["schedule"] = .object(schedule)
            }
            if !optimizerFields.isEmpty { fields[key] = .object(optimizerFields) }
        }
        return RecipeLayer(source: "flag", fields: fields, wholeObjects: wholeObjects)
    }

    private func json(_ text: String, flag: String) throws -> JSONValue {
        if let problem = JSONText.structuralProblem(in: text) {
            throw CLIError("\(flag): \(problem)")
        }
        guard let value = try? JSONValue(parsing: text), case .object = value else {
            throw CLIError("\(flag): expected a JSON object such as '{\"generatorHiddenSizes\":[256]}', got \(JSONText.excerpt(text))")
        }
        return value
    }
}

extension OptimizerConfiguration.Kind: ExpressibleByArgument {}
extension NoisePrior.Kind: ExpressibleByArgument {}
extension UpdateMode: ExpressibleByArgument {}
extension ValidationSplit: ExpressibleByArgument {}
extension DiscriminatorObjective: ExpressibleByArgument {}
