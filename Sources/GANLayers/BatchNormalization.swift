import GANTensor

/// Batch normalisation over the batch axis (Ioffe & Szegedy 2015), one feature per column.
///
/// Training: y = gamma * (x - mean_B) / sqrt(var_B + epsilon) + beta with the batch's mean and
/// (biased) variance. When the phase updates statistics, the running estimates move as Keras
/// moves them: `moving = momentum * moving + (1 - momentum) * batch`, where the batch variance is
/// the unbiased one (n / (n - 1)). Inference uses the running estimates. `gamma`, `beta` are
/// trained; `moving_mean`, `moving_variance` are stored but never touched by an optimizer.
///
/// `BatchNormalization2D` is the same layer over images: one feature per channel, its
/// statistics over the batch and every pixel.
public class BatchNormalization: Layer {
    public var kind: String { "batch_normalization" }
    /// Features normalised: the width of a row, or an image's channels.
    public let size: Int
    /// Rows of `size` values per sample: 1, or an image's pixels (height * width).
    let pixels: Int
    public let epsilon: Float
    public let momentum: Float
    public let gamma: Parameter
    public let beta: Parameter
    public let movingMean: Parameter
    public let movingVariance: Parameter
    private var normalized = Tensor(shape: [0])   // [capacity, size]: x-hat of the last pass
    private var inverseStd = Tensor(shape: [0])   // [size]: 1 / sqrt(var + epsilon) of the last pass
    private var mean = Tensor(shape: [0])         // [size]
    private let columnSums: Tensor                // [3, size]: the backward pass's sums and scales
    private var lastPhase = Phase.inference

    public convenience init(size: Int, epsilon: Float = 1e-3, momentum: Float = 0.99) {
        self.init(size: size, pixels: 1, epsilon: epsilon, momentum: momentum)
    }

    init(size: Int, pixels: Int, epsilon: Float, momentum: Float) {
        precondition(epsilon > 0 && momentum >= 0 && momentum < 1, "batch normalisation needs epsilon > 0 and 0 <= momentum < 1")
        self.size = size
        self.pixels = pixels
        self.epsilon = epsilon
        self.momentum = momentum
        gamma = Parameter(key: "gamma", shape: [size])
        beta = Parameter(key: "beta", shape: [size])
        movingMean = Parameter(key: "moving_mean", shape: [size], trainable: false)
        movingVariance = Parameter(key: "moving_variance", shape: [size], trainable: false)
        gamma.value.fill(1)
        movingVariance.value.fill(1)
        inverseStd = Tensor(shape: [size])
        mean = Tensor(shape: [size])
        columnSums = Tensor(shape: [3, size])
    }

    public var inputSize: Int { size * pixels }
    public var outputSize: Int { size * pixels }
    public var parameters: [Parameter] { [gamma, beta, movingMean, movingVariance] }
    public var attributes: [String: Double] { ["epsilon": Double(epsilon), "momentum": Double(momentum)] }
    public var dependsOnBatch: Bool { true }
    public var workspacePerRow: Int { inputSize }

    public func reserve(batchCapacity: Int) {
        if normalized.count < batchCapacity * inputSize { normalized = Tensor(shape: [batchCapacity * pixels, size]) }
    }

    public func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                        batchSize: Int, phase: Phase) {
        reserve(batchCapacity: batchSize)
        lastPhase = phase
        let n = batchSize * pixels, d = size
        let mu = mean.pointer, inv = inverseStd.pointer, xhat = normalized.pointer
        let g = gamma.value.pointer, b = beta.value.pointer
        if phase.isTraining {
            // Column sums split by blocks of columns, each adding its rows in order: the bits of
            // one thread on any number.
            mu.update(repeating: 0, count: d)
            addColumnSums(of: input, rows: n, columns: d, to: mu)
            for j in 0..<d { mu[j] /= Float(n) }
            inv.update(repeating: 0, count: d)  // holds the variance until inverted
            parallelFor(d, granularity: 16, cost: n) { columns in
                for row in 0..<n {
                    let x = input + row * d
                    for j in columns { let c = x[j] - mu[j]; inv[j] += c * c }
                }
            }
            if phase.updatesStatistics {
                let mm = movingMean.value.pointer, mv = movingVariance.value.pointer
                let unbiased = n > 1 ? 1 / Float(n - 1) : 1 / Float(n)
                for j in 0..<d {
                    mm[j] = momentum * mm[j] + (1 - momentum) * mu[j]
                    mv[j] = momentum * mv[j] + (1 - momentum) * inv[j] * unbiased
                }
            }
            for j in 0..<d { inv[j] = 1 / (inv[j] / Float(n) + epsilon).squareRoot() }
        } else {
            mu.update(from: movingMean.value.pointer, count: d)
            let mv = movingVariance.value.pointer
            for j in 0..<d { inv[j] = 1 / (mv[j] + epsilon).squareRoot() }
        }
        let (mean, inverse) = (UnsafePointer(mu), UnsafePointer(inv))
        parallelFor(n, cost: d) { rows in
            for row in rows {
                let x = input + row * d, normal = xhat + row * d, y = output + row * d
                for j in 0..<d {
                    normal[j] = (x[j] - mean[j]) * inverse[j]
                    y[j] = g[j] * normal[j] + b[j]
                }
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                         batchSize: Int, needs: Gradients) {
        let n = batchSize * pixels, d = size
        let xhat = normalized.pointer, inv = inverseStd.pointer, g = gamma.value.pointer
        // sum(dy) and sum(dy * xhat) per column serve both the parameters' gradients and, in
        // training, the input's: one pass over the batch computes them. The sums are split by
        // blocks of columns, each adding rows 0, 1, ... in order (vectorised along the row), so
        // the bits are those of a column-by-column loop on any number of threads.
        let sumDy = columnSums.pointer, sumDyXhat = columnSums.pointer + d, scale = columnSums.pointer + 2 * d
        let training = lastPhase.isTraining
        if needs.contains(.parameters) || (needs.contains(.input) && training) {
            columnSums.zero()
            parallelFor(d, granularity: 16, cost: 2 * n) { columns in
                for row in 0..<n {
                    let dy = outputGradient + row * d, x = UnsafePointer(xhat + row * d)
                    for j in columns {
                        sumDy[j] += dy[j]
                        sumDyXhat[j] += dy[j] * x[j]
                    }
                }
            }
        }
        if needs.contains(.parameters) {
            let dg = gamma.gradient.pointer, db = beta.gradient.pointer
            for j in 0..<d {
                dg[j] += sumDyXhat[j]
                db[j] += sumDy[j]
            }
        }
        guard needs.contains(.input) else { return }
        guard training else {
            parallelFor(n, cost: d) { rows in
                for row in rows {
                    let dy = outputGradient + row * d, dx = inputGradient + row * d
                    for j in 0..<d { dx[j] = dy[j] * g[j] * inv[j] }
                }
            }
            return
        }
        // dx = gamma * inv / n * (n * dy - sum(dy) - xhat * sum(dy * xhat)), per column.
        for j in 0..<d { scale[j] = g[j] * inv[j] / Float(n) }
        let (a, c, s) = (UnsafePointer(sumDy), UnsafePointer(sumDyXhat), UnsafePointer(scale))
        parallelFor(n, cost: d) { rows in
            for row in rows {
                let dy = outputGradient + row * d, x = UnsafePointer(xhat + row * d), dx = inputGradient + row * d
                for j in 0..<d { dx[j] = s[j] * (Float(n) * dy[j] - a[j] - x[j] * c[j]) }
            }
        }
    }
}

/// Batch normalisation of channels-last images (Keras `BatchNormalization(axis=-1)` after a
/// convolution, PyTorch `BatchNorm2d`): one gamma, beta and pair of running statistics per
/// channel, the batch statistics over every pixel of every image in the batch (n = batch *
/// height * width, the running variance unbiased with n / (n - 1)), with the running-statistics
/// policy of `BatchNormalization`.
public final class BatchNormalization2D: BatchNormalization {
    public let shape: ImageShape

    public init(shape: ImageShape, epsilon: Float = 1e-3, momentum: Float = 0.99) {
        self.shape = shape
        super.init(size: shape.channels, pixels: shape.height * shape.width, epsilon: epsilon, momentum: momentum)
    }

    public override var kind: String { "batch_normalization2d" }
    public override var attributes: [String: Double] {
        super.attributes.merging(["height": Double(shape.height), "width": Double(shape.width),
                                  "channels": Double(shape.channels)]) { $1 }
    }
}
