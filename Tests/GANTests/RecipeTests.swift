import Foundation
import GANCore
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
