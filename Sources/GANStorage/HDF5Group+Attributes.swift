import CHDF5
import Foundation

/// Attributes: UTF-8 variable-length strings (h5py reads them as `str`), string lists,
/// 64-bit integers and doubles.
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
        var info = H5O_info_t()
        guard H5Oget_info1(id, &info) >= 0 else { return [] }
        return (0..<info.num_attrs).compactMap { index in
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

    /// Reads a string attribute, variable- or fixed-length, scalar or list.
    public func stringsAttribute(_ name: String) throws(HDF5Error) -> [String] {
        let attribute = try openAttribute(name)
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_STRING else { throw attributeError(name, "is not a string") }
        let count = elementCount(attribute)
        if H5Tis_variable_str(type) > 0 {
            let memoryType = variableStringType()
            defer { H5Tclose(memoryType) }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard H5Aread(attribute, memoryType, &pointers) >= 0 else { throw attributeError(name, "cannot be read") }
            defer { for pointer in pointers { H5free_memory(pointer) } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let width = H5Tget_size(type)
        var bytes = [UInt8](repeating: 0, count: width * count)
        guard H5Aread(attribute, type, &bytes) >= 0 else { throw attributeError(name, "cannot be read") }
        return (0..<count).map { index in
            let slice = bytes[(index * width)..<((index + 1) * width)].prefix { $0 != 0 }
            return String(decoding: slice, as: UTF8.self)
        }
    }

    public func intAttribute(_ name: String) throws(HDF5Error) -> Int {
        let attribute = try openAttribute(name)
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_INTEGER, elementCount(attribute) == 1 else {
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
        defer { H5Tclose(type) }
        let typeClass = H5Tget_class(type)
        guard typeClass == H5T_FLOAT || typeClass == H5T_INTEGER, elementCount(attribute) == 1 else {
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

    private func elementCount(_ attribute: hid_t) -> Int {
        let space = H5Aget_space(attribute)
        defer { H5Sclose(space) }
        return Int(H5Sget_simple_extent_npoints(space))
    }

    private func variableStringType() -> hid_t {
        let type = H5Tcopy(ganzoo_H5T_C_S1())
        H5Tset_size(type, ganzoo_H5T_VARIABLE())
        H5Tset_cset(type, H5T_CSET_UTF8)
        return type
    }

    private func setStrings(_ name: String, _ values: [String], scalar: Bool) throws(HDF5Error) {
        let type = variableStringType()
        defer { H5Tclose(type) }
        let cStrings = values.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers = cStrings.map { UnsafePointer<CChar>($0) }
        try writeAttribute(name, fileType: type, memoryType: type, shape: scalar ? [] : [values.count], value: &pointers)
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
