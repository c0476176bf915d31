import Foundation

/// Reads untrusted input files: regular files only (a FIFO or a device would block or never
/// end; the file is opened without blocking and checked with fstat before any read), and at
/// most `limit` bytes, checked against the file's size before anything is allocated.
public enum BoundedFile {
    public static func read(_ path: String, limit: Int) throws(DataError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(path: path) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw .corrupt(path: path, reason: "not a regular file (a FIFO, device or folder); refused")
        }
        let size = Int(status.st_size)
        guard size <= limit else {
            throw .corrupt(path: path, reason: "\(size) bytes, more than the limit of \(limit) bytes for this file")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let count = bytes.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress! + offset, size - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .unreadable(path: path) }  // shrank while we read, or an I/O error
            offset += count
        }
        return bytes
    }
}
