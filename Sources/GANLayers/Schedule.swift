/// How an optimizer's learning rate and momentum change during training, as values (the
/// paper's schedule is `Schedule.paper`), so a recipe holds them and the loop stays plain.
///
/// - learning rate at optimizer step t (from 0): `max(base / learningRateDecay^t, minimumLearningRate)`
/// - momentum in epoch e (from 1): ramps linearly from the base momentum to `finalMomentum`
///   between `momentumRampStartEpoch` and `momentumRampEndEpoch`, then stays there.
public struct Schedule: Codable, Sendable, Equatable {
    /// Divisor applied once per optimizer step (1 = constant learning rate). A Double: in
    /// float32 the paper's 1.000004 rounds to 1.0000039, 0.5% off after 100,000 steps.
    public var learningRateDecay: Double = 1
    public var minimumLearningRate: Float = 0
    /// Momentum reached at the end of the ramp; nil keeps momentum constant.
    public var finalMomentum: Float? = nil
    public var momentumRampStartEpoch: Int = 1
    public var momentumRampEndEpoch: Int = 250

    public init() {}

    /// The paper's released MNIST schedule: lr / 1.000004^t with a floor of 1e-6, momentum
    /// 0.5 -> 0.7 between epochs 1 and 250.
    public static var paper: Schedule {
        var schedule = Schedule()
        schedule.learningRateDecay = 1.000004
        schedule.minimumLearningRate = 1e-6
        schedule.finalMomentum = 0.7
        return schedule
    }

    public func learningRate(base: Float, step: Int) -> Float {
        guard learningRateDecay != 1 else { return base }
        let decayed = Double(base) / Foundation_pow(learningRateDecay, Double(step))
        return max(Float(decayed), minimumLearningRate)
    }

    public func momentum(base: Float, epoch: Int) -> Float {
        guard let finalMomentum else { return base }
        let span = max(momentumRampEndEpoch - momentumRampStartEpoch, 1)
        let progress = min(max(Float(epoch - momentumRampStartEpoch) / Float(span), 0), 1)
        return base + (finalMomentum - base) * progress
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func Foundation_pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) func Foundation_pow(_ x: Double, _ y: Double) -> Double { Darwin.pow(x, y) }
#endif
