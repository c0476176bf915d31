import Foundation
import GANTensor

/// Images scaled to [0, 1] with their labels, as float rows [count, height * width].
public struct Dataset: Sendable {
    public let images: [Float]
    public let labels: [UInt8]
    public let count: Int
    /// Shape of one image, e.g. [28, 28].
    public let sampleShape: [Int]
    public var sampleSize: Int { sampleShape.reduce(1, *) }

    public init(images: [Float], labels: [UInt8], sampleShape: [Int]) {
        precondition(images.count == labels.count * sampleShape.reduce(1, *), "images and labels disagree")
        self.images = images
        self.labels = labels
        count = labels.count
        self.sampleShape = sampleShape
    }

    /// Pairs an images file [n, h, w] with a labels file [n].
    public init(images: IDXArray, labels: IDXArray, imagesPath: String, labelsPath: String) throws(DataError) {
        guard images.shape.count == 3 else {
            throw .corrupt(path: imagesPath, reason: "expected a 3-dimensional image array, found shape \(images.shape)")
        }
        guard labels.shape.count == 1 else {
            throw .corrupt(path: labelsPath, reason: "expected a 1-dimensional label array, found shape \(labels.shape)")
        }
        guard images.shape[0] == labels.shape[0] else {
            throw .mismatch(reason: "\(imagesPath) holds \(images.shape[0]) images but \(labelsPath) holds \(labels.shape[0]) labels")
        }
        self.init(images: images.bytes.map { Float($0) / 255 }, labels: labels.bytes,
                  sampleShape: Array(images.shape.dropFirst()))
    }

    /// The rows whose label is in `keep`; an error when none match.
    public func filtered(labels keep: Set<UInt8>, source: String) throws(DataError) -> Dataset {
        let rows = (0..<count).filter { keep.contains(labels[$0]) }
        guard !rows.isEmpty else {
            let present = Set(labels).sorted().map(String.init).joined(separator: ", ")
            throw .empty(reason: "\(source): no image has label \(keep.sorted().map(String.init).joined(separator: ", ")) (labels present: \(present))")
        }
        return subset(rows)
    }

    public func subset(_ rows: [Int]) -> Dataset {
        let size = sampleSize
        var pixels = [Float](repeating: 0, count: rows.count * size)
        for (target, row) in rows.enumerated() {
            for i in 0..<size { pixels[target * size + i] = images[row * size + i] }
        }
        return Dataset(images: pixels, labels: rows.map { labels[$0] }, sampleShape: sampleShape)
    }

    /// FNV-1a over the labels and the pixels' bits: a checkpoint records it, so a run resumed on
    /// other data is refused instead of silently drifting.
    public var fingerprint: UInt64 {
        var hash = FNV1a()
        for label in labels { hash.add(UInt64(label)) }
        images.withUnsafeBufferPointer { hash.add($0) }
        return hash.value
    }

    /// Splits off a validation set, keeping order. `.lastRows`: the last sixth of the rows, as
    /// the paper held out MNIST's train[50000:60000]. `.perLabel`: the last sixth of each label's
    /// rows, so a set sorted by digit, like the shipped subset, still validates on every digit.
    public func splitValidation(_ split: ValidationSplit = .perLabel) -> (training: Dataset, validation: Dataset) {
        let fraction = 1.0 / 6
        var training: [Int] = [], validation: [Int] = []
        switch split {
        case .lastRows:
            let held = Int((Double(count) * fraction).rounded())
            training = Array(0..<(count - held))
            validation = Array((count - held)..<count)
        case .perLabel:
            for label in Set(labels).sorted() {
                let rows = (0..<count).filter { labels[$0] == label }
                let held = Int((Double(rows.count) * fraction).rounded())
                training += rows.dropLast(held)
                validation += rows.suffix(held)
            }
        }
        return (subset(training.sorted()), subset(validation.sorted()))
    }

    /// Per-pixel mean of the images.
    public var pixelMean: [Float] {
        var mean = [Float](repeating: 0, count: sampleSize)
        for row in 0..<count {
            for i in 0..<sampleSize { mean[i] += images[row * sampleSize + i] }
        }
        return mean.map { $0 / Float(Swift.max(count, 1)) }
    }
}

/// Which training images are held out as the validation set (on which the Parzen width is chosen).
public enum ValidationSplit: String, Codable, Sendable, CaseIterable {
    /// The last sixth of each label's images (the shipped subset is sorted by digit).
    case perLabel = "per-label"
    /// The last sixth of the rows: MNIST's train[50000:60000], as the paper held out.
    case lastRows = "last-rows"
}

/// A folder of the four standard MNIST IDX files, gzip or not (MNIST, Fashion-MNIST, ...).
public struct DatasetFolder: Sendable {
    public enum Split: String, Sendable { case train, test }
    public let path: String

    public init(path: String) throws(DataError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .unreadable(path: path) }
        guard isDirectory.boolValue else {
            throw .corrupt(path: path, reason: "a file, not a folder of MNIST-style IDX files (or a dataset name: gan data list)")
        }
        self.path = path
    }

    /// The repository's shipped MNIST subset (data/mnist-subset): `GAN_ZOO_DATA` when set,
    /// else the checkout this binary was built from, else ./data/mnist-subset.
    public static func shippedSubset() throws(DataError) -> DatasetFolder {
        let fromSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../data/mnist-subset").standardized.path
        var candidates = [fromSource, FileManager.default.currentDirectoryPath + "/data/mnist-subset"]
        if let override = ProcessInfo.processInfo.environment["GAN_ZOO_DATA"] { candidates.insert(override, at: 0) }
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate) {
            return try DatasetFolder(path: candidate)
        }
        throw .empty(reason: "the shipped MNIST subset was not found (looked in \(candidates.joined(separator: ", "))); pass --data DIR")
    }

    public func load(_ split: Split) throws(DataError) -> Dataset {
        let prefix = split == .train ? "train" : "t10k"
        let imagesPath = try locate("\(prefix)-images-idx3-ubyte")
        let labelsPath = try locate("\(prefix)-labels-idx1-ubyte")
        return try Dataset(images: IDXArray(contentsOf: imagesPath), labels: IDXArray(contentsOf: labelsPath),
                           imagesPath: imagesPath, labelsPath: labelsPath)
    }

    func locate(_ name: String) throws(DataError) -> String {
        for candidate in [name, name + ".gz", name.replacingOccurrences(of: "-idx", with: ".idx")] {
            let full = (path as NSString).appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: full) { return full }
        }
        throw .missing(folder: path, file: name)
    }
}
