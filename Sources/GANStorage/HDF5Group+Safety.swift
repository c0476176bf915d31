import CHDF5
import CZlib

/// What a file may make the reader allocate or follow. A weights file may come from anyone (the
/// zoo's models are downloaded, checkpoints are shared): these limits are checked before any
/// value is allocated or read, and are generous for real models.
public enum HDF5Limits {
    /// Values in one dataset: 2^27 (512 MiB of float32, 1 GiB of float64).
    public static let maximumElements = 1 << 27
    /// Dimensions of a dataset or attribute.
    public static let maximumRank = 8
    /// Strings in one string attribute (a network's layer names).
    public static let maximumStrings = 4096
    /// Bytes in one string attribute value (configurations are JSON of a few hundred bytes).
    public static let maximumStringBytes = 1 << 20
    /// HDF5 filters a GAN Zoo file may use: deflate, shuffle and Fletcher-32.
    static let allowedFilters: Set<Int32> = [H5Z_FILTER_DEFLATE, H5Z_FILTER_SHUFFLE, H5Z_FILTER_FLETCHER32]
}

extension HDF5Group {
    /// Refuses soft and external links: a file must hold what it describes, and an external
    /// link would make reading it open another file.
    func requireHardLink(_ name: String) throws(HDF5Error) {
        let type = ganzoo_h5_link_type(id, name)
        guard type != H5L_TYPE_ERROR else { throw error(name, "cannot read the link") }
        switch type {
        case H5L_TYPE_HARD: return
        case H5L_TYPE_SOFT: throw error(name, "is a soft link; GAN Zoo files hold their objects directly, refused")
        case H5L_TYPE_EXTERNAL: throw error(name, "is an external link to another file; refused (a file must not make us read another)")
        default: throw error(name, "is a user-defined link; refused")
        }
    }

    /// The product of `shape`, refused above `maximum` (or on overflow) before anything is allocated.
    func elementCount(_ name: String, shape: [Int], maximum: Int) throws(HDF5Error) -> Int {
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard size >= 0, !overflow, product <= maximum else {
                throw error(name, "shape \(shape) holds more than \(maximum) values (the limit); refused")
            }
            count = product
        }
        return count
    }

    /// Checks how a dataset stores its values before reading them: no external storage (raw
    /// values in another file, even a FIFO), no virtual dataset (values mapped from other files),
    /// only the filters our writer uses, one chunk over the whole dataset, and a compressed chunk
    /// that inflates to no more than the dataset's size (a deflate bomb is refused after
    /// inflating at most that many bytes, in 64 KiB steps).
    func checkedStorage(_ name: String, dataset: hid_t, shape: [Int], elementSize: Int) throws(HDF5Error) {
        let properties = H5Dget_create_plist(dataset)
        guard properties >= 0 else { throw error(name, "cannot read how the dataset is stored") }
        defer { H5Pclose(properties) }
        let layout = H5Pget_layout(properties)
        if layout == H5D_VIRTUAL { throw error(name, "is a virtual dataset (its values come from other files); refused") }
        guard [H5D_CONTIGUOUS, H5D_CHUNKED, H5D_COMPACT].contains(layout) else { throw error(name, "has an unknown storage layout") }
        if H5Pget_external_count(properties) != 0 {
            throw error(name, "keeps its values in an external file; refused (a file must not make us read another)")
        }
        let filters = try filterIdentifiers(name, properties)
        guard layout == H5D_CHUNKED else {
            if !filters.isEmpty { throw error(name, "has filters without chunks") }
            return
        }
        var chunk = [hsize_t](repeating: 0, count: max(shape.count, 1))
        guard H5Pget_chunk(properties, Int32(chunk.count), &chunk) == Int32(shape.count),
              zip(chunk, shape).allSatisfy({ Int(clamping: $0) == max($1, 1) }) else {
            throw error(name, "is not stored as one chunk over the whole dataset, as GAN Zoo writes it")
        }
        if filters.contains(H5Z_FILTER_DEFLATE) {
            let bytes = shape.reduce(elementSize) { $0 * max($1, 1) }
            try checkCompressedChunk(name, dataset: dataset, rank: shape.count, inflatedLimit: bytes + 4)
        }
    }

    private func filterIdentifiers(_ name: String, _ properties: hid_t) throws(HDF5Error) -> [Int32] {
        let count = H5Pget_nfilters(properties)
        guard count >= 0, count <= 8 else { throw error(name, "has an unreadable filter pipeline") }
        var identifiers: [Int32] = []
        for index in 0..<UInt32(count) {
            var flags: UInt32 = 0, valueCount = 8, configuration: UInt32 = 0
            var values = [UInt32](repeating: 0, count: 8)
            let filter = H5Pget_filter2(properties, index, &flags, &valueCount, &values, 0, nil, &configuration)
            guard HDF5Limits.allowedFilters.contains(filter) else {
                throw error(name, "uses HDF5 filter \(filter), which GAN Zoo files never use; refused")
            }
            identifiers.append(filter)
        }
        return identifiers
    }

    /// Reads the stored (compressed) chunk and inflates it into a bounded buffer: HDF5's own
    /// deflate filter would grow its buffer until the stream ends.
    private func checkCompressedChunk(_ name: String, dataset: hid_t, rank: Int, inflatedLimit: Int) throws(HDF5Error) {
        let origin = [hsize_t](repeating: 0, count: max(rank, 1))
        var stored: hsize_t = 0
        guard H5Dget_chunk_storage_size(dataset, origin, &stored) >= 0, stored > 0 else { return }  // never written
        guard Int(clamping: stored) <= inflatedLimit + inflatedLimit / 8 + 1024 else {
            throw error(name, "its compressed chunk (\(stored) bytes) is larger than its values could need; refused")
        }
        var raw = [UInt8](repeating: 0, count: Int(stored))
        var mask: UInt32 = 0
        guard H5Dread_chunk(dataset, ganzoo_H5P_DEFAULT(), origin, &mask, &raw) >= 0 else { throw unreadable(name) }
        switch BoundedInflate.measure(raw, limit: inflatedLimit) {
        case .fits: return
        case .tooLarge:
            throw error(name, "its compressed chunk inflates to more than the dataset's \(inflatedLimit - 4) bytes; refused")
        case .corrupt: throw unreadable(name)
        }
    }
}

/// Inflates a zlib stream into a fixed 64 KiB window, counting bytes, to learn whether it fits.
enum BoundedInflate {
    enum Outcome { case fits, tooLarge, corrupt }

    static func measure(_ input: [UInt8], limit: Int) -> Outcome {
        var stream = z_stream()
        guard ganzoo_inflateInit2(&stream, 15) == Z_OK else { return .corrupt }
        defer { inflateEnd(&stream) }
        var window = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        var produced = 0
        return input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while true {
                let status = window.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    produced += out.count - Int(stream.avail_out)
                    return status
                }
                if produced > limit { return .tooLarge }
                switch status {
                case Z_STREAM_END: return .fits
                case Z_OK where stream.avail_out == 0 || stream.avail_in > 0: continue
                default: return .corrupt
                }
            }
        }
    }
}
