import Foundation
import GANStorage

/// What a classifier file records beside its weights.
public struct ClassifierRecord: Sendable, Equatable {
    /// Accuracy on the test split of the data it was trained on.
    public var testAccuracy: Double
    /// The folder (or name) of the data it was trained on.
    public var data: String
    public var trainingImages: Int
    public var epochs: Int
    public var trainSeconds: Double
    public init(testAccuracy: Double, data: String, trainingImages: Int, epochs: Int, trainSeconds: Double) {
        self.testAccuracy = testAccuracy
        self.data = data
        self.trainingImages = trainingImages
        self.epochs = epochs
        self.trainSeconds = trainSeconds
    }
}

extension Classifier {
    public func save(to path: String, record: ClassifierRecord) throws {
        try AtomicFile.write(to: path) { file in
            let root = try file.root
            try root.setAttribute("format", Self.format)
            try root.setAttribute("format_version", Self.formatVersion)
            for (name, value) in [("height", shape.height), ("width", shape.width), ("filters1", shape.filters1),
                                  ("filters2", shape.filters2), ("hidden_size", shape.hidden), ("classes", shape.classes),
                                  ("training_images", record.trainingImages), ("epochs", record.epochs)] {
                try root.setAttribute(name, value)
            }
            try root.setAttribute("test_accuracy", record.testAccuracy)
            try root.setAttribute("train_seconds", record.trainSeconds)
            try root.setAttribute("data", record.data)
            try root.createGroup("classifier").write(network: network)
        }
    }

    /// Loads a classifier file, checking its sizes against `Shape`'s limits before building it.
    public static func load(_ path: String) throws -> (classifier: Classifier, record: ClassifierRecord) {
        let root = try HDF5File.open(path).root
        func fail(_ reason: String) -> HDF5Error { HDF5Error(file: path, object: "/", reason: reason) }
        guard (try? root.stringAttribute("format")) == format else {
            throw fail("not a GAN Zoo classifier file (format is not '\(format)')")
        }
        let version = try root.intAttribute("format_version")
        guard version == formatVersion else {
            throw fail("classifier format version \(version); this build reads version \(formatVersion) (retrain it with `gan classifier`)")
        }
        var shape = Shape()
        shape.height = try root.intAttribute("height")
        shape.width = try root.intAttribute("width")
        shape.filters1 = try root.intAttribute("filters1")
        shape.filters2 = try root.intAttribute("filters2")
        shape.hidden = try root.intAttribute("hidden_size")
        shape.classes = try root.intAttribute("classes")
        if let problem = shape.problem { throw fail(problem) }
        let classifier = Classifier(shape: shape)
        try root.group("classifier").read(into: classifier.network)
        let record = ClassifierRecord(testAccuracy: try root.doubleAttribute("test_accuracy"), data: try root.stringAttribute("data"),
                                      trainingImages: try root.intAttribute("training_images"), epochs: try root.intAttribute("epochs"),
                                      trainSeconds: try root.doubleAttribute("train_seconds"))
        return (classifier, record)
    }
}
