import Foundation
import GANCore
import GANData
import GANLayers
import GANTensor
import GANZoo
import Testing

/// Plugins' reference settings, their precedence, weight decay and the max-norm constraint.
@Suite("Reference settings, weight decay and max-norm")
struct ReferenceSettingsTests {
    static func layer(_ source: String, _ json: String, whole: Set<String> = []) throws -> RecipeLayer {
        guard case .object(let fields) = try JSONValue(parsing: json) else { throw ConfigurationError.invalid(plugin: "test", reason: json) }
        return RecipeLayer(source: source, fields: fields, wholeObjects: whole)
    }

    static func resolve(recipe: String? = nil, flags: String = "{}") throws -> ResolvedRecipe {
        try RecipeResolver.resolve(recipe: recipe.map { try layer("recipe r.json", $0) }, flags: { _ in try layer("flag", flags) })
    }

    /// flag > recipe > loss plugin > architecture plugin > default, value by value.
    @Test func precedenceIsFlagRecipeLossArchitectureDefault() throws {
        let architecture = try Self.resolve(flags: #"{"architecture":"maxout-dropout"}"#)
        #expect(architecture.configuration.batchSize == 100 && architecture.sources["batchSize"] == "architecture maxout-dropout")
        #expect(architecture.configuration.generatorOptimizer.schedule.finalMomentum == 0.7)
        #expect(architecture.configuration.problem.noise.scale == Float(3).squareRoot())
        #expect(architecture.sources["epochs"] == "default" && architecture.configuration.epochs == 40)

        let loss = try Self.resolve(flags: #"{"architecture":"maxout-dropout","loss":"least-squares"}"#)
        let lossOptimizer = try #require(Registry.loss(named: "least-squares").referenceSettings.generatorOptimizer)
        #expect(loss.configuration.generatorOptimizer == lossOptimizer, "the loss's optimizer replaces the architecture's whole")
        #expect(loss.configuration.generatorOptimizer.schedule.finalMomentum == nil, "no SGD ramp left inside an Adam optimizer")
        #expect(loss.sources["generatorOptimizer.kind"] == "loss least-squares")
        #expect(loss.configuration.batchSize == 100, "what the loss does not declare stays the architecture's")

        let recipe = try Self.resolve(recipe: #"{"architecture":"maxout-dropout","loss":"least-squares","generatorOptimizer":{"learningRate":0.001},"batchSize":50}"#,
                                      flags: #"{"batchSize":64}"#)
        #expect(recipe.configuration.generatorOptimizer.learningRate == 0.001 && recipe.sources["generatorOptimizer.learningRate"] == "recipe r.json")
        #expect(recipe.configuration.generatorOptimizer.kind == lossOptimizer.kind, "a partial recipe optimizer merges over the loss's")
        #expect(recipe.configuration.batchSize == 64 && recipe.sources["batchSize"] == "flag")
        let lines = recipe.explanation
        #expect(lines.contains { $0.hasPrefix("batchSize = 64") && $0.hasSuffix("(flag)") })
        #expect(lines.contains { $0.hasPrefix("generatorOptimizer.learningRate = 0.001") && $0.hasSuffix("(recipe r.json)") })
    }

    /// The flags map onto the recipe: `--weight-decay` reaches both optimizers, `--optimizer`
    /// naming another kind starts from that kind's defaults, `--explain` names each source.
    @Test func flagsExplainAndOptimizerReset() throws {
        let gan = try #require(Support.ganBinary)
        let run = try Support.run(gan, ["train", "--arch", "maxout-dropout", "--optimizer", "adam", "--weight-decay", "0.01",
                                        "--noise", "normal", "--print-recipe"])
        #expect(run.status == 0, "\(run.output)")
        let configuration = try TrainingConfiguration.recipe(json: run.stdout, source: "stdout")
        for optimizer in [configuration.generatorOptimizer, configuration.discriminatorOptimizer] {
            #expect(optimizer.kind == .adam && optimizer.learningRate == 0.0002 && optimizer.weightDecay == 0.01)
            #expect(optimizer.schedule == Schedule(), "no SGD schedule left from the architecture")
        }
        #expect(configuration.problem.noise == NoisePrior(kind: .normal, scale: 1), "a flag sets the prior whole")
        #expect(configuration.batchSize == 100, "the architecture's batch size stays")
        let explained = try Support.run(gan, ["train", "--arch", "maxout-dropout", "--loss", "least-squares", "--epochs", "3",
                                              "--print-recipe", "--explain"])
        let lines = explained.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("epochs = 3") && $0.hasSuffix("(flag)") }, "\(explained.output)")
        #expect(lines.contains { $0.hasPrefix("batchSize = 100") && $0.hasSuffix("(architecture maxout-dropout)") })
        #expect(lines.contains { $0.hasPrefix(#"generatorOptimizer.kind = "adam""#) && $0.hasSuffix("(loss least-squares)") })
        #expect(lines.contains { $0.hasPrefix("seed = 0") && $0.hasSuffix("(default)") })
        let alone = try Support.run(gan, ["train", "--explain"])
        #expect(alone.status != 0 && alone.stderr.contains("--explain goes with --print-recipe"))
        let badDecay = try Support.run(gan, ["train", "--weight-decay", "2", "--print-recipe"])
        #expect(badDecay.status != 0 && badDecay.stderr.contains("weightDecay must lie in [0, 1.0], got 2.0"), "\(badDecay.output)")
    }

    /// A recipe written out in full (as every zoo recipe and weights file is) means the same
    /// after plugins gained reference settings: nothing it states is overridden by a plugin.
    @Test func fullRecipesAreUnchangedByReferenceSettings() throws {
        for model in ["paper-mnist", "mlp-digit4", "mlp-batchnorm", "fashion-mnist"] {
            let path = Support.packageRoot + "/models/\(model)/recipe.json"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let plain = try TrainingConfiguration.recipe(json: text, source: path)
            let resolved = try Self.resolve(recipe: text)
            #expect(resolved.configuration == plain, "\(model): the resolved recipe differs from the file's")
        }
    }

    /// Every declared setting is valid for every pair it can meet, and shows in the result
    /// when nothing stronger sets it.
    @Test(arguments: ConformanceTests.pairs)
    func declaredSettingsAreValidAndApplied(architecture: String, loss: String) throws {
        let resolved = try Self.resolve(flags: #"{"architecture":"\#(architecture)","loss":"\#(loss)"}"#)
        try resolved.configuration.validate()
        let lossSettings = try Registry.loss(named: loss).referenceSettings
        let architectureSettings = try Registry.architecture(named: architecture).referenceSettings
        for settings in [architectureSettings, lossSettings] {
            if let json = settings.architectureConfiguration {
                _ = try Registry.architecture(named: architecture).make(configurationJSON: json.text)
            }
        }
        let expectedOptimizer = lossSettings.discriminatorOptimizer ?? architectureSettings.discriminatorOptimizer
        if let expectedOptimizer { #expect(resolved.configuration.discriminatorOptimizer == expectedOptimizer) }
        if let batch = lossSettings.batchSize ?? architectureSettings.batchSize { #expect(resolved.configuration.batchSize == batch) }
        if let noise = lossSettings.noise ?? architectureSettings.noise { #expect(resolved.configuration.problem.noise == noise) }
        _ = try TrainingSession(configuration: resolved.configuration, data: Self.tinyData)
    }

    static let tinyData: GANData.Dataset = {
        var rng = RandomGenerator(seed: 5)
        var images = [Float](repeating: 0, count: 200 * 784)
        rng.fillUniform(&images, count: images.count, low: 0, high: 1)
        return GANData.Dataset(images: images, labels: [UInt8](repeating: 4, count: 200), sampleShape: [28, 28])
    }()

    // MARK: weight decay

    /// The gradient the optimizers step on (loss gradient + lambda * w on kernels) is the
    /// gradient of loss + lambda/2 * sum(kernel^2), by central differences in every coordinate.
    @Test func weightDecayGradientIsTheGradientOfLossPlusPenalty() throws {
        var rng = RandomGenerator(seed: 21)
        let network = Network(layers: [LayerStack.dense(5, 4, .uniform(scale: 0.8), &rng), Sigmoid(size: 4),
                                       LayerStack.dense(4, 3, .uniform(scale: 0.8), &rng)])
        for parameter in network.trainableParameters where !parameter.decays {
            rng.fillUniform(parameter.value.pointer, count: parameter.value.count, low: -0.5, high: 0.5)
        }
        let lambda: Float = 0.3, batch = 6
        let input = Tensor(shape: [batch, 5]), weights = Tensor(shape: [batch, 3])
        rng.fillUniform(input.pointer, count: input.count, low: -1, high: 1)
        rng.fillUniform(weights.pointer, count: weights.count, low: -1, high: 1)
        func objective() -> Double {
            let output = network.forward(input.pointer, batchSize: batch, phase: .training)
            var total = 0.0
            for i in 0..<weights.count { total += Double(weights[i]) * Double(output[i]) }
            return total + WeightDecay.penalty(network.trainableParameters, lambda: lambda)
        }
        _ = objective()
        network.zeroGradients()
        _ = network.backward(weights.pointer, needs: .parameters)
        WeightDecay.addGradient(network.trainableParameters, lambda: lambda)
        var checked = 0
        for parameter in network.trainableParameters {
            for i in 0..<parameter.value.count {
                let saved = parameter.value[i], h: Float = 1e-2
                parameter.value[i] = saved + h
                let up = objective()
                parameter.value[i] = saved - h
                let down = objective()
                parameter.value[i] = saved
                let numeric = (up - down) / Double(2 * h)
                let analytic = Double(parameter.gradient[i])
                #expect(abs(numeric - analytic) < 2e-3 + 1e-2 * abs(numeric), "\(parameter.key)[\(i)]: \(numeric) vs \(analytic)")
                checked += 1
            }
        }
        #expect(checked == 5 * 4 + 4 + 4 * 3 + 3)
        #expect(network.trainableParameters.filter(\.decays).map(\.key) == ["kernel", "kernel"], "biases do not decay")
    }

    /// SGD and Adam step on g + lambda * w (L2 in the loss, not AdamW's decoupled decay).
    @Test(arguments: [OptimizerConfiguration.Kind.sgd, .adam])
    func optimizersStepOnTheDecayedGradient(kind: OptimizerConfiguration.Kind) throws {
        func parameters() -> [Parameter] {
            var rng = RandomGenerator(seed: 4)
            let kernel = Parameter(key: "kernel", shape: [3, 2]), bias = Parameter(key: "bias", shape: [2])
            for p in [kernel, bias] {
                rng.fillUniform(p.value.pointer, count: p.value.count, low: -1, high: 1)
                rng.fillUniform(p.gradient.pointer, count: p.value.count, low: -1, high: 1)
            }
            return [kernel, bias]
        }
        let lambda: Float = 0.05
        var configuration = OptimizerConfiguration.defaults(for: kind)
        configuration.weightDecay = lambda
        let decayed = parameters(), manual = parameters()
        for i in 0..<6 { manual[0].gradient[i] += lambda * manual[0].value[i] }
        let withDecay = configuration.make(for: decayed)
        configuration.weightDecay = 0
        let plain = configuration.make(for: manual)
        withDecay.step()
        plain.step()
        #expect(decayed.map { $0.value.array } == manual.map { $0.value.array })
        #expect(decayed[0].value.array != parameters()[0].value.array, "the step moved the weights")
    }

    /// `--weight-decay` reaches both networks' optimizers and the file; a run with decay ends
    /// with smaller kernels than the same run without.
    @Test func weightDecayShrinksKernelsInTraining() throws {
        var configuration = Support.tinyConfiguration(epochs: 2)
        let plain = try TrainingSession(configuration: configuration)
        while !plain.isFinished { _ = try plain.trainEpoch() }
        configuration.generatorOptimizer.weightDecay = 0.05
        configuration.discriminatorOptimizer.weightDecay = 0.05
        let decayed = try TrainingSession(configuration: configuration)
        while !decayed.isFinished { _ = try decayed.trainEpoch() }
        func norm(_ network: Network) -> Double {
            network.trainableParameters.filter(\.decays).reduce(0) { total, p in total + p.value.array.reduce(0) { $0 + Double($1 * $1) } }
        }
        #expect(norm(decayed.model.generator) < norm(plain.model.generator))
        #expect(norm(decayed.model.discriminator) < norm(plain.model.discriminator))
        let folder = Support.temporaryFolder()
        try decayed.save(to: folder + "/decay.h5")
        let loaded = try ModelFile.load(folder + "/decay.h5")
        #expect(loaded.configuration.generatorOptimizer.weightDecay == 0.05)
    }

    // MARK: max-norm

    @Test func maxColumnNormScalesOnlyLongColumns() throws {
        let layer = Dense(inputSize: 2, outputSize: 3)
        layer.kernel.value.copy(from: [3, 0.1, 0, 4, 0.1, 5])   // columns: (3, 4) norm 5, (0.1, 0.1), (0, 5)
        layer.maxColumnNorm = 2
        layer.applyConstraints()
        let k = layer.kernel.value.array
        #expect(abs(k[0] - 1.2) < 1e-6 && abs(k[3] - 1.6) < 1e-6, "(3, 4) scaled to norm 2, direction kept")
        #expect(k[1] == 0.1 && k[4] == 0.1, "a short column is untouched")
        #expect(k[2] == 0 && abs(k[5] - 2) < 1e-6)
        #expect(layer.attributes["max_col_norm"] == 2, "stored with the layer")
    }

    /// The bound set in an architecture's configuration holds for every column of every
    /// constrained layer after each update, survives save and load, and binds in training.
    /// Max-norm is a constraint of the dense stacks; `dcgan` (convolutions) has none.
    @Test(arguments: Registry.architectures.map(\.name).filter { $0 != "dcgan" })
    func maxColumnNormHoldsDuringTraining(architecture: String) throws {
        var configuration = Support.tinyConfiguration(epochs: 1)
        configuration.architecture = architecture
        // Bounds below the initial column norms (maxout-dropout starts at +-0.05 and +-0.005), so they bind.
        let (g, d): (Float, Float) = architecture == "maxout-dropout" ? (0.05, 0.05) : (0.3, 0.2)
        configuration.architectureConfiguration = try JSONValue(parsing: architecture == "maxout-dropout"
            ? #"{"generatorHiddenSizes":[32],"discriminatorUnits":[16],"discriminatorPieces":2,"generatorMaxColumnNorm":\#(g),"discriminatorMaxColumnNorm":\#(d)}"#
            : #"{"generatorHiddenSizes":[32],"discriminatorHiddenSizes":[16],"generatorMaxColumnNorm":\#(g),"discriminatorMaxColumnNorm":\#(d)}"#)
        configuration.generatorOptimizer.learningRate = 0.5
        let session = try TrainingSession(configuration: configuration)
        _ = try session.trainEpoch()
        var constrained = 0, atBound = 0
        for (network, bound) in [(session.model.generator, g), (session.model.discriminator, d)] {
            for layer in network.layers {
                let kernel = (layer as? Dense)?.kernel ?? (layer as? Maxout)?.kernel
                guard let kernel else { continue }
                constrained += 1
                let rows = kernel.shape[0], columns = kernel.shape[1], values = kernel.value.array
                for column in 0..<columns {
                    let norm = (0..<rows).reduce(Float(0)) { $0 + values[$1 * columns + column] * values[$1 * columns + column] }.squareRoot()
                    #expect(norm <= bound * 1.0001, "\(architecture): column \(column) has norm \(norm) > \(bound)")
                    if norm > bound * 0.999 { atBound += 1 }
                }
            }
        }
        #expect(constrained >= 4 && atBound > 0, "\(architecture): the bound was reached somewhere (it binds)")
        let folder = Support.temporaryFolder()
        try session.save(to: folder + "/mn.h5")
        let loaded = try ModelFile.load(folder + "/mn.h5").model
        let dense = try #require(loaded.generator.layers.first { $0 is Dense } as? Dense)
        #expect(dense.maxColumnNorm == g, "the file rebuilds the constraint")
    }

    // MARK: every pair by flag alone

    /// Each registered architecture x loss, at its resolved reference settings on the shipped
    /// subset, trains 200 steps with finite losses and without the collapse monitor's warnings
    /// (checked every 25 steps, as if each were an epoch).
    @Test(arguments: ConformanceTests.pairs)
    func everyPairTrainsAtItsReferenceSettings(architecture: String, loss: String) throws {
        var configuration = try Self.resolve(flags: #"{"architecture":"\#(architecture)","loss":"\#(loss)","holdOutValidation":true}"#).configuration
        configuration.epochs = 1_000
        let session = try TrainingSession(configuration: configuration)
        var monitor = CollapseMonitor(data: session.data)
        var warnings: [String] = []
        var real = 0.0, fake = 0.0, dLoss = 0.0
        for step in 1...200 {
            let (report, _) = try session.step()
            #expect(report.discriminatorLoss.isFinite && (report.generatorLoss ?? 0).isFinite,
                    "\(architecture) + \(loss): non-finite loss at step \(step)")
            real += Double(report.realScore); fake += Double(report.fakeScore); dLoss += Double(report.discriminatorLoss)
            if step % 25 == 0 {
                let summary = EpochSummary(epoch: step / 25, discriminatorLoss: Float(dLoss / 25), generatorLoss: 0,
                                           realScore: Float(real / 25), fakeScore: Float(fake / 25), samplesPerSecond: 0, seconds: 0)
                warnings += monitor.check(summary, samples: session.model.sample(count: 64, seed: 0).samples)
                real = 0; fake = 0; dLoss = 0
            }
        }
        #expect(session.firstNonFiniteParameter() == nil)
        if architecture == "dcgan" && loss == "saturating" {
            // The paper's warning (section 3): early on, D rejects G's samples with high confidence
            // and log(1 - D(G(z))) saturates. DCGAN's convolutional D gets there within 200 steps,
            // the dense ones do not; the monitor must say so, and nothing else.
            #expect(!warnings.isEmpty && warnings.allSatisfy { $0.hasPrefix("discriminator collapse") }, "\(warnings)")
        } else {
            #expect(warnings.isEmpty, "\(architecture) + \(loss): \(warnings)")
        }
    }
}
