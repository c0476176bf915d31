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
            // Each size may be in range while the network they make together is not (512 x 512
            // images with 256 filters and 4,096 hidden units is 16.6G parameters): its parameters
            // and per-image buffers are computed from the sizes alone, before anything is built.
            for (name, count) in layerParameters where count > Self.maximumLayerParameters {
                return "the \(name) layer would hold \(count) parameters, more than \(Self.maximumLayerParameters) (the limit per layer)"
            }
            let total = layerParameters.reduce(0) { $0 + $1.count }
            if total > Self.maximumParameters {
                return "the network would hold \(total) parameters, more than \(Self.maximumParameters) (the limit per classifier)"
            }
            if valuesPerImage > Self.maximumValuesPerImage {
                return "the network would need \(valuesPerImage) buffer values per image, more than \(Self.maximumValuesPerImage) (the limit)"
            }
            return nil
        }

        /// Limits on the network the sizes make: 2^24 parameters in one layer, 2^25 in all
        /// (128 MiB of float32; the default 28 x 28 classifier holds about 117,000), and 2^20 buffer
        /// values per image (4 MiB; evaluation runs 250 images at once, so 1 GiB; the default
        /// needs about 194,000).
        public static let maximumLayerParameters = 1 << 24, maximumParameters = 1 << 25, maximumValuesPerImage = 1 << 20

        /// Sides after conv 5x5 (pad 2), pool 2, conv 5x5, pool 2.
        private var pooledSides: (first: (Int, Int), second: (Int, Int)) {
            let first = (height / 2, width / 2)
            return (first, (max(first.0 - 4, 0) / 2, max(first.1 - 4, 0) / 2))
        }

        /// Each layer's parameters (kernel and bias), computed from the sizes (valid ranges only).
        var layerParameters: [(name: String, count: Int)] {
            let flat = pooledSides.second.0 * pooledSides.second.1 * filters2
            return [("first convolution", 25 * filters1 + filters1), ("second convolution", 25 * filters1 * filters2 + filters2),
                    ("hidden dense", flat * hidden + hidden), ("output dense", hidden * classes + classes)]
        }

        /// Float buffers per image: each layer's output and input gradient, and each
        /// convolution's im2col columns and their gradient.
        var valuesPerImage: Int {
            let (p1, p2) = pooledSides
            let conv1 = height * width * filters1, pool1 = p1.0 * p1.1 * filters1
            let conv2Pixels = max(p1.0 - 4, 0) * max(p1.1 - 4, 0)
            let conv2 = conv2Pixels * filters2, pool2 = p2.0 * p2.1 * filters2
            let columns = height * width * 25 + conv2Pixels * 25 * filters1
            let activations = height * width + 2 * conv1 + pool1 + 2 * conv2 + 2 * pool2 + 2 * hidden + classes
            return 2 * (columns + activations)
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
