import Foundation
import GANCore
import GANEvaluation

extension ZooPublisher {
    /// `gan evaluate`'s two measurements of a zoo model (Parzen with its reference lines and
    /// nearest-neighbour distances; the Fréchet distance, KID and precision/recall in the
    /// classifier's features), with the paths a card shows.
    static func measure(_ contents: ModelFile.Contents, name: String, data: String?,
                        say: (String) -> Void) throws -> (ParzenResult, FrechetResult) {
        let evaluation = try Evaluation(contents)
        say("measuring the Parzen log-likelihood on \(evaluation.test.count) test images, with its reference lines")
        var parzen = try evaluation.parzen()
        say(String(format: "parzen %.1f +/- %.1f (sigma %.3f); measuring the scores in classifier features",
                   parzen.mean, parzen.standardError, parzen.sigma))
        var frechet = try evaluation.frechet()
        say(String(format: "frechet %.2f, KID %.4f, precision %.3f, recall %.3f", frechet.distance, frechet.kid?.mean ?? .nan,
                   frechet.precisionRecall?.precision ?? .nan, frechet.precisionRecall?.recall ?? .nan))
        parzen.weights = "\(name)/weights.h5"
        frechet.weights = parzen.weights
        frechet.classifier = ZooCard.relative(frechet.classifier)
        parzen.data = data ?? Classifier.shippedSubsetLabel
        return (parzen, frechet)
    }

    /// `gan zoo measure`: measures a published model again from its shipped weights, without
    /// retraining, and rewrites `metrics.json`'s measurements and the card's block. The weights,
    /// the grids and the training facts stay as they are.
    @discardableResult
    public static func remeasure(_ model: ZooModel, say: (String) -> Void = { _ in }) throws -> ZooMetrics {
        guard var metrics = try model.metrics() else {
            throw TrainingError.invalidConfiguration("\(model.name) has no metrics.json yet: publish it first (gan zoo publish \(model.name))")
        }
        guard model.hasWeights else {
            throw TrainingError.invalidConfiguration("\(model.name) ships no weights.h5 to measure; reproduce and publish it: "
                                                     + "gan zoo train \(model.name) --publish")
        }
        let recipe = try model.configuration()
        let contents = try ModelFile.load(model.weightsPath)
        var stored = contents.configuration
        var wanted = ModelFile.completed(recipe, generator: contents.model.generatorArchitecture,
                                         discriminator: contents.model.discriminatorArchitecture)
        stored.threads = 0
        wanted.threads = 0
        guard stored == wanted else {
            throw TrainingError.invalidConfiguration("\(model.weightsPath) was not trained from \(model.recipePath) (its stored recipe differs)")
        }
        (metrics.parzen, metrics.frechet) = try measure(contents, name: model.name, data: recipe.dataPath, say: say)
        metrics.createdBy = "gan-zoo \(GANZooVersion.string)"
        metrics.date = ISO8601DateFormatter().string(from: Date()).prefix(10).description
        let card = FileManager.default.contents(atPath: model.cardPath).map { String(decoding: $0, as: UTF8.self) }
        let block = ZooCard.block(metrics, configuration: recipe, recipeFile: URL(fileURLWithPath: model.recipePath).lastPathComponent,
                                  curves: !contents.history.isEmpty)
        let newCard = try ZooCard.updated(card: card, name: model.name, block: block)
        try writeCurves(model, history: contents.history)
        try writeAtomically(Array(ConfigurationCoding.encode(metrics, pretty: true).utf8) + [10], to: model.metricsPath)
        try writeAtomically(Array(newCard.utf8), to: model.cardPath)
        return metrics
    }
}
