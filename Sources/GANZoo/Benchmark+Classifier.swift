import Foundation
import GANEvaluation
import GANLayers
import GANTensor

extension Benchmark {
    /// Training speed of the evaluation's LeNet classifier (the zoo's first convolutional
    /// network), against this machine's sgemm on the same products: what im2col, col2im, pooling
    /// and the activations cost on top of the matrix products.
    public struct ClassifierResult: Codable, Sendable {
        public var batchSize: Int
        public var threads: Int
        /// Median over the repeats; one step = forward, backward and an Adam update on a batch.
        public var stepsPerSecond: Double
        public var stepRuns: [Double]
        public var gflopPerStep: Double
        public var achievedGFLOPS: Double
        /// The step's products timed alone in sgemm: the speed if everything else were free.
        public var blasLimitStepsPerSecond: Double
        public var fractionOfBLASLimit: Double
    }

    public func runClassifier(shape: Classifier.Shape = Classifier.Shape(), batchSize: Int, threads: Int) -> ClassifierResult {
        BLASThreads.set(threads)
        let classifier = Classifier(shape: shape)
        let optimizer = Adam(parameters: classifier.network.trainableParameters, learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        let batch = Tensor(shape: [batchSize, classifier.inputSize]), gradient = Tensor(shape: [batchSize, shape.classes])
        var rng = RandomGenerator(seed: 3)
        rng.fillUniform(batch.pointer, count: batch.count, low: 0, high: 1)
        let labels = (0..<batchSize).map { UInt8($0 % shape.classes) }[...]
        func step() { _ = classifier.step(batch.pointer, labels: labels, gradient: gradient, optimizer: optimizer) }

        for _ in 0..<3 { step() }  // warm up, size buffers
        gemmRecorder = []
        step()
        let shapes = gemmRecorder ?? []
        gemmRecorder = nil
        let flops = shapes.reduce(0) { $0 + $1.flops }
        let blasSeconds = shapes.reduce(0.0) { $0 + Self.sgemmSeconds($1) }
        let runs = (0..<repeats).map { _ in timedRate(step) }
        let rate = Self.median(runs)
        return ClassifierResult(batchSize: batchSize, threads: threads, stepsPerSecond: rate, stepRuns: runs,
                                gflopPerStep: flops / 1e9, achievedGFLOPS: rate * flops / 1e9,
                                blasLimitStepsPerSecond: 1 / blasSeconds, fractionOfBLASLimit: rate * blasSeconds)
    }
}
