import Foundation
import GANData
import GANStorage

extension Classifier {
    /// The `data` attribute of classifiers and zoo metrics for the shipped subset.
    public static let shippedSubsetLabel = "shipped MNIST subset"

    /// The dataset family a folder holds, which picks the zoo classifier that measures it:
    /// "fashion-mnist" when its path names Fashion-MNIST, else "mnist" when it names MNIST or is
    /// the shipped subset (a subset of MNIST's training images); nil when the path says neither.
    public static func family(of folder: DatasetFolder) -> String? {
        let path = URL(fileURLWithPath: folder.path).standardized.path
        if let subset = try? DatasetFolder.shippedSubset(), URL(fileURLWithPath: subset.path).standardized.path == path { return "mnist" }
        return familyName(path)
    }

    /// The zoo's classifier for `folder`'s data: the classifier file under `zooFolder` whose
    /// `data` attribute names that folder, else one trained on data of the same family
    /// (MNIST's classifier serves the full MNIST and the shipped subset alike).
    public static func shippedPath(forData folder: DatasetFolder, zooFolder: String) throws -> String {
        let wanted = URL(fileURLWithPath: folder.path).standardized.path
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: zooFolder)) ?? []).sorted()
        var found: [(path: String, data: String)] = []
        for name in names {
            let path = zooFolder + "/" + name + "/classifier.h5"
            guard FileManager.default.fileExists(atPath: path), let root = try? HDF5File.open(path).root,
                  let data = try? root.stringAttribute("data") else { continue }
            if URL(fileURLWithPath: resolve(data, zooFolder: zooFolder)).standardized.path == wanted { return path }
            found.append((path, data))
        }
        let family = family(of: folder)
        if let family, let match = found.first(where: { familyName($0.data) == family }) {
            return match.path
        }
        let list = found.isEmpty ? "none" : found.map { "\($0.path) (\($0.data))" }.joined(separator: ", ")
        throw EvaluationError("no zoo classifier measures \(folder.path) (found: \(list)); train one with "
                              + "`gan classifier --data \(folder.path) --out FILE` and pass --classifier FILE")
    }

    /// The family a classifier's `data` attribute (a folder, a name, or the subset's label) names.
    static func familyName(_ data: String) -> String? {
        let lowered = data.lowercased()
        return lowered.contains("fashion") ? "fashion-mnist" : lowered.contains("mnist") ? "mnist" : nil
    }

    /// The `data` attribute: a dataset name, a folder path (relative ones are inside the
    /// checkout that holds `zooFolder`), or the shipped subset's label.
    static func resolve(_ data: String, zooFolder: String) -> String {
        if data == shippedSubsetLabel || NamedDataset(rawValue: data) != nil {
            return (try? DatasetFolder.resolve(data == shippedSubsetLabel ? nil : data))?.path ?? data
        }
        return data.hasPrefix("/") ? data : URL(fileURLWithPath: zooFolder).deletingLastPathComponent().appendingPathComponent(data).path
    }
}
