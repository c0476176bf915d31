import Foundation
import GANLogging
import GANCore
import GANData
import GANEvaluation
import GANImages
import GANStorage
import GANZoo
import Testing

/// The shipped zoo (models/): every model's files agree with each other and with its card.
@Suite("the model zoo")
struct ZooTests {
    static let required = ["mlp-digit4", "paper-mnist", "mlp-batchnorm", "fashion-mnist"]

    @Test func theZooHasTheIssuesModelsAndStaysInItsBudget() throws {
        let names = try Zoo.models().map(\.name)
        for name in Self.required { #expect(names.contains(name), "models/\(name) is missing (found \(names))") }
        var shipped = 0
        for folder in try FileManager.default.contentsOfDirectory(atPath: Zoo.folder) {
            for file in ["weights.h5", "classifier.h5"] {
                let path = Zoo.folder + "/" + folder + "/" + file
                if let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber { shipped += size.intValue }
            }
        }
        #expect(shipped <= Zoo.weightsBudgetBytes, "the zoo ships \(shipped) bytes of weights, over its budget")
    }

    /// Loads each shipped model, samples it, and checks it is the model its card and recipe claim:
    /// the same plugins, configurations, loss and parameter counts, the card's numbers rendered from
    /// metrics.json, and the card's sample grid redrawn bit for bit from the shipped weights.
    @Test(arguments: try Zoo.models().map(\.name))
    func everyModelLoadsSamplesAndMatchesItsCard(_ name: String) throws {
        let model = try Zoo.model(named: name)
        let recipe = try model.configuration()
        let metrics = try #require(try model.metrics(), "\(name): no metrics.json; run gan zoo train \(name) --publish")
        let card = try String(contentsOfFile: model.cardPath, encoding: .utf8)
        let recipeFile = URL(fileURLWithPath: model.recipePath).lastPathComponent
        // The history a shipped weights file keeps is drawn beside the card, and the card shows it.
        let history = model.hasWeights ? try ModelFile.load(model.weightsPath).history : []
        #expect(ZooCard.currentBlock(in: card) == ZooCard.block(metrics, configuration: recipe, recipeFile: recipeFile,
                                                                curves: !history.isEmpty),
                "\(name): the card's measured block differs from metrics.json (edited by hand? rerun gan zoo publish \(name))")
        if !history.isEmpty {
            #expect(history.count == metrics.epochs && history.map(\.epoch) == Array(1...metrics.epochs))
            #expect(try String(contentsOfFile: model.curvesPath, encoding: .utf8) == TrainingCurves(title: name, history: history).svg,
                    "\(name): curves.svg is not the drawing of weights.h5's history (rerun gan zoo measure \(name))")
        } else {
            #expect(!FileManager.default.fileExists(atPath: model.curvesPath), "\(name): curves.svg without a history to draw")
        }
        #expect(card.contains("## Known failure modes"), "\(name): the card lacks its failure modes")
        #expect(card.contains("| generator | `\(recipe.generatorPlugin)`") && card.contains("| discriminator | `\(recipe.discriminatorPlugin)`"))
        #expect(metrics.generatorArchitecture == recipe.generatorPlugin && metrics.discriminatorArchitecture == recipe.discriminatorPlugin)
        #expect(metrics.loss == recipe.loss && metrics.epochs == recipe.epochs && metrics.name == name)
        #expect(metrics.parzen.mean.isFinite && metrics.frechet.distance >= 0)

        guard model.hasWeights else {
            #expect(metrics.weightsBytes == nil, "\(name): metrics.json says weights ship, but weights.h5 is missing")
            return
        }
        let contents = try ModelFile.load(model.weightsPath)
        #expect(contents.configuration.loss == recipe.loss && contents.position.epoch == recipe.epochs)
        for (generator, plugin, loaded) in [(true, recipe.generatorPlugin, contents.model.generatorArchitecture),
                                            (false, recipe.discriminatorPlugin, contents.model.discriminatorArchitecture)] {
            let claimed = try Registry.architecture(named: plugin).make(configurationJSON: recipe.configurationJSON(generator: generator))
            #expect(loaded.name == claimed.name && loaded.configurationJSON == claimed.configurationJSON,
                    "\(name): the weights' \(generator ? "generator" : "discriminator") is \(loaded.name) \(loaded.configurationJSON)")
        }
        #expect(contents.model.generator.parameterCount == metrics.generatorParameters)
        #expect(contents.model.discriminator.parameterCount == metrics.discriminatorParameters)
        #expect(metrics.weightsBytes == model.weightsBytes)
        #expect(contents.discriminatorStored == (metrics.weightsIncludeDiscriminator ?? true))

        let (samples, columns) = contents.model.defaultGrid()  // a conditional model: one row of 8 per class
        #expect(samples.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
        // samples.png is what the shipped weights draw. Pixel for pixel on the machine that
        // published it; elsewhere a BLAS kernel that rounds differently may move a pixel that sat
        // on a rounding boundary by one grey level, and no more.
        let published = try PNG.decodeGray([UInt8](Data(contentsOf: URL(fileURLWithPath: model.samplesPath))))
        let drawn = samples.withUnsafeBufferPointer {
            ImageGrid(images: $0.baseAddress!, count: samples.count / 784, imageHeight: 28, imageWidth: 28, columns: columns)
        }
        #expect(published.width == drawn.width && published.height == drawn.height)
        let differences = zip(published.pixels, drawn.pixels).map { abs(Int($0) - Int($1)) }
        #expect(differences.max() ?? 0 <= 1 && differences.filter { $0 > 0 }.count <= 10,
                "\(name): samples.png is not what the shipped weights draw (\(differences.filter { $0 > 0 }.count) pixels differ)")
    }

    @Test func unknownZooModelsListTheKnownOnes() throws {
        #expect {
            try Zoo.model(named: "no-such-model")
        } throws: { error in
            let text = "\(error)"
            return text.contains("unknown zoo model 'no-such-model'") && Self.required.allSatisfy { text.contains($0) }
        }
    }

    @Test func theFashionClassifierReachesItsCardedAccuracy() throws {
        let data = "/usr/share/datasets/fashion-mnist"
        guard FileManager.default.fileExists(atPath: data) else {
            Issue.record("\(data) is missing: `make test` installs dataset-fashion-mnist")
            return
        }
        let path = try Classifier.shippedPath(forData: DatasetFolder(path: data), zooFolder: Zoo.folder)
        #expect(path.hasSuffix("models/fashion-classifier/classifier.h5"))
        let (classifier, record) = try Classifier.load(path)
        let carded = record.testAccuracy
        let accuracy = classifier.accuracy(try DatasetFolder(path: data).load(.test))
        #expect(abs(accuracy - carded) < 1e-9, "measured \(accuracy), carded \(carded)")
        #expect(accuracy >= 0.90 && record.trainingImages == 60_000)
        let card = try String(contentsOfFile: Zoo.folder + "/fashion-classifier/README.md", encoding: .utf8)
        #expect(card.contains(String(format: "%.2f%%", 100 * carded)), "the card does not state the measured accuracy")
    }
}

/// `gan zoo publish` on a throwaway zoo: what it writes, and what it refuses.
@Suite("zoo publishing")
struct ZooPublishingTests {
    static func tinyZoo() throws -> (model: ZooModel, trained: String, zoo: String) {
        let zoo = Support.temporaryFolder()
        try FileManager.default.createDirectory(atPath: zoo + "/tiny", withIntermediateDirectories: true)
        var configuration = Support.tinyConfiguration(epochs: 2)
        configuration.holdOutValidation = true
        try Data(ConfigurationCoding.encode(configuration, pretty: true).utf8).write(to: URL(fileURLWithPath: zoo + "/tiny/recipe.json"))
        let session = try TrainingSession(configuration: configuration)
        while !session.isFinished { _ = try session.step() }
        let trained = zoo + "/trained.h5"
        try session.save(to: trained)
        return (try #require(ZooModel(name: "tiny", folder: zoo + "/tiny")), trained, zoo)
    }

    @Test func publishMeasuresExportsAndKeepsTheProse() throws {
        let (model, trained, zoo) = try Self.tinyZoo()
        let prose = "# tiny\n\nA test model.\n\n\(ZooCard.begin)\nold numbers\n\(ZooCard.end)\n\n## Known failure modes\n\nNone known.\n"
        try Data(prose.utf8).write(to: URL(fileURLWithPath: model.cardPath))

        // Over budget: everything but the weights.
        let unshipped = try ZooPublisher.publish(model, trained: trained, zooFolder: zoo, budget: 1)
        #expect(unshipped.weightsBytes == nil && !model.hasWeights)
        #expect(try String(contentsOfFile: model.cardPath, encoding: .utf8).contains("not shipped"))
        #expect(!FileManager.default.fileExists(atPath: model.curvesPath), "no shipped weights, no history to draw on the card")

        let metrics = try ZooPublisher.publish(model, trained: trained, zooFolder: zoo)
        let stored = try model.metrics()
        #expect(model.hasWeights && stored == metrics)
        #expect(metrics.trainingImages == 333 && metrics.epochs == 2 && metrics.parzen.testImages == 100)
        #expect(!metrics.parzen.sigmaChosenOnTrainingImages, "the recipe holds the validation images out")
        #expect(metrics.frechet.classShares.count == 10 && metrics.frechet.classifier == "models/mnist-classifier/classifier.h5")
        let card = try String(contentsOfFile: model.cardPath, encoding: .utf8)
        #expect(card.hasPrefix("# tiny\n\nA test model.") && card.hasSuffix("## Known failure modes\n\nNone known.\n"))
        #expect(!card.contains("old numbers") && card.contains(String(format: "**%.1f ± %.1f**", metrics.parzen.mean, metrics.parzen.standardError)))
        for file in [model.samplesPath, model.nearestPath] { #expect(FileManager.default.fileExists(atPath: file)) }

        // The export holds the same networks, compressed, and no training state.
        let original = try ModelFile.load(trained), exported = try ModelFile.load(model.weightsPath)
        for (a, b) in zip(original.model.generator.namedParameters + original.model.discriminator.namedParameters,
                          exported.model.generator.namedParameters + exported.model.discriminator.namedParameters) {
            #expect(Array(a.parameter.value.buffer) == Array(b.parameter.value.buffer), "\(a.layer)/\(a.parameter.key)")
        }
        #expect(original.model.sample(count: 5, seed: 2).samples == exported.model.sample(count: 5, seed: 2).samples)
        #expect(throws: HDF5Error.self) { try TrainingSession.resume(from: model.weightsPath) }
        let root = try HDF5File.open(model.weightsPath).root
        #expect(!root.contains("optimizer") && !root.contains("state"))
        // It keeps the per-epoch history, which the card shows as curves.svg.
        #expect(root.contains("history") && exported.history == original.history && original.history.count == 2)
        #expect(try String(contentsOfFile: model.curvesPath, encoding: .utf8) == TrainingCurves(title: model.name, history: original.history).svg)
        #expect(try String(contentsOfFile: model.cardPath, encoding: .utf8).contains("![training curves](curves.svg)"))

        // Deflate shrinks the file; a budget between the two export sizes ships the generator alone.
        func size(_ path: String) throws -> Int { try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).intValue }
        let plain = zoo + "/plain.h5", generatorOnly = zoo + "/generator.h5"
        try ModelFile.exportWeights(original, to: plain, deflateLevel: 0)
        try ModelFile.exportWeights(original, to: generatorOnly, includeDiscriminator: false)
        #expect(try size(model.weightsPath) < size(plain) && size(generatorOnly) < size(model.weightsPath))
        let generatorMetrics = try ZooPublisher.publish(model, trained: trained, zooFolder: zoo, budget: size(generatorOnly))
        #expect(generatorMetrics.weightsIncludeDiscriminator == false)
        let loaded = try ModelFile.load(model.weightsPath)
        let exportedRoot = try HDF5File.open(model.weightsPath).root
        #expect(!loaded.discriminatorStored && !exportedRoot.contains("discriminator"))
        #expect(loaded.model.sample(count: 5, seed: 2).samples == original.model.sample(count: 5, seed: 2).samples)
        #expect(try String(contentsOfFile: model.cardPath, encoding: .utf8).contains("the generator alone"))
        #expect(try WeightsReport(path: model.weightsPath).text.contains("discriminator: not stored"))
    }

    @Test func publishRefusesAnotherRecipeOrAnUnfinishedRun() throws {
        let (model, trained, zoo) = try Self.tinyZoo()
        var other = try model.configuration()
        other.seed = 99
        let session = try TrainingSession(configuration: other)
        while !session.isFinished { _ = try session.step() }
        try session.save(to: zoo + "/other.h5")
        #expect {
            try ZooPublisher.publish(model, trained: zoo + "/other.h5", zooFolder: zoo)
        } throws: { "\($0)".contains("was not trained from") }

        var longer = try model.configuration()
        longer.epochs = 3
        try Data(ConfigurationCoding.encode(longer, pretty: true).utf8).write(to: URL(fileURLWithPath: model.recipePath))
        let resumed = try TrainingSession.resume(from: trained, epochs: 3)
        try resumed.save(to: zoo + "/partial.h5")
        #expect {
            try ZooPublisher.publish(model, trained: zoo + "/partial.h5", zooFolder: zoo)
        } throws: { "\($0)".contains("has trained 2 of 3 epochs") }
        #expect(!FileManager.default.fileExists(atPath: model.metricsPath) && !model.hasWeights, "a refused publish writes nothing")
    }
}

@Suite("held-out validation")
struct HoldOutTests {
    @Test func holdingOutTrainsWithoutTheImagesThatChooseSigma() throws {
        var configuration = TrainingConfiguration()
        configuration.digits = [4]
        let all = try TrainingSession.loadData(configuration)
        configuration.holdOutValidation = true
        let training = try TrainingSession.loadData(configuration)
        let validation = all.splitValidation().validation
        #expect(all.count == 400 && training.count == 333 && validation.count == 67)
        func rows(_ set: Dataset) -> Set<[Float]> {
            Set((0..<set.count).map { Array(set.images[($0 * set.sampleSize)..<(($0 + 1) * set.sampleSize)]) })
        }
        #expect(rows(training).isDisjoint(with: rows(validation)), "a held-out image is still trained on")
        #expect(rows(training).union(rows(validation)) == rows(all))
    }
}

@Suite("PNG decoding")
struct PNGDecodingTests {
    @Test func decodesWhatItEncodesAndRefusesDamage() throws {
        let pixels = (0..<(7 * 5)).map { UInt8(($0 * 37) % 256) }
        let png = PNG.encodeGray(pixels: pixels, width: 7, height: 5)
        let decoded = try PNG.decodeGray(png)
        #expect(decoded.pixels == pixels && decoded.width == 7 && decoded.height == 5)
        var damaged = png
        damaged[damaged.count - 20] ^= 0x01  // inside IDAT: its CRC no longer matches
        #expect(throws: PNG.DecodeError.self) { try PNG.decodeGray(damaged) }
        #expect(throws: PNG.DecodeError.self) { try PNG.decodeGray(Array(png.prefix(30))) }
    }
}
