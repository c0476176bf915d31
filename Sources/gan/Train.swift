import ArgumentParser
import Foundation
import GANCore
import GANData
import GANImages
import GANLayers
import GANTensor
import GANZoo

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a GAN and write its weights (HDF5).",
        discussion: """
            Settings come from, weakest first: the defaults, the architecture plugin's reference \
            settings, the loss plugin's (`gan list --configurations`), --recipe FILE (a JSON or \
            YAML training configuration; fields it leaves out keep the value below), then the \
            flags given. --print-recipe shows the result without training; --explain adds where \
            each value came from.
            """)

    @Option(help: "Recipe file (JSON): a whole training configuration, e.g. models/NAME/recipe.json.", completion: .file(extensions: ["json", "yaml", "yml"]))
    var recipe: String?

    @Option(help: "Architecture plugin for both networks (see `gan list`). (default: mlp)", completion: architectureNames)
    var arch: String?

    @Option(name: .customLong("arch-config"), help: "Architecture configuration overrides as a JSON object, e.g. '{\"generatorHiddenSizes\":[512]}'.")
    var archConfig: String?

    @Option(help: "Take the generator from this architecture plugin instead.", completion: architectureNames)
    var generator: String?

    @Option(name: .customLong("generator-config"), help: "Configuration overrides (JSON object) for --generator's plugin.")
    var generatorConfig: String?

    @Option(help: "Take the discriminator from this architecture plugin instead.", completion: architectureNames)
    var discriminator: String?

    @Option(name: .customLong("discriminator-config"), help: "Configuration overrides (JSON object) for --discriminator's plugin.")
    var discriminatorConfig: String?

    @Option(help: "Loss plugin (see `gan list`). (default: non-saturating)", completion: lossNames)
    var loss: String?

    @Option(help: "Train only on this label (repeat for several). (default: every label)")
    var digit: [Int] = []

    @Option(help: "A dataset name (mnist, mnist-subset, fashion-mnist: see `gan data list`) or a folder of MNIST-style IDX files (gzip or not). (default: mnist-subset)")
    var data: String?

    @Flag(name: .customLong("hold-out-validation"), help: "Train without the validation images (see --validation-split), which `gan evaluate --metric parzen` uses to choose sigma (as the zoo's models do).")
    var holdOutValidation = false

    @Flag(help: "Train a conditional model p(x | c): the data's labels are the classes, fed one-hot to both networks (every shipped architecture takes them).")
    var conditional = false

    @Option(name: .customLong("validation-split"), help: "Which training images are the validation set: per-label (the last sixth of each label's) or last-rows (the last sixth of the rows: MNIST's train[50000:60000], as the paper). (default: per-label)")
    var validationSplit: ValidationSplit?

    @Option(name: .customLong("discriminator-objective"), help: "sum (real-half loss + fake-half loss) or average (half that, as the paper's released code: D takes half-size steps). (default: sum)")
    var discriminatorObjective: DiscriminatorObjective?

    @Option(help: "Epochs (passes over the training images). (default: 40)")
    var epochs: Int?

    @Option(name: .customLong("batch-size"), help: "Real images per minibatch, and as many generated. (default: 16)")
    var batchSize: Int?

    @Option(help: "sgd (with momentum) or adam, for both networks. (default: sgd)")
    var optimizer: OptimizerConfiguration.Kind?

    @Option(name: .customLong("learning-rate"), help: "Learning rate of both optimizers. (default: 0.1 for sgd, 0.0002 for adam)")
    var learningRate: Float?

    @Option(help: "SGD momentum. (default: 0.5)")
    var momentum: Float?

    @Option(help: "Adam's beta1. (default: 0.5)")
    var beta1: Float?

    @Option(name: .customLong("learning-rate-decay"), help: "Divide the learning rate by this every step (the paper: 1.000004). (default: 1)")
    var learningRateDecay: Double?

    @Option(name: .customLong("minimum-learning-rate"), help: "Floor of the decayed learning rate (the paper: 1e-6). (default: 0)")
    var minimumLearningRate: Float?

    @Option(name: .customLong("final-momentum"), help: "Ramp momentum linearly to this value (the paper: 0.7). (default: constant momentum)")
    var finalMomentum: Float?

    @Option(name: .customLong("momentum-ramp-end"), help: "Epoch at which the momentum ramp (from epoch 1) ends. (default: 250)")
    var momentumRampEnd: Int?

    @Option(name: .customLong("weight-decay"), help: "L2 weight decay lambda on both networks' kernels: each loss gains lambda/2 * sum(w^2), as the seed's TensorFlow model. (default: 0; per network: the recipe's generatorOptimizer.weightDecay / discriminatorOptimizer.weightDecay)")
    var weightDecay: Float?

    @Option(help: "Discriminator steps per generator step (Algorithm 1's k). (default: 1)")
    var k: Int?

    @Option(help: "alternating (Algorithm 1) or simultaneous (the released code: both gradients from the same samples). (default: alternating)")
    var mode: UpdateMode?

    @Option(name: .customLong("latent-size"), help: "Dimension of the noise z. (default: 100)")
    var latentSize: Int?

    @Option(help: "Noise prior: uniform in [-scale, scale] or normal with std scale. (default: the architecture's, else uniform)")
    var noise: NoisePrior.Kind?

    @Option(name: .customLong("noise-scale"), help: "Scale of the noise prior. (default: the architecture's, else 1)")
    var noiseScale: Float?

    @Option(help: "Seed for initialisation, noise, dropout and shuffling, 0...2^53 (the recipe is JSON, exact to there). (default: 0)")
    var seed: UInt64?

    @Option(help: "BLAS threads (0 = all cores; the file records the count used). Same seed and threads give the same weights. (default: 0)")
    var threads: Int?

    @Option(help: "Weights file to write (HDF5).", completion: weightsFiles)
    var out = "weights.h5"

    @Option(name: .customLong("samples-dir"), help: "Write an 8x8 sample grid PNG here after every epoch.")
    var samplesDir: String?

    @Flag(name: .customLong("print-recipe"), help: "Print the resulting training configuration as JSON and exit.")
    var printRecipe = false

    @Flag(help: "With --print-recipe: print each value with where it came from (flag, recipe, loss plugin, architecture plugin, default).")
    var explain = false

    @Option(help: "Continue from a checkpoint (its recipe, weights, optimizer and random state). --epochs is the total to reach.", completion: weightsFiles)
    var resume: String?

    @Option(name: .customLong("checkpoint-every"), help: "Write a checkpoint every N epochs (\"5\" or \"5epochs\") or steps (\"200steps\").")
    var checkpointEvery: CheckpointInterval?

    @Option(name: .customLong("checkpoint-dir"), help: "Folder for checkpoints (step-NNNNNNNNN.h5). (default: <out>-checkpoints)")
    var checkpointDir: String?

    @Option(name: .customLong("keep-checkpoints"), help: "How many of the newest checkpoints to keep.")
    var keepCheckpoints = 3

    @Option(name: .customLong("on-divergence"), help: "When a loss or weight turns non-finite: stop, or rollback to the last checkpoint with half the learning rate (at most 3 times).")
    var onDivergence: DivergencePolicy = .stop

    @Option(name: .customLong("validate-every"), help: "Every N epochs, log the Parzen log-likelihood of held-out validation images (needs --hold-out-validation).")
    var validateEvery: Int?

    @Option(name: .customLong("stop-on-plateau"), help: "With --validate-every: end the run after P checks without a new best validation score.")
    var stopOnPlateau: Int?

    @Option(name: .customLong("validation-log"), help: "CSV log of the validation checks. (default: <out>-validation.csv)")
    var validationLog: String?

    @Option(name: .customLong("log-every"), help: "Also add a row to the metrics log (<out>.metrics.jsonl) every N steps, not only at each epoch's end.")
    var logEvery: Int?

    @Option(help: "Write TensorBoard event files to this folder: the metrics log's values as scalars, each epoch's sample grid as an image.")
    var tensorboard: String?

    func validate() throws {
        if explain && !printRecipe { throw ValidationError("--explain goes with --print-recipe") }
        // The weights are always HDF5: a file named model.pth or model.onnx that holds HDF5 would
        // mislead whoever loads it. (An empty name or a folder is checkWritable's to refuse.)
        let ending = URL(fileURLWithPath: out).pathExtension.lowercased()
        if !out.isEmpty && !out.hasSuffix("/") && !["h5", "hdf5", "he5"].contains(ending) {
            throw ValidationError("--out \(out): gan train writes an HDF5 weights file, so name it .h5 (or .hdf5); "
                                  + "for PyTorch, ONNX or Keras, train to an .h5 file, then: gan export FILE.h5 --out MODEL.safetensors|.onnx|.weights.h5")
        }
        if let seed, seed > Limits.maximumSeed {
            throw ValidationError("--seed must lie in 0...\(Limits.maximumSeed) (2^53: the recipe is JSON, whose numbers hold larger integers inexactly), got \(seed)")
        }
        // NaN and infinity would reach the recipe decoder, whose message names no flag.
        let numbers: [(String, Double?)] = [
            ("--learning-rate", learningRate.map(Double.init)), ("--momentum", momentum.map(Double.init)),
            ("--beta1", beta1.map(Double.init)), ("--weight-decay", weightDecay.map(Double.init)),
            ("--learning-rate-decay", learningRateDecay), ("--minimum-learning-rate", minimumLearningRate.map(Double.init)),
            ("--final-momentum", finalMomentum.map(Double.init)), ("--noise-scale", noiseScale.map(Double.init)),
        ]
        for case let (flag, value?) in numbers where !value.isFinite {
            throw ValidationError("\(flag) must be a finite number, got \(value)")
        }
        if let momentumRampEnd, !(0...Limits.maximumEpochs).contains(momentumRampEnd) {
            throw ValidationError("--momentum-ramp-end: the momentum ramp's end must lie in 0...\(Limits.maximumEpochs), got \(momentumRampEnd)")
        }
        if let logEvery, !(1...Limits.maximumSteps).contains(logEvery) {
            throw ValidationError("--log-every must lie in 1...\(Limits.maximumSteps) steps, got \(logEvery)")
        }
        guard keepCheckpoints >= 1 else { throw ValidationError("--keep-checkpoints must be at least 1") }
        if let validateEvery, !(1...100_000).contains(validateEvery) {
            throw ValidationError("--validate-every must lie in 1...100000 epochs, got \(validateEvery)")
        }
        if let stopOnPlateau {
            guard validateEvery != nil else { throw ValidationError("--stop-on-plateau needs --validate-every") }
            guard (1...100_000).contains(stopOnPlateau) else {
                throw ValidationError("--stop-on-plateau must lie in 1...100000 checks, got \(stopOnPlateau)")
            }
        }
    }

    func run() throws {
        if !printRecipe { catchInterrupts() }
        let session: TrainingSession
        if let resume {
            session = try resumeSession(resume)
        } else {
            let resolved = try resolveConfiguration()
            let configuration = resolved.configuration
            if printRecipe {
                print(explain ? resolved.explanation.joined(separator: "\n") : ConfigurationCoding.encode(configuration, pretty: true))
                return
            }
            try checkNotAnInput(configuration)
            try checkWritable(out, flag: "--out")
            if let samplesDir { try prepareSamplesFolder(samplesDir) }
            session = try TrainingSession(configuration: configuration)
        }
        let folder = checkpointDir ?? CheckpointPolicy.defaultFolder(for: out)
        let policy = CheckpointPolicy(interval: checkpointEvery, folder: folder, keep: keepCheckpoints)
        // A resumed run prunes its own earlier checkpoints too (those up to where it resumes).
        if resume != nil { policy.written.paths = policy.existing(upTo: session.position.step) }
        let logPath = validationLog ?? CheckpointPolicy.stem(of: out) + "-validation.csv"
        if validateEvery != nil { try checkValidationLog(logPath, session: session) }
        let validation = try validateEvery.map {
            try ValidationMonitor(session: session, every: $0, patience: stopOnPlateau, logPath: logPath)
        }
        if let tensorboard {
            try checkNotSame(tensorboard, flag: "--tensorboard", as: out, named: "--out file")
            try createFolder(tensorboard, named: "--tensorboard")
        }
        let log = try RunLog(out: out, logEvery: logEvery, tensorBoard: tensorboard, session: session)
        try TrainingRun(session: session, out: out, samplesDir: samplesDir, checkpoints: policy, onDivergence: onDivergence,
                        validation: validation, log: log).run()
    }

    /// The settings given on a resume (flags, a --recipe) that differ from the checkpoint's, as
    /// "path: checkpoint X, given Y". The given settings are read as a fresh run reads them over
    /// the checkpoint's recipe (`gan train --recipe` of it), and must (1) set nothing but what
    /// the checkpoint has: each plugin configuration field given equals the checkpoint's value on
    /// every network it feeds (a field named for the other network, discriminatorHiddenSizes for
    /// the generator, feeds nothing there), and (2) build the same two networks: layers, their
    /// settings and the initial weights of one seed (a per-side flag over a shared configuration
    /// means the plugin's defaults for what it leaves out). Plugin names compare as the plugins
    /// each network uses (`--generator mlp` on an mlp run is no difference).
    static func resumeDifferences(_ resolved: ResolvedRecipe, stored: TrainingConfiguration, problem: Problem) throws -> [String] {
        let ours = resolved.configuration
        let configurationKeys = ["architectureConfiguration", "generatorConfiguration", "discriminatorConfiguration"]
        let pluginKeys = ["architecture": nil, "generatorArchitecture": true, "discriminatorArchitecture": false] as [String: Bool?]
        let explicit = resolved.explicitDifferences(from: stored)
        func line(_ difference: (path: String, theirs: String, ours: String)) -> String {
            "\(difference.path): checkpoint \(difference.theirs), given \(difference.ours)"
        }
        // A field named for the other network (discriminatorHiddenSizes on the generator's side).
        func othersField(_ field: String, generator: Bool) -> Bool { field.hasPrefix(generator ? "discriminator" : "generator") }
        var differences: [String] = []
        for difference in explicit {
            let key = String(difference.path.split(separator: ".")[0])
            if configurationKeys.contains(key) { continue }
            if let side = pluginKeys[key], let generator = side,
               (generator ? ours.generatorPlugin : ours.discriminatorPlugin) == (generator ? stored.generatorPlugin : stored.discriminatorPlugin) {
                continue
            }
            // --threads 0 is "all cores", which the checkpoint recorded as their count.
            if key == "threads", ours.threads == 0, BLASThreads.resolved(0) == stored.threads { continue }
            differences.append(line(difference))
        }
        let sides = [(true, "generator", stored.generatorPlugin, ours.generatorPlugin),
                     (false, "discriminator", stored.discriminatorPlugin, ours.discriminatorPlugin)]
        // A side whose plugin the flags change is listed under that change already.
        let compared = sides.filter { $0.2 == $0.3 }
        var checkpoint: [Bool: (factory: ArchitectureFactory, architecture: AnyArchitecture, fields: [String: JSONValue])] = [:]
        for (generator, _, plugin, _) in compared {
            let factory = try Registry.architecture(named: plugin)
            let architecture = try factory.make(configurationJSON: stored.configurationJSON(generator: generator))
            if case .object(let fields)? = try? JSONValue(parsing: architecture.configurationJSON) {
                checkpoint[generator] = (factory, architecture, fields)
            }
        }
        // (1) Each configuration field given, on the networks its object feeds: a network's own
        // object (given for it), else the shared one. The value is read as the plugin reads it
        // (0.333333333 is the float 0.33333334; "uniform:1" is "uniform:1.0").
        // The shared object fed the networks of its plugin that had no object of their own in
        // the checkpoint. When it fed none (a run with an object per network), a value it
        // recorded must be given again as recorded; one it never held is compared with the
        // networks' own values.
        let storedFed = compared.filter {
            $0.2 == stored.architecture && ($0.0 ? stored.generatorConfiguration : stored.discriminatorConfiguration) == nil
        }
        var differing: Set<Bool> = []
        let given = resolved.sources.filter { $0.value == "flag" || $0.value.hasPrefix("recipe ") }.keys
            .filter { configurationKeys.contains(String($0.split(separator: ".")[0])) }.sorted()
        let ownGiven = Set(given.map { String($0.split(separator: ".")[0]) })
        let leaves = RecipeResolver.leaves(of: RecipeResolver.fields(of: ours))
        let storedLeaves = RecipeResolver.leaves(of: RecipeResolver.fields(of: stored))
        for path in given {
            let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = leaves[path] else { continue }
            let keys = parts[1].split(separator: ".").map(String.init)
            let objectFeeds = compared.filter { side in
                parts[0] == "architectureConfiguration"
                    ? (storedFed.isEmpty ? side.2 == stored.architecture : storedFed.contains { $0.0 == side.0 })
                        && !ownGiven.contains(side.1 + "Configuration")
                    : parts[0] == side.1 + "Configuration"
            }
            let reading = objectFeeds.filter { !othersField(keys[0], generator: $0.0) }
            // A field no network reads (discriminatorHiddenSizes in the generator's object) must
            // still be what that object held.
            let fed = reading.isEmpty ? objectFeeds : reading
            if fed.isEmpty || (parts[0] == "architectureConfiguration" && storedFed.isEmpty && storedLeaves[path] != nil) {
                // Compared as the recipe states it.
                if let difference = explicit.first(where: { $0.path == path }) { differences.append(line(difference)) }
                continue
            }
            var object = value
            for key in keys.reversed() { object = .object([key: object]) }
            guard case .object(let override) = object else { continue }
            var listed: [(side: String, theirs: String)] = []
            for side in fed {
                guard let held = checkpoint[side.0] else { continue }
                let merged = JSONValue.object(RecipeResolver.deepMerge(held.fields, override))
                if (try? held.factory.make(configurationJSON: merged.text).configurationJSON) != held.architecture.configurationJSON {
                    differing.insert(side.0)
                    listed.append((side.1, RecipeResolver.leaves(of: held.fields)[parts[1]]?.text ?? "(unset)"))
                }
            }
            // One line for a shared field whose value both networks had.
            let label = Set(listed.map(\.theirs)).count > 1
            for entry in label ? listed : Array(listed.prefix(1)) {
                differences.append("\(path): checkpoint \(entry.theirs)\(label ? " (\(entry.side))" : ""), given \(value.text)")
            }
        }
        // (2) The networks themselves; a network listed under (1) is not listed again.
        for (generator, side, _, _) in compared where !given.isEmpty && !differing.contains(generator) {
            guard let held = checkpoint[generator] else { continue }
            let mine = try held.factory.make(configurationJSON: ours.configurationJSON(generator: generator))
            try mine.checkSizes(for: problem)
            if signature(of: held.architecture, generator: generator, problem: problem) != signature(of: mine, generator: generator, problem: problem) {
                // Listed without the other network's fields, which build nothing here.
                func own(_ json: String) -> String {
                    guard case .object(let fields)? = try? JSONValue(parsing: json) else { return json }
                    return JSONValue.object(fields.filter { !othersField($0.key, generator: generator) }).text
                }
                let listed = ModelFile.fieldDifferences(own(held.architecture.configurationJSON), file: own(mine.configurationJSON),
                                                        label: "checkpoint", fileLabel: "given")
                differences.append("the \(side) it would build: " + listed)
            }
        }
        return differences
    }

    /// Each layer's kind, sizes, settings and parameters (shapes, and the bits of their initial
    /// values from seed 0), as lines.
    static func signature(of architecture: AnyArchitecture, generator: Bool, problem: Problem) -> [String] {
        var rng = RandomGenerator(seed: 0)
        // A data mean (0.25 for every pixel) that a setting such as outputBiasFromDataMean shows in
        // the initial weights.
        var problem = problem
        problem.pixelMean = [Float](repeating: 0.25, count: problem.sampleSize)
        let network = generator ? architecture.makeGenerator(for: problem, rng: &rng) : architecture.makeDiscriminator(for: problem, rng: &rng)
        return network.layers.map { layer in
            let settings = layer.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            let parameters = layer.parameters.map { parameter in
                var hash = FNV1a()
                hash.add(UnsafeBufferPointer(start: parameter.value.pointer, count: parameter.value.count))
                return "\(parameter.key)\(parameter.shape):\(hash.value)"
            }
            return "\(layer.kind) \(layer.inputSize)->\(layer.outputSize) \(settings) \(parameters)"
        }
    }

    /// `--resume`: the checkpoint holds the recipe. Run-level flags may change; the training
    /// flags (and a --recipe) of the original command are accepted when every value they set
    /// equals the checkpoint's, so the same command line resumes a run.
    private func resumeSession(_ path: String) throws -> TrainingSession {
        // --data may name the data anew (a checkpoint from elsewhere names any folder it likes);
        // the data fingerprint then has to match.
        let runLevel: Set<String> = ["--resume", "--epochs", "--out", "--samples-dir", "--checkpoint-every", "--checkpoint-dir",
                                     "--keep-checkpoints", "--on-divergence", "--validate-every", "--stop-on-plateau",
                                     "--validation-log", "--log-every", "--tensorboard", "--data"]
        let given = CommandLine.arguments.dropFirst(2).filter { $0.hasPrefix("--") }.map { String($0.split(separator: "=")[0]) }
        if let other = given.first(where: { ["--print-recipe", "--explain"].contains($0) }) {
            throw CLIError("\(other) cannot be combined with --resume (`gan inspect \(path)` shows a checkpoint's recipe)")
        }
        let trainingFlags = given.filter { !runLevel.contains($0) }
        try checkWritable(out, flag: "--out")
        if let samplesDir { try prepareSamplesFolder(samplesDir) }
        // The flags are compared before the session is built, so nothing is read on the word of a
        // recipe the command line disagrees with.
        let contents = try ModelFile.load(path)
        if !trainingFlags.isEmpty {
            var stored = contents.configuration
            if let data { stored.dataPath = data }
            let resolved = try resolveConfiguration(checkpoint: stored)
            let differences = try Self.resumeDifferences(resolved, stored: stored, problem: contents.model.problem)
            if !differences.isEmpty {
                // The names first, so that all of them survive the cut of a long line.
                let names = differences.map { String($0.prefix { $0 != ":" }) }
                let named = differences.count > 1 ? " (\(names.joined(separator: ", ")))" : ""
                throw CLIError("\(differences.count) setting(s) given differ from the checkpoint's\(named): "
                               + differences.prefix(12).joined(separator: "; ")
                               + "\(differences.count > 12 ? "; ..." : ""). A resumed run keeps its recipe: drop these flags, "
                               + "or train anew without --resume")
            }
        }
        let session = try TrainingSession.resume(from: contents, epochs: epochs, dataPath: data)
        // `--epochs N` equal to a checkpoint's completed epochs ends the run there: the file
        // written is that checkpoint as a finished run of N epochs (a run cut short on purpose).
        let endsHere = epochs == session.position.epoch && session.position.epochStep == 0
        if let epochs, epochs < session.position.epoch {
            throw CLIError("--epochs \(epochs): \(path) has already trained \(session.position.epoch) epochs; "
                           + "pass --epochs \(session.position.epoch) to end the run there, or more to train on")
        }
        if session.isFinished && !endsHere {
            throw CLIError("\(path) has already finished \(session.position.epoch) of \(session.configuration.epochs) epochs; "
                           + "pass --epochs N with N > \(session.position.epoch) to train on")
        }
        return session
    }

    /// The validation log must not be the weights file or lie inside the data folder.
    private func checkValidationLog(_ logPath: String, session: TrainingSession) throws {
        let log = URL(fileURLWithPath: logPath).standardized.path
        try checkNotSame(logPath, flag: "--validation-log", as: out, named: "--out file")
        if let folder = try? DatasetFolder.resolve(session.configuration.dataPath),
           log.hasPrefix(URL(fileURLWithPath: folder.path).standardized.path + "/") {
            throw CLIError("--validation-log \(logPath) lies inside the data folder \(folder.path); choose another path")
        }
    }

    private func checkNotAnInput(_ configuration: TrainingConfiguration) throws {
        let output = URL(fileURLWithPath: out).standardized.path
        if let folder = try? DatasetFolder.resolve(configuration.dataPath) {
            let data = URL(fileURLWithPath: folder.path).standardized.path + "/"
            if output.hasPrefix(data) {
                throw CLIError("--out \(out) lies inside the data folder \(folder.path); choose another path")
            }
            if let samplesDir, (URL(fileURLWithPath: samplesDir).standardized.path + "/").hasPrefix(data) {
                throw CLIError("--samples-dir \(samplesDir) lies inside the data folder \(folder.path); choose another path")
            }
        }
        try checkNotSame(out, flag: "--out", as: recipe, named: "recipe file")
    }
}
