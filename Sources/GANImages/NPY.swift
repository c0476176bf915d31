/// NumPy `.npy` version 1.0 encoding of a float32 array (little-endian, C order).
public enum NPY {
    public static func encode(_ values: [Float], shape: [Int]) -> [UInt8] {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = UInt16(header.utf8.count)
        bytes += [UInt8(length & 0xff), UInt8(length >> 8)]
        bytes += Array(header.utf8)
        bytes.reserveCapacity(bytes.count + values.count * 4)
        for value in values {
            let bits = value.bitPattern.littleEndian
            bytes += [UInt8(bits & 0xff), UInt8(bits >> 8 & 0xff), UInt8(bits >> 16 & 0xff), UInt8(bits >> 24)]
        }
        return bytes
    }
}
