/// TFRecord framing, the container of TensorBoard event files: each record is
///
///     uint64 length (little-endian) | uint32 masked CRC-32C of those 8 bytes |
///     data | uint32 masked CRC-32C of the data
public enum TFRecord {
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        let length = littleEndian(UInt64(data.count))
        return length + littleEndian(CRC32C.masked(length)) + data + littleEndian(CRC32C.masked(data))
    }

    static func littleEndian<Value: FixedWidthInteger>(_ value: Value) -> [UInt8] {
        (0..<(Value.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}
