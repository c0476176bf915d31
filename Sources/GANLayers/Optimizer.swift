import GANTensor

/// Updates a fixed list of parameters from their accumulated gradients.
///
/// The list is fixed at creation: the generator's optimizer cannot reach the discriminator's
/// parameters (the seed author's `var_list` bug cannot happen), and state is allocated once.
public protocol Optimizer: AnyObject {
    var parameters: [Parameter] { get }
    var learningRate: Float { get set }
    /// SGD's momentum; Adam ignores it.
    var momentum: Float { get set }
    /// Applies one update from the gradients currently accumulated.
    func step()
    /// Named state tensors (momentum, Adam moments) for checkpoints, parallel to `parameters`.
    var state: [String: [Tensor]] { get }
    var stepCount: Int { get set }
}

/// Which optimizer and its hyperparameters: a value stored in recipes and weight files.
public struct OptimizerConfiguration: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case sgd, adam }
    public var kind: Kind
    public var learningRate: Float
    /// SGD: momentum coefficient (0 = plain SGD).
    public var momentum: Float
    /// Adam: decay rates of the first and second moment estimates, and the denominator's epsilon.
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var schedule: Schedule
    /// L2 weight decay lambda on this network's kernels (see `WeightDecay`); 0 for none. Files
    /// and recipes written before it existed mean 0.
    public var weightDecay: Float

    public init(kind: Kind = .adam, learningRate: Float = 0.0002, momentum: Float = 0.5,
                beta1: Float = 0.5, beta2: Float = 0.999, epsilon: Float = 1e-8, schedule: Schedule = .init(),
                weightDecay: Float = 0) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule = schedule
        self.weightDecay = weightDecay
    }

    enum CodingKeys: String, CodingKey { case kind, learningRate, momentum, beta1, beta2, epsilon, schedule, weightDecay }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(Kind.self, forKey: .kind)
        learningRate = try container.decode(Float.self, forKey: .learningRate)
        momentum = try container.decode(Float.self, forKey: .momentum)
        beta1 = try container.decode(Float.self, forKey: .beta1)
        beta2 = try container.decode(Float.self, forKey: .beta2)
        epsilon = try container.decode(Float.self, forKey: .epsilon)
        schedule = try container.decode(Schedule.self, forKey: .schedule)
        weightDecay = try container.decodeIfPresent(Float.self, forKey: .weightDecay) ?? 0
    }

    /// The default settings of an optimizer kind: SGD with learning rate 0.1 and momentum 0.5
    /// (the paper's starting values), or Adam with 0.0002 and beta1 0.5 (DCGAN's).
    public static func defaults(for kind: Kind) -> OptimizerConfiguration {
        kind == .sgd ? OptimizerConfiguration(kind: .sgd, learningRate: 0.1, momentum: 0.5) : OptimizerConfiguration()
    }

    /// Sets `optimizer`'s learning rate and momentum for its next step, from the schedule.
    public func applySchedule(to optimizer: any Optimizer, epoch: Int) {
        optimizer.learningRate = schedule.learningRate(base: learningRate, step: optimizer.stepCount)
        optimizer.momentum = schedule.momentum(base: momentum, epoch: epoch)
    }

    public func make(for parameters: [Parameter]) -> any Optimizer {
        switch kind {
        case .sgd: return SGD(parameters: parameters, learningRate: learningRate, momentum: momentum,
                              weightDecay: weightDecay)
        case .adam: return Adam(parameters: parameters, learningRate: learningRate,
                                beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
        }
    }
}

/// SGD with classical momentum, as the paper's code: v <- momentum * v - lr * g; p <- p + v.
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public var momentum: Float
    public var stepCount = 0
    /// L2 weight decay lambda (see `WeightDecay`).
    public let weightDecay: Float
    private let velocities: [Tensor]

    public init(parameters: [Parameter], learningRate: Float, momentum: Float, weightDecay: Float = 0) {
        self.parameters = parameters.filter(\.trainable)
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        velocities = self.parameters.map { Tensor(shape: $0.shape) }
    }

    public var state: [String: [Tensor]] { ["velocity": velocities] }

    /// One pass over each parameter: the weight decay term (`WeightDecay`) is added to the
    /// gradient in a register, not stored back; the bits equal adding it first.
    public func step() {
        let momentum = momentum, learningRate = learningRate
        for (parameter, velocity) in zip(parameters, velocities) {
            let p = parameter.value.pointer, v = velocity.pointer, g = parameter.gradient.pointer
            let decay = WeightDecay.lambda(for: parameter, weightDecay)
            parallelFor(parameter.value.count, granularity: 16) { r in
                sgdMomentumStep(p + r.lowerBound, velocity: v + r.lowerBound, gradient: g + r.lowerBound, count: r.count,
                                momentum: momentum, learningRate: learningRate, decay: decay)
            }
        }
        stepCount += 1
    }
}

/// Adam (Kingma & Ba 2015) with bias-corrected moments.
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    public var momentum: Float = 0
    public var stepCount = 0
    /// L2 weight decay lambda (see `WeightDecay`): added to the gradient before the moments.
    public let weightDecay: Float
    private let firstMoments: [Tensor]
    private let secondMoments: [Tensor]

    public init(parameters: [Parameter], learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
                weightDecay: Float = 0) {
        self.parameters = parameters.filter(\.trainable)
        self.weightDecay = weightDecay
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoments = self.parameters.map { Tensor(shape: $0.shape) }
        secondMoments = self.parameters.map { Tensor(shape: $0.shape) }
    }

    public var state: [String: [Tensor]] { ["m": firstMoments, "v": secondMoments] }

    public func step() {
        stepCount += 1
        let t = Float(stepCount)
        let correction1 = 1 - powFloat(beta1, t), correction2 = 1 - powFloat(beta2, t)
        let stepSize = learningRate * correction2.squareRoot() / correction1
        let b1 = beta1, b2 = beta2, eps = epsilon * correction2.squareRoot()
        for (index, parameter) in parameters.enumerated() {
            let p = parameter.value.pointer, g = parameter.gradient.pointer
            let m = firstMoments[index].pointer, v = secondMoments[index].pointer
            let decay = WeightDecay.lambda(for: parameter, weightDecay)
            parallelFor(parameter.value.count, granularity: 16) { r in
                for i in r {
                    let gi = decay == 0 ? g[i] : g[i] + decay * p[i]  // the decayed gradient, in a register
                    m[i] = b1 * m[i] + (1 - b1) * gi
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                    p[i] -= stepSize * m[i] / (v[i].squareRoot() + eps)
                }
            }
        }
    }
}

/// SGD with classical momentum over one parameter, in one pass: with g' = g + decay * p,
/// v <- momentum * v - learningRate * g'; p <- p + v. (decay 0 skips the decay term.)
@inline(__always)
func sgdMomentumStep(_ p: UnsafeMutablePointer<Float>, velocity v: UnsafeMutablePointer<Float>,
                     gradient g: UnsafePointer<Float>, count: Int, momentum mu: Float, learningRate lr: Float,
                     decay: Float) {
    if decay == 0 {
        for i in 0..<count {
            v[i] = mu * v[i] - lr * g[i]
            p[i] += v[i]
        }
    } else {
        for i in 0..<count {
            v[i] = mu * v[i] - lr * (g[i] + decay * p[i])
            p[i] += v[i]
        }
    }
}
