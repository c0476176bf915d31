import CZlib
import Foundation

/// Reads a whole file, inflating it when it starts with the gzip magic (1f 8b).
enum CompressedFile {
    static func read(_ path: String) throws(DataError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path)
        }
        return try decode([UInt8](data), path: path)
    }

    /// The bytes themselves, or inflated when they start with the gzip magic.
    static func decode(_ bytes: [UInt8], path: String) throws(DataError) -> [UInt8] {
        guard bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else { return bytes }
        return try inflateGzip(bytes, path: path)
    }

    static func inflateGzip(_ input: [UInt8], path: String) throws(DataError) -> [UInt8] {
        var stream = z_stream()
        guard ganzoo_inflateInit2(&stream, 15 + 32) == Z_OK else {
            throw .corrupt(path: path, reason: "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 4)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var mutableInput = input
        let status: Int32 = mutableInput.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            while true {
                var status: Int32 = Z_OK
                let produced: Int = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END:
                    // A gzip file may hold several members; go on after each one.
                    if stream.avail_in == 0 { return Z_STREAM_END }
                    let reset = inflateReset(&stream)
                    if reset != Z_OK { return reset }
                case Z_OK:
                    if stream.avail_in == 0 && produced == 0 { return Z_BUF_ERROR }
                case Z_BUF_ERROR where stream.avail_in == 0:
                    return Z_BUF_ERROR
                default:
                    return status
                }
            }
        }
        switch status {
        case Z_STREAM_END: break
        case Z_BUF_ERROR: throw .corrupt(path: path, reason: "gzip stream ends early (truncated file)")
        default: throw .corrupt(path: path, reason: "corrupt gzip stream (zlib error \(status))")
        }
        return output
    }
}
