import Foundation
import GANCore
import GANLayers
import GANStorage
import GANTensor

extension ModelFile {
    /// Rebuilds the model from the file alone, checking every name, shape and value.
    /// Every failure is an `HDF5Error` naming the file and the object inside it.
    public static func load(_ path: String) throws -> Contents {
        let file = try HDF5File.open(path)
        let root = try file.root
        func fail(_ object: String, _ reason: String) -> HDF5Error {
            HDF5Error(file: path, object: object, reason: reason)
        }
        guard root.hasAttribute("format"), let found = try? root.stringAttribute("format"), found == format else {
            throw fail("/", "not a GAN Zoo weights file (root attribute 'format' is not '\(format)'; "
                       + "is it from another program?)")
        }
        let version = try root.intAttribute("format_version")
        guard (1...formatVersion).contains(version) else {
            throw fail("/", "format_version \(version) is not supported by this gan-zoo (reads 1...\(formatVersion)); upgrade gan-zoo")
        }
        func plugin(_ role: String) throws -> AnyArchitecture {
            let name = try root.stringAttribute("\(role)_architecture")
            let json = try root.stringAttribute("\(role)_config")
            do {
                return try Registry.architecture(named: name).make(configurationJSON: json)
            } catch {
                throw fail("/", "\(role): \(error)")
            }
        }
        let generator = try plugin("generator"), discriminator = try plugin("discriminator")
        let problem = try decode(Problem.self, root, "problem", path)
        try checkClasses(problem, root, fail)
        var configuration: TrainingConfiguration
        do {
            configuration = try ConfigurationCoding.decode(TrainingConfiguration.self, from: root.stringAttribute("training"),
                                                           over: TrainingConfiguration(), plugin: "training")
        } catch let error as HDF5Error {
            throw error
        } catch {
            throw fail("/", "attribute 'training' does not decode: \(error)")
        }
        // Which recipe field each network's configuration is read from, as the file states it
        // (completion may spell out per-side fields the file does not hold).
        let fields = [true, false].map(configuration.configurationKey(generator:))
        configuration = completed(configuration, generator: generator, discriminator: discriminator)
        do { _ = try Registry.loss(named: configuration.loss) } catch { throw fail("/", "\(error)") }
        do { try configuration.validate() } catch { throw fail("/", "attribute 'training': \(error)") }
        // Sizes before agreement: a file whose sizes break the limits is refused by them, naming the
        // field, whatever else was edited (nothing is allocated here).
        do {
            try generator.checkSizes(for: problem)
            try discriminator.checkSizes(for: problem)
        } catch {
            throw fail("/", "\(error)")
        }
        try checkAgreement(configuration, fields: fields, root: root, generator: generator, discriminator: discriminator,
                           problem: problem, fail)
        let position = TrainingPosition(epoch: try root.intAttribute("epoch"), step: try root.intAttribute("step"),
                                        epochStep: root.hasAttribute("epoch_step") ? try root.intAttribute("epoch_step") : 0)
        guard (0...Limits.maximumEpochs).contains(position.epoch), (0...Limits.maximumSteps).contains(position.step),
              (0...position.step).contains(position.epochStep) else {
            throw fail("/", "training position (epoch \(position.epoch), step \(position.step), epoch_step \(position.epochStep)) "
                       + "is out of range (0...\(Limits.maximumEpochs) epochs, 0...\(Limits.maximumSteps) steps)")
        }

        let model: GANModel
        do {
            model = try GANModel(generator: generator, discriminator: discriminator, problem: problem, seed: 0)
        } catch {
            throw fail("/", "\(error)")
        }
        try root.group("generator").read(into: model.generator)
        // A generator-only export says so; anywhere else a missing discriminator is damage.
        let discriminatorStored = try !root.hasAttribute("discriminator_stored") || root.intAttribute("discriminator_stored") != 0
        if discriminatorStored {
            try root.group("discriminator").read(into: model.discriminator)
        }
        let history = try root.contains("state") && root.group("state").contains("history")
            ? readHistory(root.group("state"), position: position, fail)
            : root.contains("history") ? readHistory(root, position: position, fail) : []
        return Contents(configuration: configuration, position: position, model: model, path: path,
                        discriminatorStored: discriminatorStored, history: history)
    }

    /// A conditional model's `classes` and `class_names` attributes agree with its problem; an
    /// unconditional one has neither.
    static func checkClasses(_ problem: Problem, _ root: HDF5Group, _ fail: (String, String) -> HDF5Error) throws {
        guard let classes = problem.classes else {
            if root.hasAttribute("classes") || root.hasAttribute("class_names") {
                throw fail("/", "has attribute 'classes' or 'class_names' but its problem is unconditional")
            }
            return
        }
        let count = try root.intAttribute("classes")
        let names = try root.stringsAttribute("class_names")
        guard count == classes.names.count, names == classes.names else {
            throw fail("/", "attributes 'classes' (\(count)) and 'class_names' disagree with the problem's \(classes.names.count) classes")
        }
    }

    /// A recipe leaves out the plugin fields nobody set: they meant the plugin's defaults on the
    /// day the file was written, which the file's own `generator_config` and `discriminator_config`
    /// spell out. The recipe's fields are laid over those, so a default changed since (dcgan's
    /// `discriminatorChannels` was [32, 64]) does not turn an older file into a "damaged" one or
    /// resume it as another network, while every field the recipe does state is still checked
    /// against the file. A configuration that is not a JSON object is left for the check to refuse.
    public static func completed(_ configuration: TrainingConfiguration, generator: AnyArchitecture,
                          discriminator: AnyArchitecture) -> TrainingConfiguration {
        func laid(_ recipe: String?, over stored: String) -> JSONValue? {
            guard case .object(let base)? = try? JSONValue(parsing: stored) else { return nil }
            guard let recipe else { return .object(base) }
            guard case .object(let own)? = try? JSONValue(parsing: recipe) else { return nil }
            return .object(RecipeResolver.deepMerge(base, own))
        }
        guard let g = laid(configuration.configurationJSON(generator: true), over: generator.configurationJSON),
              let d = laid(configuration.configurationJSON(generator: false), over: discriminator.configurationJSON) else {
            return configuration
        }
        var result = configuration
        let shared = configuration.generatorConfiguration == nil && configuration.discriminatorConfiguration == nil
            && configuration.generatorPlugin == configuration.architecture && configuration.discriminatorPlugin == configuration.architecture
        if shared {
            // One configuration serves both networks; two that differ are left for the check.
            if g == d { result.architectureConfiguration = g }
        } else {
            result.generatorConfiguration = g
            result.discriminatorConfiguration = d
        }
        return result
    }

    /// "field: recipe X, file Y" for the first fields where two configuration objects differ
    /// (an excerpt of each whole would cut off where they part); `label` names the first side.
    public static func fieldDifferences(_ ours: String, file: String, label: String = "recipe", fileLabel: String = "file") -> String {
        guard case .object(let mine)? = try? JSONValue(parsing: ours), case .object(let theirs)? = try? JSONValue(parsing: file) else {
            return "\(label) \(JSONText.excerpt(ours, limit: 60)), \(fileLabel) \(JSONText.excerpt(file, limit: 60))"
        }
        let fields = Set(mine.keys).union(theirs.keys).sorted().filter { mine[$0] != theirs[$0] }
        let listed = fields.prefix(3).map { field in
            "\(field): \(label) \(JSONText.excerpt(mine[field]?.text ?? "(unset)", limit: 40)), "
                + "\(fileLabel) \(JSONText.excerpt(theirs[field]?.text ?? "(unset)", limit: 40))"
        }
        return listed.joined(separator: "; ") + (fields.count > 3 ? "; ..." : "")
    }

    /// The recipe in `training` must describe the networks the root attributes describe (and
    /// the layers were checked against): a resume builds its session from the recipe, so a
    /// recipe edited to other plugins, sizes, a loss or a noise prior would train another model
    /// on these weights, or copy weights of one shape into another.
    /// `fields` names the recipe field each network's configuration came from (generator, then
    /// discriminator).
    static func checkAgreement(_ configuration: TrainingConfiguration, fields: [String], root: HDF5Group, generator: AnyArchitecture,
                               discriminator: AnyArchitecture, problem: Problem,
                               _ fail: (String, String) -> HDF5Error) throws {
        func disagree(_ what: String, _ recipe: String, _ stored: String) -> HDF5Error {
            fail("/", "attribute 'training' disagrees with the file's \(what) (recipe \(JSONText.excerpt(recipe, limit: 80)), "
                 + "file \(JSONText.excerpt(stored, limit: 80))): the file was edited or damaged")
        }
        for (role, plugin, stored) in [("generator", configuration.generatorPlugin, generator),
                                       ("discriminator", configuration.discriminatorPlugin, discriminator)] {
            guard plugin == stored.name else { throw disagree("\(role)_architecture", plugin, stored.name) }
            let rebuilt: AnyArchitecture
            do {
                rebuilt = try Registry.architecture(named: plugin).make(configurationJSON: configuration.configurationJSON(generator: role == "generator"))
            } catch {
                // Name the recipe field that was read: a side without its own configuration
                // builds from the shared one, whose fault it is then.
                throw fail("/", "attribute 'training': \(fields[role == "generator" ? 0 : 1]): \(error)")
            }
            guard rebuilt.configurationJSON == stored.configurationJSON else {
                throw fail("/", "attribute 'training' disagrees with the file's \(role)_config ("
                           + fieldDifferences(rebuilt.configurationJSON, file: stored.configurationJSON)
                           + "): the file was edited or damaged")
            }
        }
        // `architecture_config` is what a reader of the file sees first: written when both sides
        // share a plugin (files before this version wrote it as the generator's configuration even
        // when the discriminator's differed), it must be the generator's configuration.
        if root.hasAttribute("architecture_config") {
            let shared = try root.stringAttribute("architecture_config")
            guard generator.name == discriminator.name, let ours = try? JSONValue(parsing: shared),
                  ours == (try? JSONValue(parsing: generator.configurationJSON)) else {
                throw fail("/", "attribute 'architecture_config' disagrees with the file's generator_config ("
                           + fieldDifferences(shared, file: generator.configurationJSON, label: "attribute")
                           + "): the file was edited or damaged")
            }
        }
        // A conditional run's classes come from its data, not from the recipe's problem.
        var recipeProblem = problem
        recipeProblem.classes = nil
        guard configuration.problem == recipeProblem else {
            throw disagree("problem", ConfigurationCoding.encode(configuration.problem), ConfigurationCoding.encode(recipeProblem))
        }
        guard configuration.conditional == (problem.classes != nil) else {
            throw disagree("problem", "conditional \(configuration.conditional)", "classes \(problem.classCount)")
        }
        if root.hasAttribute("loss") {
            let loss = try root.stringAttribute("loss")
            guard loss == configuration.loss else { throw disagree("loss", configuration.loss, loss) }
        }
    }

    /// The [epochs, 7] history in `group`: at most one row per epoch trained, finite values,
    /// epochs in range.
    static func readHistory(_ group: HDF5Group, position: TrainingPosition,
                            _ fail: (String, String) -> HDF5Error) throws -> [EpochSummary] {
        let object = group.path == "/" ? "/history" : group.path + "/history"
        let (shape, rows) = try group.readDoubles("history", maximumCount: 7 * (Limits.maximumEpochs + 1))
        guard shape.count == 2, shape[1] == 7 else { throw fail(object, "expected shape [epochs, 7], found \(shape)") }
        guard shape[0] <= position.epoch, rows.allSatisfy(\.isFinite),
              stride(from: 0, to: rows.count, by: 7).allSatisfy({ (0...Double(Limits.maximumEpochs)).contains(rows[$0]) }) else {
            throw fail(object, "holds more rows than epochs, NaN or infinite values, or an epoch out of range")
        }
        return stride(from: 0, to: rows.count, by: 7).map { i in
            EpochSummary(epoch: Int(rows[i]), discriminatorLoss: Float(rows[i + 1]), generatorLoss: Float(rows[i + 2]),
                         realScore: Float(rows[i + 3]), fakeScore: Float(rows[i + 4]), samplesPerSecond: rows[i + 5], seconds: rows[i + 6])
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ group: HDF5Group, _ name: String,
                                             _ path: String) throws -> T {
        let json = try group.stringAttribute(name)
        if let problem = JSONText.structuralProblem(in: json) {
            throw HDF5Error(file: path, object: "/", reason: "attribute '\(name)': \(problem)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(json.utf8))
        } catch {
            throw HDF5Error(file: path, object: "/", reason: "attribute '\(name)' does not decode: \(error)")
        }
    }
}
