import Foundation

/// The datasets `--data` and recipes may name instead of a folder.
public enum NamedDataset: String, CaseIterable, Sendable {
    /// The original 60,000 + 10,000 MNIST images, fetched into `data/mnist` by `gan data fetch mnist`.
    case mnist
    /// 5,000 real MNIST digits shipped in the repository (`data/mnist-subset`).
    case mnistSubset = "mnist-subset"
    /// Debian's `dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist).
    case fashionMNIST = "fashion-mnist"

    public static let fashionFolder = "/usr/share/datasets/fashion-mnist"

    public var summary: String {
        switch self {
        case .mnist: return "MNIST, 60,000 training and 10,000 test images (fetched, verified by SHA-256)"
        case .mnistSubset: return "5,000 MNIST training images, 400 + 100 per digit (shipped; the default)"
        case .fashionMNIST: return "Fashion-MNIST, 60,000 + 10,000 (Debian's dataset-fashion-mnist)"
        }
    }

    /// The one command that gets this set onto the machine.
    public var fetchCommand: String { "gan data fetch \(rawValue)" }

    /// Where the set lives on this machine (it may not be there yet).
    public var folder: String {
        switch self {
        case .mnist: return (DatasetFolder.dataRoot as NSString).appendingPathComponent("mnist")
        case .mnistSubset: return (try? DatasetFolder.shippedSubset().path)
            ?? (DatasetFolder.dataRoot as NSString).appendingPathComponent("mnist-subset")
        case .fashionMNIST: return Self.fashionFolder
        }
    }

    public var isPresent: Bool { (try? DatasetFolder(path: folder))?.holdsAllFourFiles ?? false }
}

extension DatasetFolder {
    /// The folder that holds the named sets: `GAN_ZOO_DATA_ROOT` when set, else the `data/`
    /// folder of the checkout this binary was built from, else ./data.
    public static var dataRoot: String {
        if let override = ProcessInfo.processInfo.environment["GAN_ZOO_DATA_ROOT"] { return override }
        let fromSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../data").standardized.path
        if FileManager.default.fileExists(atPath: fromSource) { return fromSource }
        return FileManager.default.currentDirectoryPath + "/data"
    }

    /// A dataset name (`mnist`, `mnist-subset`, `fashion-mnist`) or a folder path; nil for the
    /// shipped subset. A name that is not on this machine says the command that gets it.
    public static func resolve(_ nameOrPath: String?) throws(DataError) -> DatasetFolder {
        guard let nameOrPath else { return try shippedSubset() }
        guard let named = NamedDataset(rawValue: nameOrPath) else {
            do { return try DatasetFolder(path: nameOrPath) } catch {
                guard !nameOrPath.contains("/") else { throw error }
                throw .empty(reason: "--data \(nameOrPath): neither a dataset name (known: "
                             + NamedDataset.allCases.map(\.rawValue).joined(separator: ", ") + ") nor a folder")
            }
        }
        if named == .mnistSubset { return try shippedSubset() }
        guard named.isPresent else {
            throw .empty(reason: "the dataset '\(named.rawValue)' is not on this machine (looked in \(named.folder)); "
                         + "get it with: \(named.fetchCommand)")
        }
        return try DatasetFolder(path: named.folder)
    }

    /// True when the folder holds all four IDX files under one of the accepted names (their
    /// contents are checked when they are read, and by `gan data fetch`).
    var holdsAllFourFiles: Bool {
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
            .allSatisfy { (try? locate($0)) != nil }
    }
}
