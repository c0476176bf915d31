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

    /// Runs once, before the first HDF5 call: libhdf5 must not close files itself at exit. A
    /// file whose flush failed (disk full, `ulimit -f`) cannot be closed, and the library's exit
    /// handler dereferenced it (SIGSEGV after the `Error:` line). Every file is closed, or
    /// abandoned and its temporary name removed, by our own code.
    private static let library: Void = {
        H5dont_atexit()
    }()

    /// Creates (or truncates) a file for writing.
    public static func create(_ path: String) throws(HDF5Error) -> HDF5File {
        _ = library
        ganzoo_h5_silence_errors()
        let access = strongCloseAccess()
        defer { H5Pclose(access) }
        let id = H5Fcreate(path, ganzoo_H5F_ACC_TRUNC(), ganzoo_H5P_DEFAULT(), access)
        guard id >= 0 else { throw HDF5Error(file: path, object: "", reason: "cannot create the file") }
        return HDF5File(path: path, id: id)
    }

    /// Opens an existing file read-only, with a clear error for anything that is not HDF5.
    public static func open(_ path: String) throws(HDF5Error) -> HDF5File {
        _ = library
        ganzoo_h5_silence_errors()
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw HDF5Error(file: path, object: "", reason: "no such file or not readable")
        }
        // A FIFO or a device would block or never end: only regular files are opened.
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw HDF5Error(file: path, object: "", reason: "not a regular file (a FIFO, device or folder); refused")
        }
        if status.st_size == 0 { throw HDF5Error(file: path, object: "", reason: "the file is empty (0 bytes)") }
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
