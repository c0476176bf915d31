import Foundation
import GANData
import GANLayers
import GANStorage
import GANTensor

/// A small MLP digit (or Fashion-MNIST) classifier: x -> Dense(256) -> ReLU -> Dense(10). Its
/// penultimate features (the ReLU layer) feed the Fréchet distance, and its predictions show
/// which classes a generator draws (a collapsed "every digit" model that only draws 1s).
public final class Classifier {
    public static let format = "gan-zoo-classifier"
    public let network: Network
    public let classes: Int
    public let hiddenSize: Int
    public let inputSize: Int

    public init(inputSize: Int, hiddenSize: Int = 256, classes: Int = 10, seed: UInt64 = 1) {
        var rng = RandomGenerator(seed: seed)
        let first = Dense(inputSize: inputSize, outputSize: hiddenSize), last = Dense(inputSize: hiddenSize, outputSize: classes)
        Initializer.heNormal.fill(first.kernel.value, fanIn: inputSize, fanOut: hiddenSize, rng: &rng)
        Initializer.glorotUniform.fill(last.kernel.value, fanIn: hiddenSize, fanOut: classes, rng: &rng)
        network = Network(layers: [first, ReLU(size: hiddenSize), last])
        self.classes = classes
        self.hiddenSize = hiddenSize
        self.inputSize = inputSize
    }

    /// Softmax cross-entropy of `logits` [rows, classes] against `labels`; writes
    /// d(mean loss)/d(logits) into `gradient` and returns the mean loss.
    public static func softmaxCrossEntropy(logits: UnsafePointer<Float>, labels: ArraySlice<UInt8>, classes: Int,
                                           gradient: UnsafeMutablePointer<Float>) -> Float {
        let rows = labels.count
        var total: Double = 0
        for (row, label) in labels.enumerated() {
            let z = logits + row * classes, g = gradient + row * classes
            var largest = z[0]
            for c in 1..<classes { largest = max(largest, z[c]) }
            var sum: Float = 0
            for c in 0..<classes { g[c] = expf(z[c] - largest); sum += g[c] }
            total += Double(logf(sum) + largest - z[Int(label)])
            for c in 0..<classes { g[c] = (g[c] / sum - (c == Int(label) ? 1 : 0)) / Float(rows) }
        }
        return Float(total / Double(rows))
    }

    /// Adam on shuffled minibatches; returns the last epoch's mean loss.
    @discardableResult
    public func train(_ data: Dataset, epochs: Int = 30, batchSize: Int = 50, learningRate: Float = 1e-3, seed: UInt64 = 2) -> Float {
        let optimizer = Adam(parameters: network.trainableParameters, learningRate: learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        var rng = RandomGenerator(seed: seed)
        var order = Array(0..<data.count)
        let batch = Tensor(shape: [batchSize, inputSize]), gradient = Tensor(shape: [batchSize, classes])
        var labels = [UInt8](repeating: 0, count: batchSize)
        var lastLoss: Float = 0
        for _ in 0..<epochs {
            rng.shuffle(&order)
            var sum: Float = 0, batches = 0
            var start = 0
            while start < data.count {
                let rows = min(batchSize, data.count - start)
                for row in 0..<rows {
                    let index = order[start + row]
                    for i in 0..<inputSize { batch[row * inputSize + i] = data.images[index * inputSize + i] }
                    labels[row] = data.labels[index]
                }
                let logits = network.forward(batch.pointer, batchSize: rows, phase: .training)
                sum += Self.softmaxCrossEntropy(logits: logits, labels: labels[0..<rows], classes: classes, gradient: gradient.pointer)
                network.zeroGradients()
                network.backward(gradient.pointer, needs: .parameters)
                optimizer.step()
                batches += 1
                start += rows
            }
            lastLoss = sum / Float(batches)
        }
        return lastLoss
    }

    /// Runs the network on [count, inputSize] images in chunks; `body` sees each chunk's
    /// hidden features [rows, hiddenSize] and logits [rows, classes].
    private func evaluate(_ images: [Float], _ body: (Int, Int, UnsafePointer<Float>, UnsafePointer<Float>) -> Void) {
        let count = images.count / inputSize
        images.withUnsafeBufferPointer { pixels in
            var start = 0
            while start < count {
                let rows = min(500, count - start)
                let logits = network.forward(pixels.baseAddress! + start * inputSize, batchSize: rows, phase: .inference)
                body(start, rows, network.output(ofLayer: 1), logits)
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

    public func save(to path: String, testAccuracy: Double, data: String) throws {
        try AtomicFile.write(to: path) { file in
            let root = try file.root
            try root.setAttribute("format", Self.format)
            try root.setAttribute("format_version", 1)
            try root.setAttribute("input_size", inputSize)
            try root.setAttribute("hidden_size", hiddenSize)
            try root.setAttribute("classes", classes)
            try root.setAttribute("test_accuracy", testAccuracy)
            try root.setAttribute("data", data)
            try ModelFile.writeNetwork(network, into: root.createGroup("classifier"))
        }
    }

    /// Loads a classifier file; `testAccuracy` is the accuracy recorded when it was trained.
    public static func load(_ path: String) throws -> (classifier: Classifier, testAccuracy: Double) {
        let root = try HDF5File.open(path).root
        guard (try? root.stringAttribute("format")) == format else {
            throw HDF5Error(file: path, object: "/", reason: "not a GAN Zoo classifier file (format is not '\(format)')")
        }
        let classifier = Classifier(inputSize: try root.intAttribute("input_size"), hiddenSize: try root.intAttribute("hidden_size"),
                                    classes: try root.intAttribute("classes"))
        try ModelFile.readNetwork(classifier.network, from: root.group("classifier"))
        return (classifier, try root.doubleAttribute("test_accuracy"))
    }

    /// The classifier shipped in models/mnist-classifier.
    public static var shippedPath: String { Zoo.folder + "/mnist-classifier/classifier.h5" }
}
