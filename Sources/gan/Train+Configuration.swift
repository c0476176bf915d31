import ArgumentParser
import Foundation
import GANCore
import GANData
import GANLayers
import GANZoo

extension Train {
    /// Defaults, then the recipe, then the flags that were given.
    func makeConfiguration() throws -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        var recipeSetsNoise = false
        if let recipe {
            let text = try TrainingConfiguration.recipeJSON(contentsOf: recipe)
            configuration = try TrainingConfiguration.recipe(json: text, source: recipe)
            do { try configuration.validate() } catch { throw CLIError("\(recipe): \(error)") }
            if case .object(let fields)? = try? JSONValue(parsing: text), case .object(let problem)? = fields["problem"] {
                recipeSetsNoise = problem["noise"] != nil
            }
        }
        if let arch { configuration.architecture = arch }
        if let archConfig { configuration.architectureConfiguration = try json(archConfig, flag: "--arch-config") }
        if let generator { configuration.generatorArchitecture = generator }
        if let generatorConfig { configuration.generatorConfiguration = try json(generatorConfig, flag: "--generator-config") }
        if let discriminator { configuration.discriminatorArchitecture = discriminator }
        if let discriminatorConfig { configuration.discriminatorConfiguration = try json(discriminatorConfig, flag: "--discriminator-config") }
        if let loss { configuration.loss = loss }
        if !digit.isEmpty { configuration.digits = digit }
        if let data { configuration.dataPath = data }
        if holdOutValidation { configuration.holdOutValidation = true }
        if let validationSplit { configuration.validationSplit = validationSplit }
        if let discriminatorObjective { configuration.discriminatorObjective = discriminatorObjective }
        if let epochs { configuration.epochs = epochs }
        if let batchSize { configuration.batchSize = batchSize }
        if let k { configuration.k = k }
        if let mode { configuration.mode = mode }
        if let latentSize { configuration.problem.latentSize = latentSize }
        if let seed { configuration.seed = seed }
        if let threads { configuration.threads = threads }
        try applyNoise(to: &configuration, recipeSetsNoise: recipeSetsNoise)
        configuration.generatorOptimizer = optimizerOverrides(configuration.generatorOptimizer)
        configuration.discriminatorOptimizer = optimizerOverrides(configuration.discriminatorOptimizer)
        return configuration
    }

    /// Flags win; else the recipe's noise; else the generator plugin's recommended prior.
    private func applyNoise(to configuration: inout TrainingConfiguration, recipeSetsNoise: Bool) throws {
        if noise == nil && noiseScale == nil && !recipeSetsNoise,
           let recommended = try Registry.architecture(named: configuration.generatorPlugin).recommendedNoise {
            configuration.problem.noise = recommended
        }
        if let noise { configuration.problem.noise.kind = noise }
        if let noiseScale { configuration.problem.noise.scale = noiseScale }
    }

    private func optimizerOverrides(_ base: OptimizerConfiguration) -> OptimizerConfiguration {
        var result = base
        if let optimizer, optimizer != base.kind {
            result.kind = optimizer
            result.learningRate = optimizer == .sgd ? 0.1 : 0.0002  // the kind's own default
        }
        if let learningRate { result.learningRate = learningRate }
        if let momentum { result.momentum = momentum }
        if let beta1 { result.beta1 = beta1 }
        if let learningRateDecay { result.schedule.learningRateDecay = learningRateDecay }
        if let minimumLearningRate { result.schedule.minimumLearningRate = minimumLearningRate }
        if let finalMomentum { result.schedule.finalMomentum = finalMomentum }
        if let momentumRampEnd { result.schedule.momentumRampEndEpoch = momentumRampEnd }
        return result
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
