import ArgumentParser
import Foundation
import GANCore
import GANData
import GANEvaluation
import GANTensor
import GANZoo

struct ClassifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Train the LeNet-style classifier whose features the Frechet distance, KID and precision/recall use.",
        discussion: """
            Trains on the whole training split of --data and records the test accuracy, the data, the \
            epochs and the wall time in the file. The zoo ships one for MNIST (models/mnist-classifier) \
            and one for Fashion-MNIST (models/fashion-classifier).
            """)

    @Option(help: "A dataset name (mnist, fashion-mnist) or a folder of MNIST-style IDX files.")
    var data: String

    @Option(help: "Epochs of Adam.")
    var epochs = 8

    @Option(help: "Filters of the two convolutions and units of the feature layer, e.g. 16,32,128.")
    var sizes = "16,32,128"

    @Option(help: "BLAS threads (0 = all cores).")
    var threads = 0

    @Option(help: "Output file (HDF5), e.g. models/mnist-classifier/classifier.h5.")
    var out: String

    /// The data as the file records it: a dataset name as given, a folder relative to the
    /// checkout when inside it (`data/mnist`), so a shipped classifier names no one's home folder.
    static func recorded(_ data: String) -> String {
        if NamedDataset(rawValue: data) != nil { return data }
        let full = URL(fileURLWithPath: data).standardized.path
        let root = URL(fileURLWithPath: Zoo.folder).deletingLastPathComponent().standardized.path + "/"
        return full.hasPrefix(root) ? String(full.dropFirst(root.count)) : full
    }

    func validate() throws {
        guard (1...100).contains(epochs) else { throw ValidationError("--epochs must be in 1...100") }
        try checkRange(threads, 0...Limits.maximumThreads, flag: "--threads")
    }

    func run() throws {
        try checkWritable(out, flag: "--out")
        BLASThreads.set(threads)
        let folder = try DatasetFolder.resolve(data)
        let train = try folder.load(.train), test = try folder.load(.test)
        guard train.sampleShape.count == 2 else { throw CLIError("\(data): images of shape \(train.sampleShape) are not 2-dimensional") }
        var shape = Classifier.Shape()
        let numbers = sizes.split(separator: ",").compactMap { Int($0) }
        guard numbers.count == 3 else { throw CLIError("--sizes takes three integers, e.g. 8,16,128; got '\(sizes)'") }
        (shape.height, shape.width) = (train.sampleShape[0], train.sampleShape[1])
        (shape.filters1, shape.filters2, shape.hidden) = (numbers[0], numbers[1], numbers[2])
        shape.classes = Int(max(train.labels.max() ?? 1, test.labels.max() ?? 1)) + 1
        if let problem = shape.problem { throw CLIError("classifier sizes: \(problem)") }
        let classifier = Classifier(shape: shape)
        var settings = Classifier.TrainingSettings()
        settings.epochs = epochs
        let start = Date()
        let loss = classifier.train(train, settings: settings) { epoch, loss in
            say(String(format: "epoch %d: mean loss %.4f (%.0f s)", epoch, loss, Date().timeIntervalSince(start)))
        }
        let seconds = Date().timeIntervalSince(start)
        let accuracy = classifier.accuracy(test)
        let record = ClassifierRecord(testAccuracy: accuracy, data: Self.recorded(data),
                                      trainingImages: train.count, epochs: epochs, trainSeconds: seconds)
        try classifier.save(to: out, record: record)
        say(String(format: "classifier: final training loss %.4f, test accuracy %.2f%% on %d images, trained in %.1f s; wrote %@",
                   loss, 100 * accuracy, test.count, seconds, out))
    }
}
