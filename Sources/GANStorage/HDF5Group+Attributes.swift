import CHDF5
import Foundation

/// Attributes: UTF-8 fixed-length strings (h5py reads them as `bytes`; files written before
/// 2026-11 hold variable-length strings, which are still read), string lists, 64-bit integers
/// and doubles. Reading checks each attribute's class, size and dataspace first and reads only
/// the types this writer produces: a hostile file's attribute metadata reaches as little of
/// libhdf5's type conversion as possible.
extension HDF5Group {
    public func setAttribute(_ name: String, _ value: String) throws(HDF5Error) {
        try setStrings(name, [value], scalar: true)
    }

    public func setAttribute(_ name: String, _ values: [String]) throws(HDF5Error) {
        try setStrings(name, values, scalar: false)
    }

    public func setAttribute(_ name: String, _ value: Int) throws(HDF5Error) {
        var number = Int64(value)
        try writeAttribute(name, fileType: ganzoo_H5T_STD_I64LE(), memoryType: ganzoo_H5T_NATIVE_INT64(),
                           shape: [], value: &number)
    }

    public func setAttribute(_ name: String, _ value: Double) throws(HDF5Error) {
        var number = value
        try writeAttribute(name, fileType: ganzoo_H5T_NATIVE_DOUBLE(), memoryType: ganzoo_H5T_NATIVE_DOUBLE(),
                           shape: [], value: &number)
    }

    public func hasAttribute(_ name: String) -> Bool { H5Aexists(id, name) > 0 }

    public func attributeNames() -> [String] {
        let count = ganzoo_h5_attribute_count(id)
        guard count >= 0 else { return [] }
        return (0..<hsize_t(count)).compactMap { index in
            let length = H5Aget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, ganzoo_H5P_DEFAULT())
            guard length >= 0 else { return nil }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            H5Aget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, ganzoo_H5P_DEFAULT())
            return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    public func stringAttribute(_ name: String) throws(HDF5Error) -> String {
        let values = try stringsAttribute(name)
        guard values.count == 1 else { throw attributeError(name, "holds \(values.count) strings, expected one") }
        return values[0]
    }

    /// Reads a string attribute, fixed- or variable-length, scalar or list, within
    /// `HDF5Limits.maximumStrings` strings of `HDF5Limits.maximumStringBytes` bytes each.
    public func stringsAttribute(_ name: String) throws(HDF5Error) -> [String] {
        let attribute = try openAttribute(name)
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        guard type >= 0 else { throw attributeError(name, "has an unreadable type") }
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_STRING else { throw attributeError(name, "is not a string") }
        let count = try elementCount(attribute, name, maximum: HDF5Limits.maximumStrings, rank: 1)
        if H5Tis_variable_str(type) > 0 {
            return try variableStrings(attribute, name, count: count)
        }
        let width = H5Tget_size(type)
        guard width >= 1, width <= HDF5Limits.maximumStringBytes, width * count <= 16 * HDF5Limits.maximumStringBytes else {
            throw attributeError(name, "has a string size of \(width) bytes, beyond the limit")
        }
        guard Int(clamping: H5Aget_storage_size(attribute)) == width * count else {
            throw attributeError(name, "stores \(H5Aget_storage_size(attribute)) bytes, not the \(width * count) its type says")
        }
        let memoryType = H5Tcopy(type)
        defer { H5Tclose(memoryType) }
        var bytes = [UInt8](repeating: 0, count: width * count)
        guard H5Aread(attribute, memoryType, &bytes) >= 0 else { throw attributeError(name, "cannot be read") }
        return (0..<count).map { index in
            let slice = bytes[(index * width)..<((index + 1) * width)].prefix { $0 != 0 }
            return String(decoding: slice, as: UTF8.self)
        }
    }

    /// Old files' variable-length strings: the values live in the file's global heap, which
    /// libhdf5 reads itself (the remaining attack surface, see the README).
    private func variableStrings(_ attribute: hid_t, _ name: String, count: Int) throws(HDF5Error) -> [String] {
        let memoryType = variableStringType()
        defer { H5Tclose(memoryType) }
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        guard H5Aread(attribute, memoryType, &pointers) >= 0 else { throw attributeError(name, "cannot be read") }
        defer { for pointer in pointers { H5free_memory(pointer) } }
        var strings: [String] = []
        for pointer in pointers {
            let length = pointer.map { strnlen($0, HDF5Limits.maximumStringBytes + 1) } ?? 0
            guard length <= HDF5Limits.maximumStringBytes else { throw attributeError(name, "holds a string beyond the limit") }
            strings.append(pointer.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: length), as: UTF8.self) } ?? "")
        }
        return strings
    }

    public func intAttribute(_ name: String) throws(HDF5Error) -> Int {
        let attribute = try openAttribute(name)
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        guard type >= 0 else { throw attributeError(name, "has an unreadable type") }
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_INTEGER, [1, 2, 4, 8].contains(H5Tget_size(type)),
              (try? elementCount(attribute, name, maximum: 1, rank: 1)) == 1 else {
            throw attributeError(name, "is not an integer")
        }
        var value: Int64 = 0
        guard H5Aread(attribute, ganzoo_H5T_NATIVE_INT64(), &value) >= 0 else { throw attributeError(name, "cannot be read") }
        return Int(value)
    }

    public func doubleAttribute(_ name: String) throws(HDF5Error) -> Double {
        let attribute = try openAttribute(name)
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        guard type >= 0 else { throw attributeError(name, "has an unreadable type") }
        defer { H5Tclose(type) }
        let typeClass = H5Tget_class(type)
        guard typeClass == H5T_FLOAT || typeClass == H5T_INTEGER, [1, 2, 4, 8].contains(H5Tget_size(type)),
              (try? elementCount(attribute, name, maximum: 1, rank: 1)) == 1 else {
            throw attributeError(name, "is not a number")
        }
        var value: Double = 0
        guard H5Aread(attribute, ganzoo_H5T_NATIVE_DOUBLE(), &value) >= 0 else { throw attributeError(name, "cannot be read") }
        return value
    }

    // MARK: Helpers

    private func attributeError(_ name: String, _ reason: String) -> HDF5Error {
        HDF5Error(file: file, object: path, reason: "attribute '\(name)' \(reason)")
    }

    private func openAttribute(_ name: String) throws(HDF5Error) -> hid_t {
        guard hasAttribute(name) else { throw attributeError(name, "is missing") }
        let attribute = H5Aopen(id, name, ganzoo_H5P_DEFAULT())
        guard attribute >= 0 else { throw attributeError(name, "cannot be opened") }
        return attribute
    }

    /// The number of values of a scalar or simple attribute of at most `rank` dimensions,
    /// refused above `maximum` before anything is allocated.
    private func elementCount(_ attribute: hid_t, _ name: String, maximum: Int, rank: Int) throws(HDF5Error) -> Int {
        let space = H5Aget_space(attribute)
        guard space >= 0 else { throw attributeError(name, "has an unreadable dataspace") }
        defer { H5Sclose(space) }
        let kind = H5Sget_simple_extent_type(space)
        guard kind == H5S_SCALAR || kind == H5S_SIMPLE, H5Sget_simple_extent_ndims(space) <= Int32(rank) else {
            throw attributeError(name, "has an unexpected dataspace (empty, or more than \(rank) dimension)")
        }
        let count = Int(H5Sget_simple_extent_npoints(space))
        guard count >= 0, count <= maximum else { throw attributeError(name, "holds \(count) values, more than the \(maximum) expected") }
        return count
    }

    private func variableStringType() -> hid_t {
        let type = H5Tcopy(ganzoo_H5T_C_S1())
        H5Tset_size(type, ganzoo_H5T_VARIABLE())
        H5Tset_cset(type, H5T_CSET_UTF8)
        return type
    }

    /// Fixed-length, NUL-padded UTF-8: the values sit in the attribute itself, so reading them
    /// back needs no global heap.
    private func setStrings(_ name: String, _ values: [String], scalar: Bool) throws(HDF5Error) {
        let width = max(1, values.map(\.utf8.count).max() ?? 1)
        let type = H5Tcopy(ganzoo_H5T_C_S1())
        defer { H5Tclose(type) }
        H5Tset_size(type, width)
        H5Tset_cset(type, H5T_CSET_UTF8)
        H5Tset_strpad(type, H5T_STR_NULLPAD)
        var bytes = [UInt8](repeating: 0, count: width * values.count)
        for (index, value) in values.enumerated() {
            bytes.replaceSubrange((index * width)..<(index * width + value.utf8.count), with: value.utf8)
        }
        try writeAttribute(name, fileType: type, memoryType: type, shape: scalar ? [] : [values.count], value: &bytes)
    }

    private func writeAttribute(_ name: String, fileType: hid_t, memoryType: hid_t, shape: [Int],
                                value: UnsafeRawPointer) throws(HDF5Error) {
        if hasAttribute(name) { H5Adelete(id, name) }
        let space = makeSpace(shape)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(id, name, fileType, space, ganzoo_H5P_DEFAULT(), ganzoo_H5P_DEFAULT())
        guard attribute >= 0 else { throw attributeError(name, "cannot be created") }
        defer { H5Aclose(attribute) }
        guard H5Awrite(attribute, memoryType, value) >= 0 else { throw attributeError(name, "cannot be written") }
    }
}
