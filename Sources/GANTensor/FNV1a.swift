/// FNV-1a, 64 bits: a fast, stable hash of values' bits (a dataset's fingerprint, a network's
/// initial weights), the same on every machine and run.
public struct FNV1a: Sendable, Equatable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func add(_ word: UInt64) {
        value = (value ^ word) &* 0x100_0000_01b3
    }

    public mutating func add(_ values: UnsafeBufferPointer<Float>) {
        for item in values { add(UInt64(item.bitPattern)) }
    }
}
