import Foundation
import GANEvaluation

/// The measured part of a model card: rendered from `metrics.json` between two markers in the
/// card's README.md, so the numbers on a card are never typed by hand. The prose around the
/// block (what the model is, its failure modes) is written by people.
public enum ZooCard {
    public static let begin = "<!-- measured: written by `gan zoo publish` from metrics.json; do not edit by hand -->"
    public static let end = "<!-- /measured -->"

    /// `curves`: the shipped weights hold the per-epoch history, drawn as `curves.svg`.
    public static func block(_ metrics: ZooMetrics, configuration: TrainingConfiguration, recipeFile: String,
                             curves: Bool = false) -> String {
        let m = metrics
        let labels = m.labels.map { "labels " + $0.map(String.init).joined(separator: ", ") } ?? "all labels"
        let data = m.data == Classifier.shippedSubsetLabel ? "the shipped MNIST subset (`data/mnist-subset`)" : "`\(m.data)`"
        let heldRows = configuration.validationSplit == .lastRows
            ? "the last sixth of the training images (MNIST's train[50000:60000], as the paper)" : "the last sixth of each label's training images"
        let held = configuration.holdOutValidation ? "; \(heldRows) held out to choose sigma" : ""
        let shares = m.frechet.classShares.enumerated().filter { $0.element >= 0.005 }
            .sorted { $0.element > $1.element }
            .map { String(format: "%d: %.1f%%", $0.offset, 100 * $0.element) }.joined(separator: ", ")
        let weights = m.weightsBytes.map {
            String(format: "`weights.h5`, %.1f MB: %@, no training state, shuffle + deflate (`gan sample --model %@`)",
                   Double($0) / 1_048_576, m.weightsIncludeDiscriminator == false
                       ? "the generator alone (both networks would exceed the zoo's weights budget)" : "both networks",
                   m.name)
        } ?? "not shipped (over the zoo's weights budget): reproduce them with the command below"
        let trainingLine = String(format: "%d epochs of batch %d (%@ steps, %@ updates, k %d) in %@ on %@ with %d BLAS thread%@",
                                  m.epochs, configuration.batchSize, grouped(m.steps), configuration.mode.rawValue, configuration.k,
                                  duration(m.trainSeconds), m.machine, m.threads, m.threads == 1 ? "" : "s")
        let f = m.finalEpoch
        let lines = [
            begin,
            "| | |",
            "|---|---|",
            "| generator | `\(m.generatorArchitecture)`, \(grouped(m.generatorParameters)) parameters |",
            "| discriminator | `\(m.discriminatorArchitecture)`, \(grouped(m.discriminatorParameters)) parameters |",
            "| loss | `\(m.loss)` |",
            "| data | \(data), \(labels): \(grouped(m.trainingImages)) training images\(held) |",
            "| training | \(trainingLine) |",
            String(format: "| final epoch | D loss %.3f, G loss %.3f, D(x) %.3f, D(G(z)) %.3f |",
                   f.discriminatorLoss, f.generatorLoss, f.realScore, f.fakeScore),
            String(format: "| Parzen log-likelihood | **%.1f ± %.1f** (sigma %.3f; %@ test images, %@ samples) |",
                   m.parzen.mean, m.parzen.standardError, m.parzen.sigma, grouped(m.parzen.testImages), grouped(m.parzen.samples)),
        ] + parzenContext(m.parzen) + featureLines(m.frechet) + [
            "| generated classes | \(shares) |",
        ] + conditionalLines(m.frechet) + [
            "| weights | \(weights) |",
            "| measured | \(m.date), \(m.createdBy) |",
            "",
            "Reproduce from [`\(recipeFile)`](\(recipeFile)):",
            "",
            "    gan zoo train \(m.name)      # writes out/zoo/\(m.name).h5 (a full checkpoint)",
            "    gan zoo publish \(m.name)    # measures it, exports weights.h5, redraws the grids, rewrites this block",
            "    gan zoo measure \(m.name)    # measures the shipped weights again (weights and grids untouched), rewrites this block",
            "",
            m.frechet.conditionalAccuracy == nil ? "Samples (seed 0) and, for 16 of them, the nearest training image beside each:"
                : "Samples (seed 0), one row of 8 per class asked for, and, for 16 samples, the nearest training image beside each:",
            "",
            "![samples](samples.png) ![nearest training images](nearest.png)",
        ] + (curves ? ["", "Training curves, per epoch, from the history kept in `weights.h5` (`gan plot weights.h5`):", "",
                        "![training curves](curves.svg)"] : []) + [
            end,
        ]
        return lines.joined(separator: "\n")
    }

    /// A conditional model's agreement with the requested class, overall and per class.
    static func conditionalLines(_ frechet: FrechetResult) -> [String] {
        guard let accuracy = frechet.conditionalAccuracy else { return [] }
        let perClass = (frechet.perClass ?? []).map {
            String(format: "%@: %.1f%%", $0.name, 100 * $0.accuracy) + ($0.distance.map { String(format: " (Fréchet %.1f)", $0) } ?? "")
        }.joined(separator: ", ")
        return [String(format: "| conditional accuracy | **%.2f%%** (the classifier agrees with the class asked for; %@ samples) |",
                       100 * accuracy, grouped(frechet.samples)),
                "| per class asked for | \(perClass) |"]
    }

    /// The reference lines and nearest-neighbour distances beside the Parzen figure.
    static func parzenContext(_ parzen: ParzenResult) -> [String] {
        var lines: [String] = []
        if let references = parzen.references, !references.isEmpty {
            lines.append("| Parzen, real images as centres | " + references.map {
                String(format: "%@ (%@): %.1f ± %.1f", $0.centres, grouped($0.count), $0.mean, $0.standardError)
            }.joined(separator: "; ") + " |")
        }
        if let n = parzen.nearestTraining {
            lines.append(String(format: "| distance to the nearest training image | samples: mean %.2f, median %.2f; test images: mean %.2f, median %.2f (%@ of each, %@ training images) |",
                                n.samplesMean, n.samplesMedian, n.testMean, n.testMedian, grouped(n.samples), grouped(n.trainingImages)))
        }
        return lines
    }

    /// The Fréchet distance, KID and precision/recall rows.
    static func featureLines(_ f: FrechetResult) -> [String] {
        var lines = [String(format: "| Fréchet distance | **%.2f** (features of `%@`, %.2f%% test accuracy; %@ test images, %@ samples) |",
                            f.distance, relative(f.classifier), 100 * f.classifierTestAccuracy, grouped(f.testImages), grouped(f.samples))]
        if let kid = f.kid {
            lines.append(String(format: "| KID | **%.4f ± %.4f** (same features; %d subsets of %@) |",
                                kid.mean, kid.standardDeviation, kid.subsets, grouped(kid.subsetSize)))
        }
        if let pr = f.precisionRecall {
            lines.append(String(format: "| precision / recall | **%.3f / %.3f** (same features; k = %d, %@ of each) |",
                                pr.precision, pr.recall, pr.k, grouped(pr.count)))
        }
        if let real = f.heldOutImages {
            lines.append(String(format: "| the same, real held-out images for samples | Fréchet %.2f, KID %.4f ± %.4f, precision / recall %.3f / %.3f (%@ images) |",
                                real.distance, real.kid.mean, real.kid.standardDeviation, real.precisionRecall.precision,
                                real.precisionRecall.recall, grouped(real.images)))
        }
        return lines
    }

    /// The card with its measured block replaced (or, for a new card, a skeleton around it).
    public static func updated(card: String?, name: String, block: String) throws -> String {
        guard let card else {
            return "# \(name)\n\nWhat it is: (describe the model).\n\n\(block)\n\n## Known failure modes\n\n(describe them)\n"
        }
        guard let range = blockRange(in: card) else {
            throw TrainingError.invalidConfiguration("the card has no measured block (a line \(begin) ... \(end)); add the two markers")
        }
        return card.replacingCharacters(in: range, with: block)
    }

    /// The measured block currently in `card`, markers included.
    public static func currentBlock(in card: String) -> String? {
        blockRange(in: card).map { String(card[$0]) }
    }

    /// From the start of the begin marker to the end of the end marker.
    private static func blockRange(in card: String) -> Range<String.Index>? {
        guard let start = card.range(of: begin), let stop = card.range(of: end), start.upperBound <= stop.lowerBound else { return nil }
        return start.lowerBound..<stop.upperBound
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result += "," }
            result.append(character)
        }
        return result
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 120 ? String(format: "%.1f s", seconds) : String(format: "%.1f min", seconds / 60)
    }

    /// A path shown relative to the repository (models/...), when it lies inside it.
    static func relative(_ path: String) -> String {
        let root = URL(fileURLWithPath: Zoo.folder).deletingLastPathComponent().standardized.path + "/"
        let full = URL(fileURLWithPath: path).standardized.path
        return full.hasPrefix(root) ? String(full.dropFirst(root.count)) : path
    }
}
