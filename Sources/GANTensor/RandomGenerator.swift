/// xoshiro256** seeded through SplitMix64: fast, reproducible on every platform, and its whole
/// state is four words, so checkpoints can store it and resume the exact stream.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    // Four words held inline (no heap storage: drawing never allocates).
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var mix = seed
        s0 = RandomGenerator.splitMix(&mix)
        s1 = RandomGenerator.splitMix(&mix)
        s2 = RandomGenerator.splitMix(&mix)
        s3 = RandomGenerator.splitMix(&mix)
    }

    /// Restores a generator from a stored state (four words, not all zero).
    public init(state: [UInt64]) throws(RandomGeneratorError) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else {
            throw .invalidState(state)
        }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    /// The whole state, for checkpoints.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// An independent stream for one purpose (initialisation, noise, shuffling), derived from
    /// a seed so that changing how much one purpose draws never shifts another.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1))
    }

    private static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) <<< 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 <<< 45
        return result
    }

    /// A float uniform in [0, 1), from the top 24 bits.
    @inline(__always)
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Fills `count` floats uniform in [low, high).
    public mutating func fillUniform(_ out: UnsafeMutablePointer<Float>, count: Int, low: Float, high: Float) {
        let scale = high - low
        for index in 0..<count { out[index] = low + scale * nextUnitFloat() }
    }

    /// Fills `count` floats from N(mean, std^2) with the Box-Muller transform.
    public mutating func fillNormal(_ out: UnsafeMutablePointer<Float>, count: Int, mean: Float, std: Float) {
        var index = 0
        while index < count {
            let u1 = Double(next() >> 11) * 0x1p-53 + 0x1p-54  // (0, 1): log never sees 0
            let u2 = Double(next() >> 11) * 0x1p-53
            let radius = (-2 * _log(u1)).squareRoot()
            let angle = 2 * Double.pi * u2
            out[index] = mean + std * Float(radius * _cos(angle))
            if index + 1 < count { out[index + 1] = mean + std * Float(radius * _sin(angle)) }
            index += 2
        }
    }

    /// Fisher-Yates shuffle of `indices` in place.
    public mutating func shuffle<Element>(_ indices: inout [Element]) {
        guard indices.count > 1 else { return }
        for i in stride(from: indices.count - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            indices.swapAt(i, j)
        }
    }
}

public enum RandomGeneratorError: Error, CustomStringConvertible {
    case invalidState([UInt64])
    public var description: String {
        switch self {
        case .invalidState(let state):
            return "invalid random generator state \(state): expected four words, not all zero"
        }
    }
}

infix operator <<< : BitwiseShiftPrecedence
@inline(__always)
func <<< (value: UInt64, amount: UInt64) -> UInt64 { (value << amount) | (value >> (64 - amount)) }
