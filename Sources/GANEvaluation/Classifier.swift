import Foundation
import GANData
import GANLayers
import GANStorage
import GANTensor

/// A LeNet-style image classifier (LeCun et al. 1998, with ReLU and max pooling):
///
///     image HxWx1 -> conv 5x5 (pad 2) x f1 -> ReLU -> max pool 2 -> conv 5x5 x f2 -> ReLU -> max pool 2
///                 -> flatten -> dense(hidden) -> ReLU -> dense(classes)
///
/// Its penultimate features (the `hidden` ReLU outputs) feed the Fréchet distance, KID and
/// precision/recall; its predictions show which classes a generator draws.
public final class Classifier {
    public static let format = "gan-zoo-classifier"
    public static let formatVersion = 2

    /// The architecture's sizes, stored as root attributes of a classifier file.
    public struct Shape: Equatable, Sendable {
        public var height = 28, width = 28
        public var filters1 = 16, filters2 = 32
        public var hidden = 128, classes = 10
        public init() {}

        /// Limits on sizes read from files or flags, checked before anything is allocated.
        public static let maximumSide = 512, maximumFilters = 256, maximumHidden = 4096, maximumClasses = 1000

        /// Nil when the sizes are valid, else what is wrong.
        public var problem: String? {
            if height < 12 || width < 12 || height > Self.maximumSide || width > Self.maximumSide {
                return "image side \(height)x\(width) outside 12...\(Self.maximumSide)"
            }
            if !(1...Self.maximumFilters).contains(filters1) || !(1...Self.maximumFilters).contains(filters2) {
                return "filters \(filters1), \(filters2) outside 1...\(Self.maximumFilters)"
            }
            if !(1...Self.maximumHidden).contains(hidden) { return "hidden size \(hidden) outside 1...\(Self.maximumHidden)" }
            if !(2...Self.maximumClasses).contains(classes) { return "\(classes) classes outside 2...\(Self.maximumClasses)" }
            return nil
        }
    }

    public let shape: Shape
    public let network: Network
    public var classes: Int { shape.classes }
    public var hiddenSize: Int { shape.hidden }
    public var inputSize: Int { shape.height * shape.width }
    /// Index of the layer whose output is the penultimate features.
    let featureLayer: Int

    /// `shape` must be valid (`shape.problem == nil`).
    public init(shape: Shape = Shape(), seed: UInt64 = 1) {
        precondition(shape.problem == nil, shape.problem ?? "")
        self.shape = shape
        var rng = RandomGenerator(seed: seed)
        let image = ImageShape(height: shape.height, width: shape.width, channels: 1)
        let conv1 = Conv2D(input: image, filters: shape.filters1, window: Window(size: 5, padding: 2))
        let pool1 = MaxPooling2D(input: conv1.outputShape, window: Window(size: 2, stride: 2))
        let conv2 = Conv2D(input: pool1.outputShape, filters: shape.filters2, window: Window(size: 5))
        let pool2 = MaxPooling2D(input: conv2.outputShape, window: Window(size: 2, stride: 2))
        let hidden = Dense(inputSize: pool2.outputSize, outputSize: shape.hidden)
        let last = Dense(inputSize: shape.hidden, outputSize: shape.classes)
        Initializer.heNormal.fill(conv1.kernel.value, fanIn: 25, fanOut: shape.filters1, rng: &rng)
        Initializer.heNormal.fill(conv2.kernel.value, fanIn: 25 * shape.filters1, fanOut: shape.filters2, rng: &rng)
        Initializer.heNormal.fill(hidden.kernel.value, fanIn: pool2.outputSize, fanOut: shape.hidden, rng: &rng)
        Initializer.glorotUniform.fill(last.kernel.value, fanIn: shape.hidden, fanOut: shape.classes, rng: &rng)
        let layers: [any Layer] = [conv1, ReLU(size: conv1.outputSize), pool1, conv2, ReLU(size: conv2.outputSize), pool2,
                                   Flatten(input: pool2.outputShape), hidden, ReLU(size: shape.hidden), last]
        network = Network(layers: layers)
        featureLayer = layers.count - 2
    }

    /// Runs the network on [count, inputSize] images in chunks; `body` sees each chunk's
    /// features [rows, hiddenSize] and logits [rows, classes].
    private func evaluate(_ images: [Float], _ body: (Int, Int, UnsafePointer<Float>, UnsafePointer<Float>) -> Void) {
        let count = images.count / inputSize
        images.withUnsafeBufferPointer { pixels in
            var start = 0
            while start < count {
                let rows = min(250, count - start)
                let logits = network.forward(pixels.baseAddress! + start * inputSize, batchSize: rows, phase: .inference)
                body(start, rows, network.output(ofLayer: featureLayer), logits)
                start += rows
            }
        }
    }

    /// Penultimate features [count, hiddenSize].
    public func features(_ images: [Float]) -> [Float] {
        var result = [Float](repeating: 0, count: images.count / inputSize * hiddenSize)
        evaluate(images) { start, rows, hidden, _ in
            for i in 0..<(rows * hiddenSize) { result[start * hiddenSize + i] = hidden[i] }
        }
        return result
    }

    public func predict(_ images: [Float]) -> [Int] {
        var result = [Int](repeating: 0, count: images.count / inputSize)
        evaluate(images) { start, rows, _, logits in
            for row in 0..<rows {
                var best = 0
                for c in 1..<classes where logits[row * classes + c] > logits[row * classes + best] { best = c }
                result[start + row] = best
            }
        }
        return result
    }

    public func accuracy(_ data: Dataset) -> Double {
        let predictions = predict(data.images)
        return Double(zip(predictions, data.labels).filter { $0 == Int($1) }.count) / Double(data.count)
    }
}
