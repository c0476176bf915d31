import CHDF5
import Foundation

/// An open HDF5 file. All HDF5 C calls of the project live in this module.
public final class HDF5File {
    public let path: String
    let id: hid_t
    /// Datasets written from now on are compressed with HDF5's byte shuffle and deflate (zlib)
    /// at this level, 1...9; 0 writes them uncompressed. h5py, Keras and PyTorch's h5py read both.
    public var deflateLevel = 0

    private init(path: String, id: hid_t) {
        self.path = path
        self.id = id
    }

    /// The root group "/". Every group keeps its file open for as long as it lives.
    public var root: HDF5Group {
        get throws(HDF5Error) { try HDF5Group(owner: self, parent: id, openPath: "/") }
    }

    /// Creates (or truncates) a file for writing.
    public static func create(_ path: String) throws(HDF5Error) -> HDF5File {
        ganzoo_h5_silence_errors()
        let access = strongCloseAccess()
        defer { H5Pclose(access) }
        let id = H5Fcreate(path, ganzoo_H5F_ACC_TRUNC(), ganzoo_H5P_DEFAULT(), access)
        guard id >= 0 else { throw HDF5Error(file: path, object: "", reason: "cannot create the file") }
        return HDF5File(path: path, id: id)
    }

    /// Opens an existing file read-only, with a clear error for anything that is not HDF5.
    public static func open(_ path: String) throws(HDF5Error) -> HDF5File {
        ganzoo_h5_silence_errors()
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw HDF5Error(file: path, object: "", reason: "no such file or not readable")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if size == 0 { throw HDF5Error(file: path, object: "", reason: "the file is empty (0 bytes)") }
        if H5Fis_hdf5(path) <= 0 {
            throw HDF5Error(file: path, object: "", reason: "not an HDF5 file (no HDF5 signature)")
        }
        let access = strongCloseAccess()
        defer { H5Pclose(access) }
        let id = H5Fopen(path, ganzoo_H5F_ACC_RDONLY(), access)
        guard id >= 0 else {
            throw HDF5Error(file: path, object: "", reason: "cannot open: the HDF5 file is damaged or truncated")
        }
        return HDF5File(path: path, id: id)
    }

    private static func strongCloseAccess() -> hid_t {
        let access = H5Pcreate(ganzoo_H5P_FILE_ACCESS())
        H5Pset_fclose_degree(access, H5F_CLOSE_STRONG)
        return access
    }

    /// Flushes everything to disk.
    public func flush() throws(HDF5Error) {
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else {
            throw HDF5Error(file: path, object: "", reason: "flush failed")
        }
    }

    deinit { H5Fclose(id) }
}

/// Writes a file under a temporary name in the same folder, flushes it to disk and renames it
/// into place: a crash leaves the old file or the new one, never half a file under the real name.
public enum AtomicFile {
    public static func write(to path: String, _ body: (HDF5File) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw HDF5Error(file: path, object: "", reason: "the folder \(folder) does not exist")
        }
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        do {
            do {
                let file = try HDF5File.create(temporary)
                try body(file)
                try file.flush()
            }  // the file closes here, before it is synced and renamed
            try syncFile(temporary)
            guard rename(temporary, path) == 0 else {
                throw HDF5Error(file: path, object: "", reason: "cannot rename the new file into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    private static func syncFile(_ path: String) throws(HDF5Error) {
        let descriptor = Foundation.open(path, O_RDONLY)
        guard descriptor >= 0 else { throw HDF5Error(file: path, object: "", reason: "cannot reopen to sync") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw HDF5Error(file: path, object: "", reason: "fsync failed") }
    }
}
