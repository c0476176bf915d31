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
        let headerCount = bytes.count
        bytes += [UInt8](repeating: 0, count: values.count * 4)
        bytes.withUnsafeMutableBytes { out in
            values.withUnsafeBytes { raw in
                #if _endian(little)
                (out.baseAddress! + headerCount).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
                #else
                for (index, value) in values.enumerated() {
                    out.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: headerCount + 4 * index, as: UInt32.self)
                }
                #endif
            }
        }
        return bytes
    }
}
