/// A dense, row-major float32 buffer with a shape, allocated once and reused.
///
/// Layers and trainers size their tensors once per batch capacity; the training step then only
/// reads and writes through `pointer`, so it allocates nothing.
public final class Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    public init(shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        pointer = .allocate(capacity: Swift.max(count, 1))
        pointer.initialize(repeating: 0, count: Swift.max(count, 1))
    }

    public convenience init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    deinit { pointer.deallocate() }

    public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: pointer, count: count) }
    public var array: [Float] { Array(buffer) }

    public subscript(index: Int) -> Float {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }

    public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }
    public func zero() { fill(0) }

    public func copy(from other: Tensor) {
        precondition(other.count == count, "copying \(other.shape) into \(shape)")
        pointer.update(from: other.pointer, count: count)
    }

    public func copy(from values: [Float]) {
        precondition(values.count == count, "copying \(values.count) values into \(shape)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    /// True when every element is finite (no NaN, no infinity).
    public var isFinite: Bool { allFinite(pointer, count: count) }
}

/// True when every one of the `count` floats at `values` is finite.
public func allFinite(_ values: UnsafePointer<Float>, count: Int) -> Bool {
    var sum: Float = 0
    for index in 0..<count { sum += values[index] * 0 }  // NaN or inf turns 0 * x into NaN
    return sum == 0
}
