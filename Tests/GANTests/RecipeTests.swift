import Foundation
import GANCore
import GANData
import GANLayers
import GANZoo
import Testing

@Suite("Recipes and schedules")
struct RecipeTests {
    @Test func paperScheduleDecaysPerStepAndRampsMomentumPerEpoch() {
        let schedule = Schedule.paper
        #expect(schedule.learningRate(base: 0.1, step: 0) == 0.1)
        #expect(abs(schedule.learningRate(base: 0.1, step: 100_000) - Float(0.1 / pow(1.000004, 100_000))) < 1e-7)
        #expect(schedule.learningRate(base: 0.1, step: 10_000_000) == 1e-6, "the floor holds")
        #expect(schedule.momentum(base: 0.5, epoch: 1) == 0.5)
        #expect(abs(schedule.momentum(base: 0.5, epoch: 125) - (0.5 + 0.2 * 124 / 249)) < 1e-6)
        #expect(schedule.momentum(base: 0.5, epoch: 250) == 0.7 && schedule.momentum(base: 0.5, epoch: 900) == 0.7)
        #expect(Schedule().learningRate(base: 0.3, step: 12345) == 0.3 && Schedule().momentum(base: 0.4, epoch: 99) == 0.4)
    }

    @Test func partialRecipesMergeOverDefaults() throws {
        let recipe = try TrainingConfiguration.recipe(json: """
            {"architecture": "maxout-dropout", "batchSize": 100,
             "architectureConfiguration": {"discriminatorPieces": 3},
             "generatorOptimizer": {"schedule": {"learningRateDecay": 1.000004, "finalMomentum": 0.7}},
             "problem": {"noise": {"kind": "normal", "scale": 2}}}
            """, source: "r.json")
        #expect(recipe.architecture == "maxout-dropout" && recipe.batchSize == 100)
        #expect(recipe.epochs == TrainingConfiguration().epochs, "unset fields keep their defaults")
        #expect(recipe.generatorOptimizer.learningRate == 0.1 && recipe.generatorOptimizer.schedule.finalMomentum == 0.7)
        #expect(recipe.generatorOptimizer.schedule.momentumRampEndEpoch == 250)
        #expect(recipe.problem.noise == NoisePrior(kind: .normal, scale: 2) && recipe.problem.latentSize == 100)
        #expect(recipe.configurationJSON(generator: true) == #"{"discriminatorPieces":3}"#)
        for bad in [#"{"epoch": 3}"#, #"{"problem": {"latent": 3}}"#, #"{"batchSize": "large"}"#, "[1, 2]", "{"] {
            #expect(throws: TrainingError.self, "\(bad) should be rejected") {
                try TrainingConfiguration.recipe(json: bad, source: "r.json")
            }
        }
        do {
            _ = try TrainingConfiguration.recipe(json: #"{"epoch": 3}"#, source: "r.json")
        } catch {
            #expect("\(error)".contains("r.json: unknown field(s) epoch"), "\(error)")
        }
    }

    @Test func yamlRecipesReadLikeJSON() throws {
        let folder = Support.temporaryFolder()
        let yaml = """
            # the paper's setup
            architecture: maxout-dropout
            mode: simultaneous
            batchSize: 100
            problem:
              noise: {kind: uniform, scale: 1.7320508}
            generatorOptimizer: &sgd
              kind: sgd
              learningRate: 0.1
              schedule: {learningRateDecay: 1.000004, minimumLearningRate: 1.0e-6, finalMomentum: 0.7}
            discriminatorOptimizer: *sgd
            """
        try yaml.write(toFile: folder + "/paper.yml", atomically: true, encoding: .utf8)
        let fromYAML = try TrainingConfiguration.recipe(contentsOf: folder + "/paper.yml")
        let fromJSON = try TrainingConfiguration.recipe(contentsOf: Support.packageRoot + "/models/paper-mnist/recipe.json")
        #expect(fromYAML.discriminatorOptimizer == fromJSON.discriminatorOptimizer)
        #expect(fromYAML.problem == fromJSON.problem && fromYAML.mode == .simultaneous && fromYAML.batchSize == 100)
        try "architecture: [unclosed".write(toFile: folder + "/bad.yaml", atomically: true, encoding: .utf8)
        #expect { try TrainingConfiguration.recipe(contentsOf: folder + "/bad.yaml") } throws: { "\($0)".contains("not valid YAML") }
        try "epochz: 3".write(toFile: folder + "/typo.yaml", atomically: true, encoding: .utf8)
        #expect { try TrainingConfiguration.recipe(contentsOf: folder + "/typo.yaml") } throws: { "\($0)".contains("unknown field(s) epochz") }
    }

    /// Mixing plugins: a batch-norm generator against the paper's maxout discriminator trains,
    /// saves both sides' plugins and configurations, and loads back.
    @Test func mixedPluginsTrainSaveAndLoad() throws {
        var configuration = Support.tinyConfiguration()
        configuration.generatorArchitecture = "mlp-batchnorm"
        configuration.generatorConfiguration = try JSONValue(parsing: #"{"generatorHiddenSizes":[16]}"#)
        configuration.discriminatorArchitecture = "maxout-dropout"
        configuration.discriminatorConfiguration = try JSONValue(parsing: #"{"discriminatorUnits":[8],"discriminatorPieces":2}"#)
        let session = try TrainingSession(configuration: configuration)
        try session.trainEpoch()
        #expect(session.model.architectureName == "mlp-batchnorm+maxout-dropout")
        #expect(session.model.generator.layers.contains { $0 is BatchNormalization })
        #expect(session.model.discriminator.layers.contains { $0 is Maxout })
        let path = Support.temporaryFolder() + "/mixed.h5"
        try session.save(to: path)
        let loaded = try ModelFile.load(path)
        #expect(loaded.model.architectureName == "mlp-batchnorm+maxout-dropout")
        #expect(loaded.model.sample(count: 3, seed: 2).samples == session.model.sample(count: 3, seed: 2).samples)
    }
}

@Suite("Collapse warnings")
struct CollapseMonitorTests {
    static let data = Dataset(images: (0..<400).map { Float(($0 * 7919) % 101) / 100 }, labels: [UInt8](repeating: 0, count: 100),
                              sampleShape: [2, 2])

    static func samples(spread: Float) -> [Float] {
        (0..<256).map { 0.5 + spread * (Float(($0 * 37) % 17) / 16 - 0.5) }  // 64 samples of 4 pixels
    }

    static func summary(_ epoch: Int, real: Float = 0.7, fake: Float = 0.3) -> EpochSummary {
        EpochSummary(epoch: epoch, discriminatorLoss: 1, generatorLoss: 1, realScore: real, fakeScore: fake,
                     samplesPerSecond: 1, seconds: 1)
    }

    @Test func aNarrowStartIsNotCollapseButAFallIs() {
        var monitor = CollapseMonitor(data: Self.data)
        var warnings: [String] = []
        for epoch in 1...8 { warnings += monitor.check(Self.summary(epoch), samples: Self.samples(spread: 0.01)) }
        #expect(warnings.isEmpty, "a generator still at the mean image is not collapsing: \(warnings)")
        for epoch in 9...10 { warnings += monitor.check(Self.summary(epoch), samples: Self.samples(spread: 1)) }
        for epoch in 11...15 { warnings += monitor.check(Self.summary(epoch), samples: Self.samples(spread: 0.02)) }
        #expect(warnings.count == 1 && warnings[0].contains("possible mode collapse"), "\(warnings)")
    }

    @Test func discriminatorCollapseAfterThreeEpochs() {
        var monitor = CollapseMonitor(data: Self.data)
        var warnings: [String] = []
        for epoch in 1...2 { warnings += monitor.check(Self.summary(epoch, real: 0.995, fake: 0.005), samples: Self.samples(spread: 1)) }
        #expect(warnings.isEmpty)
        warnings += monitor.check(Self.summary(3, real: 0.995, fake: 0.005), samples: Self.samples(spread: 1))
        #expect(warnings.count == 1 && warnings[0].contains("discriminator collapse"))
    }
}
