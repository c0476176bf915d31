import Foundation

/// Writes a file under a temporary name in the same folder (`.NAME.tmp-PID`), syncs it and
/// renames it into place: a crash leaves the old file or the new one, never half a file under
/// the real name, and a failure (disk full, `ulimit -f`) removes the temporary file.
///
/// An existing path that is not a regular file (a device such as /dev/null, a FIFO, a socket, a
/// folder) is refused: renaming over it would replace the device node itself when run as root.
/// A symbolic link to a regular file is replaced by the new file; its target is left alone.
public enum AtomicFile {
    /// The temporary name of `path` for process `pid`.
    public static func temporaryPath(for path: String, pid: Int32 = getpid()) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().path + "/." + url.lastPathComponent + ".tmp-\(pid)"
    }

    /// Whether `name` is a temporary name this writer makes for a file of `base` names
    /// (`.step-000000400.h5.tmp-1234`), and the PID in it.
    public static func temporaryOwner(of name: String, matching base: (String) -> Bool) -> Int32? {
        guard name.hasPrefix("."), let range = name.range(of: ".tmp-", options: .backwards),
              base(String(name[name.index(after: name.startIndex)..<range.lowerBound])) else { return nil }
        return Int32(name[range.upperBound...])
    }

    /// Throws when `path` exists and is not a regular file (nor a link to one).
    public static func checkReplaceable(_ path: String) throws(HDF5Error) {
        var status = stat()
        guard stat(path, &status) == 0 else { return }  // absent (or a dangling link): created anew
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG else {
            let what = kind == S_IFCHR ? "a character device" : kind == S_IFBLK ? "a block device"
                : kind == S_IFIFO ? "a FIFO" : kind == S_IFDIR ? "a folder" : kind == S_IFSOCK ? "a socket" : "not a regular file"
            throw HDF5Error(file: path, object: "", reason: "exists and is \(what); refusing to replace it (write to a regular file)")
        }
    }

    /// Writes an HDF5 file through `body`.
    public static func write(to path: String, _ body: (HDF5File) throws -> Void) throws {
        try write(path) { temporary in
            let file = try HDF5File.create(temporary)
            try body(file)
            try file.flush()
        }  // the file closes when `body`'s last reference goes, before it is synced and renamed
    }

    /// Writes bytes.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(path) { temporary in
            // The claimed, empty regular file: never follow a link planted in its place.
            let descriptor = open(temporary, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else { throw failure(temporary, "cannot create") }
            defer { close(descriptor) }
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw failure(temporary, "cannot write") }
                offset += written
            }
        }
    }

    private static func write(_ path: String, _ produce: (String) throws -> Void) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw HDF5Error(file: path, object: "", reason: "the folder \(folder) does not exist")
        }
        try checkReplaceable(path)
        let temporary = temporaryPath(for: path)
        try claim(temporary)
        do {
            try produce(temporary)
            try syncFile(temporary)
            try checkReplaceable(path)
            guard rename(temporary, path) == 0 else { throw failure(path, "cannot rename the new file into place") }
        } catch let error as HDF5Error where error.file == temporary {
            unlink(temporary)
            // Name the file the user asked for; the temporary one is gone.
            throw HDF5Error(file: path, object: error.object,
                            reason: error.reason + " (writing a temporary copy; disk full or a file size limit?)")
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Creates the temporary file exclusively (`O_EXCL | O_NOFOLLOW`), so that nothing planted
    /// under its predictable name (a link to another file, a FIFO) is written through or waited
    /// on: whatever is there is unlinked (the entry, never a link's target) and the name claimed
    /// anew, a few times at most.
    static func claim(_ temporary: String) throws(HDF5Error) {
        for _ in 0..<4 {
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if descriptor >= 0 {
                close(descriptor)
                return
            }
            guard errno == EEXIST, unlink(temporary) == 0 || errno == ENOENT else { break }
        }
        throw failure(temporary, "cannot create the temporary file")
    }

    private static func failure(_ path: String, _ what: String) -> HDF5Error {
        HDF5Error(file: path, object: "", reason: "\(what): \(String(cString: strerror(errno)))")
    }

    private static func syncFile(_ path: String) throws(HDF5Error) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path, "cannot reopen to sync") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure(path, "fsync failed") }
    }
}
