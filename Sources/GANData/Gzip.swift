import CZlib
import Foundation

/// Reads a whole file, inflating it when it starts with the gzip magic (1f 8b).
enum CompressedFile {
    /// Reads at most `limit` bytes from disk; `promised` (see `decode`) bounds the inflated size.
    static func read(_ path: String, limit: Int, promised: ([UInt8]) throws(DataError) -> Int?) throws(DataError) -> [UInt8] {
        try decode(BoundedFile.read(path, limit: limit), path: path, promised: promised)
    }

    /// The bytes themselves, or inflated when they start with the gzip magic. `promised` looks
    /// at the inflated bytes so far and returns the total size their header promises once it
    /// can tell (nil before): inflating stops with an error as soon as the output passes it,
    /// so a small file that inflates to gigabytes is refused after the header's size.
    static func decode(_ bytes: [UInt8], path: String,
                       promised: ([UInt8]) throws(DataError) -> Int?) throws(DataError) -> [UInt8] {
        guard bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else { return bytes }
        return try inflateGzip(bytes, path: path, promised: promised)
    }

    static func inflateGzip(_ input: [UInt8], path: String,
                            promised: ([UInt8]) throws(DataError) -> Int?) throws(DataError) -> [UInt8] {
        var stream = z_stream()
        guard ganzoo_inflateInit2(&stream, 15 + 32) == Z_OK else {
            throw .corrupt(path: path, reason: "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var limit: Int?
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        var status: Int32 = Z_OK
        var base = 0  // bytes of `input` consumed before the current member
        while true {
            let produced: Int = input.withUnsafeMutableBufferPointer { source in
                chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_in = source.baseAddress! + base + Int(stream.total_in)
                    stream.avail_in = uInt(source.count - base - Int(stream.total_in))
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
            }
            output.append(contentsOf: chunk[0..<produced])
            if limit == nil, let promise = try promised(output) {
                // Sized once from the header (plus one chunk, to see an overrun): growing by
                // appending doubles the buffer, to nearly twice the file at the cap.
                limit = promise
                output.reserveCapacity(promise + chunk.count)
            }
            if let limit, output.count > limit {
                throw .corrupt(path: path, reason: "the gzip stream inflates to more than the \(limit) bytes its header promises; refused")
            }
            let remaining = input.count - base - Int(stream.total_in)
            switch status {
            case Z_STREAM_END:
                // A gzip file may hold several members; go on after each one.
                if remaining == 0 { return output }
                base += Int(stream.total_in)
                guard inflateReset(&stream) == Z_OK else { throw .corrupt(path: path, reason: "corrupt gzip stream") }
            case Z_OK where remaining > 0 || produced > 0:
                continue
            case Z_OK, Z_BUF_ERROR:
                throw .corrupt(path: path, reason: "gzip stream ends early (truncated file)")
            default:
                throw .corrupt(path: path, reason: "corrupt gzip stream (zlib error \(status))")
            }
        }
    }
}
