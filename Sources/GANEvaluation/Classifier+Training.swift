import Foundation
import GANData
import GANLayers
import GANTensor

extension Classifier {
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

    /// How the classifier trains: Adam on shuffled minibatches, the learning rate multiplied by
    /// `decay` after every epoch.
    public struct TrainingSettings: Sendable {
        public var epochs = 8
        public var batchSize = 64
        public var learningRate: Float = 2e-3
        public var decay: Float = 0.6
        public var seed: UInt64 = 2
        public init() {}
    }

    /// One Adam step on `labels.count` images at `batch` ([rows, inputSize]); `gradient` holds
    /// at least [rows, classes]. Returns the batch's mean loss.
    public func step(_ batch: UnsafePointer<Float>, labels: ArraySlice<UInt8>, gradient: Tensor, optimizer: any Optimizer) -> Float {
        let logits = network.forward(batch, batchSize: labels.count, phase: .training)
        let loss = Self.softmaxCrossEntropy(logits: logits, labels: labels, classes: classes, gradient: gradient.pointer)
        network.zeroGradients()
        network.backward(gradient.pointer, needs: .parameters)
        optimizer.step()
        return loss
    }

    /// Trains on `data` (labels must be below `classes`); `epochDone(epoch, meanLoss)` reports
    /// progress. Returns the last epoch's mean loss.
    @discardableResult
    public func train(_ data: Dataset, settings: TrainingSettings = TrainingSettings(),
                      epochDone: (Int, Float) -> Void = { _, _ in }) -> Float {
        precondition(data.sampleSize == inputSize && data.labels.allSatisfy { Int($0) < classes }, "data does not fit the classifier")
        let optimizer = Adam(parameters: network.trainableParameters, learningRate: settings.learningRate,
                             beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        var rng = RandomGenerator(seed: settings.seed)
        var order = Array(0..<data.count)
        let batchSize = settings.batchSize
        let batch = Tensor(shape: [batchSize, inputSize]), gradient = Tensor(shape: [batchSize, classes])
        var labels = [UInt8](repeating: 0, count: batchSize)
        var lastLoss: Float = 0
        for epoch in 1...settings.epochs {
            rng.shuffle(&order)
            var sum: Float = 0, batches = 0, start = 0
            while start < data.count {
                let rows = min(batchSize, data.count - start)
                data.images.withUnsafeBufferPointer { pixels in
                    for row in 0..<rows {
                        let index = order[start + row]
                        (batch.pointer + row * inputSize).update(from: pixels.baseAddress! + index * inputSize, count: inputSize)
                        labels[row] = data.labels[index]
                    }
                }
                sum += step(batch.pointer, labels: labels[0..<rows], gradient: gradient, optimizer: optimizer)
                batches += 1
                start += rows
            }
            lastLoss = sum / Float(batches)
            epochDone(epoch, lastLoss)
            optimizer.learningRate *= settings.decay
        }
        return lastLoss
    }
}
