/// An IDX array (the MNIST file format): a big-endian header, then unsigned bytes.
///
/// Header: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions, then
/// one 32-bit big-endian size per dimension.
public struct IDXArray: Sendable, Equatable {
    public var shape: [Int]
    public var bytes: [UInt8]

    public init(shape: [Int], bytes: [UInt8]) {
        self.shape = shape
        self.bytes = bytes
    }

    /// The most data bytes an IDX file may hold: 2^28, 256 MiB, about 340,000 28 x 28 images
    /// (MNIST's training images are 47 MB). Checked from the header, before inflating or
    /// allocating. The pixels become float32, four times the bytes, so a file at the cap needs
    /// about 1.3 GiB at its peak (1 GiB used to need 8.4 GB, and EMNIST's largest split, 640 MB,
    /// is now refused: split it).
    public static let maximumDataBytes = 1 << 28

    /// Reads a file, gzip or not: at most `maximumDataBytes` plus a header from disk, and a gzip
    /// stream is inflated only as far as its IDX header promises.
    public init(contentsOf path: String) throws(DataError) {
        try self.init(parsing: CompressedFile.read(path, limit: Self.maximumDataBytes + 64) { (prefix) throws(DataError) in
            try Self.header(prefix, path: path).map { $0.headerSize + $0.dataBytes }
        }, path: path)
    }

    /// Parses a file's bytes, inflating them first when they are gzip.
    public init(fileBytes bytes: [UInt8], path: String) throws(DataError) {
        try self.init(parsing: CompressedFile.decode(bytes, path: path) { (prefix) throws(DataError) in
            try Self.header(prefix, path: path).map { $0.headerSize + $0.dataBytes }
        }, path: path)
    }

    /// The shape, header size and data size an IDX header declares, once `data` holds the whole
    /// header (nil before); a header that is wrong or declares more than `maximumDataBytes` throws.
    static func header(_ data: [UInt8], path: String) throws(DataError) -> (shape: [Int], headerSize: Int, dataBytes: Int)? {
        guard data.count >= 4 else { return nil }
        guard data[0] == 0, data[1] == 0 else {
            let magic = data[0..<4].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            throw .corrupt(path: path, reason: "wrong magic number 0x\(magic): not an IDX file")
        }
        guard data[2] == 0x08 else {
            throw .corrupt(path: path, reason: "IDX element type 0x\(String(data[2], radix: 16)) is not supported (only unsigned bytes, 0x08)")
        }
        let rank = Int(data[3])
        guard rank >= 1, rank <= 4 else {
            throw .corrupt(path: path, reason: "IDX file with \(rank) dimensions (expected 1 to 4)")
        }
        let headerSize = 4 + 4 * rank
        guard data.count >= headerSize else { return nil }
        var shape: [Int] = []
        var total = 1
        for axis in 0..<rank {
            let offset = 4 + 4 * axis
            let size = Int(data[offset]) << 24 | Int(data[offset + 1]) << 16 | Int(data[offset + 2]) << 8 | Int(data[offset + 3])
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            guard !overflow, product <= maximumDataBytes else {
                throw .corrupt(path: path, reason: "dimensions \(shape + [size]) are too large (more than \(maximumDataBytes) bytes, the limit)")
            }
            shape.append(size)
            total = product
        }
        return (shape, headerSize, total)
    }

    public init(parsing data: [UInt8], path: String) throws(DataError) {
        guard let (shape, headerSize, total) = try Self.header(data, path: path) else {
            let needed = data.count >= 4 ? 4 + 4 * Int(data[3]) : 4
            throw .corrupt(path: path, reason: needed == 4 ? "truncated: \(data.count) bytes, too short for an IDX header"
                           : "truncated: header needs \(needed) bytes, file has \(data.count)")
        }
        let payload = data.count - headerSize
        guard payload == total else {
            let what = payload < total ? "truncated" : "size mismatch"
            throw .corrupt(path: path, reason: "\(what): header \(shape) needs \(total) data bytes, file has \(payload)")
        }
        self.shape = shape
        bytes = Array(data[headerSize...])
    }

    /// The file's bytes: header then data.
    public var encoded: [UInt8] {
        var header: [UInt8] = [0, 0, 0x08, UInt8(shape.count)]
        for size in shape {
            header += [UInt8(size >> 24 & 0xff), UInt8(size >> 16 & 0xff), UInt8(size >> 8 & 0xff), UInt8(size & 0xff)]
        }
        return header + bytes
    }
}
