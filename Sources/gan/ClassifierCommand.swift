import ArgumentParser
import Foundation
import GANData
import GANTensor
import GANZoo

struct ClassifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Train the MLP classifier whose features the Frechet distance uses, and record its test accuracy.")

    @Option(help: "Folder of MNIST-style IDX files. (default: the shipped MNIST subset)")
    var data: String?

    @Option(help: "Epochs of Adam.")
    var epochs = 30

    @Option(help: "Output file (HDF5). (default: models/mnist-classifier/classifier.h5 for the shipped subset; required with --data)")
    var out: String?

    func run() throws {
        guard let out = out ?? (data == nil ? Classifier.shippedPath : nil) else {
            throw CLIError("with --data, pass --out FILE (e.g. models/fashion-classifier/classifier.h5)")
        }
        try checkWritable(out, flag: "--out")
        BLASThreads.set(0)
        let folder = try DatasetFolder.resolve(data)
        let train = try folder.load(.train), test = try folder.load(.test)
        let classifier = Classifier(inputSize: train.sampleSize, classes: Int(train.labels.max() ?? 9) + 1)
        let start = Date()
        let loss = classifier.train(train, epochs: epochs)
        let accuracy = classifier.accuracy(test)
        try classifier.save(to: out, testAccuracy: accuracy, data: data.map { NamedDataset(rawValue: $0) != nil ? $0 : URL(fileURLWithPath: $0).standardized.path } ?? Classifier.shippedSubsetLabel)
        say(String(format: "classifier: final training loss %.4f, test accuracy %.2f%% on %d images, %.1f s; wrote %@",
                   loss, 100 * accuracy, test.count, Date().timeIntervalSince(start), out))
    }
}
