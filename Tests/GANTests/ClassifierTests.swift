import Foundation
import GANData
import GANEvaluation
import GANImages
import GANStorage
import GANTensor
import GANZoo
import Testing

@Suite("Classifier")
struct ClassifierTests {
    static let mnistClassifier = Zoo.folder + "/mnist-classifier/classifier.h5"

    /// The shipped MNIST classifier: trained on the full MNIST training split, >= 99% on its test
    /// split as recorded in the file and on the card. Measured on the full MNIST when this
    /// checkout holds it (`gan data fetch mnist`), else on the shipped subset (MNIST training
    /// images, so the classifier has seen them: a weaker check).
    @Test func shippedMNISTClassifierReachesItsCardedAccuracy() throws {
        let (classifier, record) = try Classifier.load(Self.mnistClassifier)
        #expect(record.testAccuracy >= 0.99 && record.trainingImages == 60_000)
        let card = try String(contentsOfFile: Zoo.folder + "/mnist-classifier/README.md", encoding: .utf8)
        #expect(card.contains(String(format: "%.2f%%", 100 * record.testAccuracy)), "the card states the recorded accuracy")
        let full = Support.packageRoot + "/data/mnist"
        if FileManager.default.fileExists(atPath: full), let test = try? DatasetFolder(path: full).load(.test) {
            #expect(abs(classifier.accuracy(test) - record.testAccuracy) < 1e-9)
        } else {
            #expect(classifier.accuracy(try DatasetFolder.shippedSubset().load(.test)) >= 0.99)
        }
        #expect(try Classifier.shippedPath(forData: DatasetFolder.shippedSubset(), zooFolder: Zoo.folder) == Self.mnistClassifier)
    }

    @Test func saveAndLoadGiveTheSameFeatures() throws {
        var shape = Classifier.Shape()
        (shape.filters1, shape.filters2, shape.hidden, shape.classes) = (2, 3, 5, 4)
        let classifier = Classifier(shape: shape, seed: 9)
        let path = Support.temporaryFolder() + "/c.h5"
        let record = ClassifierRecord(testAccuracy: 0.5, data: "/somewhere", trainingImages: 7, epochs: 1, trainSeconds: 2)
        try classifier.save(to: path, record: record)
        let (loaded, loadedRecord) = try Classifier.load(path)
        var rng = RandomGenerator(seed: 4)
        var images = [Float](repeating: 0, count: 3 * 784)
        rng.fillUniform(&images, count: images.count, low: 0, high: 1)
        #expect(loaded.shape == shape && loadedRecord == record)
        #expect(loaded.features(images) == classifier.features(images) && loaded.features(images).count == 15)
        let root = try HDF5File.open(path).root
        #expect(try root.group("classifier").group("conv2d_0").stringAttribute("type") == "conv2d")
        #expect(try root.group("classifier").group("conv2d_0").readFloats("kernel").shape == [5, 5, 1, 2], "Keras's kernel layout")
    }

    /// The shipped classifier read by h5py and run by numpy (Tests/interop/check_classifier.py,
    /// a direct convolution, not im2col) gives Swift's features and logits: the file is
    /// readable outside Swift in Keras's layout.
    @Test func numpyReadsTheShippedClassifier() throws {
        let (classifier, _) = try Classifier.load(Self.mnistClassifier)
        let test = try DatasetFolder.shippedSubset().load(.test).subset(Array(0..<8))
        let network = classifier.network
        let logits = Array(UnsafeBufferPointer(start: network.forward(test.images, batchSize: 8, phase: .inference),
                                               count: 8 * classifier.classes))
        // The features numpy recomputes are the input of the last dense layer.
        let features = classifier.features(test.images)
        #expect(features == Array(UnsafeBufferPointer(start: network.output(ofLayer: network.layers.count - 2), count: features.count)))
        let folder = Support.temporaryFolder()
        let files = [("images", test.images, [8, 784]), ("features", features, [8, classifier.hiddenSize]),
                     ("logits", logits, [8, classifier.classes])]
        for (name, values, shape) in files {
            try Data(NPY.encode(values, shape: shape)).write(to: URL(fileURLWithPath: "\(folder)/\(name).npy"))
        }
        let python = try Support.run("/usr/bin/env", ["python3", Support.packageRoot + "/Tests/interop/check_classifier.py", Self.mnistClassifier]
                                     + ["images", "features", "logits"].map { "\(folder)/\($0).npy" })
        #expect(python.status == 0, "interop check failed (needs h5py and numpy):\n\(python.output)")
        #expect(python.stdout.contains("features: (8, 128)") && python.stdout.contains("logits: (8, 10)"), "\(python.output)")
    }

    @Test func sizesBeyondTheLimitsAreRefusedBeforeAnythingIsBuilt() throws {
        let path = Support.temporaryFolder() + "/c.h5"
        do {  // a hand-made header asking for a million filters, and no weights at all
            let root = try HDF5File.create(path).root
            try root.setAttribute("format", Classifier.format)
            try root.setAttribute("format_version", Classifier.formatVersion)
            for (name, value) in [("height", 28), ("width", 28), ("filters1", 1_000_000), ("filters2", 16), ("hidden_size", 128), ("classes", 10)] {
                try root.setAttribute(name, value)
            }
        }
        #expect { try Classifier.load(path) } throws: { "\($0)".contains("filters 1000000, 16 outside 1...256") }
    }

    @Test func softmaxCrossEntropyGradientMatchesFiniteDifferences() {
        var logits: [Float] = [0.3, -1.2, 2.0, 0.1, -0.4, 1.1, 0.0, 3.0]  // two rows of four classes
        let labels: [UInt8] = [2, 1]
        var gradient = [Float](repeating: 0, count: 8), scratch = [Float](repeating: 0, count: 8)
        _ = Classifier.softmaxCrossEntropy(logits: logits, labels: labels[...], classes: 4, gradient: &gradient)
        for index in 0..<8 {
            let original = logits[index]
            logits[index] = original + 1e-2
            let plus = Classifier.softmaxCrossEntropy(logits: logits, labels: labels[...], classes: 4, gradient: &scratch)
            logits[index] = original - 1e-2
            let minus = Classifier.softmaxCrossEntropy(logits: logits, labels: labels[...], classes: 4, gradient: &scratch)
            logits[index] = original
            #expect(abs((plus - minus) / 2e-2 - gradient[index]) < 1e-3, "logit \(index)")
        }
    }

    /// A few hundred steps on the subset already separate the digits far above chance.
    @Test func trainingLearns() throws {
        let train = try DatasetFolder.shippedSubset().load(.train), test = try DatasetFolder.shippedSubset().load(.test)
        var shape = Classifier.Shape()
        (shape.filters1, shape.filters2, shape.hidden) = (4, 8, 32)
        let classifier = Classifier(shape: shape)
        var settings = Classifier.TrainingSettings()
        settings.epochs = 1
        var losses: [Float] = []
        classifier.train(train, settings: settings) { losses.append($1) }
        #expect(losses.count == 1 && losses[0].isFinite)
        #expect(classifier.accuracy(test) > 0.8)
    }
}
