import CHDF5

/// A group inside an open HDF5 file (the root is "/"): child groups, datasets, attributes.
public final class HDF5Group {
    /// The open file; held so that it stays open while any of its groups lives.
    let owner: HDF5File
    public var file: String { owner.path }
    /// Path of this group inside the file, e.g. "/generator/dense_0".
    public let path: String
    let id: hid_t

    init(owner: HDF5File, parent: hid_t, openPath name: String) throws(HDF5Error) {
        self.owner = owner
        path = name
        id = H5Gopen2(parent, name, ganzoo_H5P_DEFAULT())
        guard id >= 0 else { throw HDF5Error(file: owner.path, object: name, reason: "cannot open group") }
    }

    private init(owner: HDF5File, path: String, id: hid_t) {
        self.owner = owner
        self.path = path
        self.id = id
    }

    deinit { H5Gclose(id) }

    func childPath(_ name: String) -> String { path == "/" ? "/" + name : path + "/" + name }

    func error(_ name: String?, _ reason: String) -> HDF5Error {
        HDF5Error(file: file, object: name.map(childPath) ?? path, reason: reason)
    }

    // MARK: Groups

    public func createGroup(_ name: String) throws(HDF5Error) -> HDF5Group {
        let child = H5Gcreate2(id, name, ganzoo_H5P_DEFAULT(), ganzoo_H5P_DEFAULT(), ganzoo_H5P_DEFAULT())
        guard child >= 0 else { throw error(name, "cannot create group") }
        return HDF5Group(owner: owner, path: childPath(name), id: child)
    }

    public func contains(_ name: String) -> Bool {
        H5Lexists(id, name, ganzoo_H5P_DEFAULT()) > 0
    }

    /// Opens a child group; a missing or non-group child is an error that names it.
    public func group(_ name: String) throws(HDF5Error) -> HDF5Group {
        guard contains(name) else { throw error(name, "missing group") }
        try requireHardLink(name)
        let child = H5Gopen2(id, name, ganzoo_H5P_DEFAULT())
        guard child >= 0 else { throw error(name, "is not a group") }
        return HDF5Group(owner: owner, path: childPath(name), id: child)
    }

    /// Names of the links in this group, in name order.
    public func childNames() throws(HDF5Error) -> [String] {
        var info = H5G_info_t()
        guard H5Gget_info(id, &info) >= 0 else { throw error(nil, "cannot list group") }
        var names: [String] = []
        for index in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, ganzoo_H5P_DEFAULT())
            guard length >= 0 else { throw error(nil, "cannot read link name \(index)") }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, ganzoo_H5P_DEFAULT())
            names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    /// Whether a child is a dataset (false for groups and missing names).
    public func isDataset(_ name: String) -> Bool {
        guard contains(name), (try? requireHardLink(name)) != nil else { return false }
        let object = H5Oopen(id, name, ganzoo_H5P_DEFAULT())
        guard object >= 0 else { return false }
        defer { H5Oclose(object) }
        return H5Iget_type(object) == H5I_DATASET
    }

    // MARK: Datasets

    /// Writes a float32 dataset of `shape` (an empty shape writes a scalar).
    public func writeFloats(_ name: String, _ values: UnsafePointer<Float>, shape: [Int]) throws(HDF5Error) {
        try writeDataset(name, shape: shape, fileType: ganzoo_H5T_IEEE_F32LE(),
                         memoryType: ganzoo_H5T_NATIVE_FLOAT(), values: UnsafeRawPointer(values))
    }

    public func writeFloats(_ name: String, _ values: [Float], shape: [Int]) throws(HDF5Error) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        try values.withUnsafeBufferPointer { (buffer) throws(HDF5Error) in
            try writeFloats(name, buffer.baseAddress!, shape: shape)
        }
    }

    public func writeDoubles(_ name: String, _ values: [Double], shape: [Int]) throws(HDF5Error) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        try values.withUnsafeBufferPointer { (buffer) throws(HDF5Error) in
            try writeDataset(name, shape: shape, fileType: ganzoo_H5T_NATIVE_DOUBLE(),
                             memoryType: ganzoo_H5T_NATIVE_DOUBLE(), values: UnsafeRawPointer(buffer.baseAddress ?? UnsafePointer(bitPattern: 8)!))
        }
    }

    /// A float64 dataset of at most `maximumCount` values (checked before allocating).
    public func readDoubles(_ name: String, maximumCount: Int = HDF5Limits.maximumElements) throws(HDF5Error) -> (shape: [Int], values: [Double]) {
        try read(name, as: Double.self, typeClass: H5T_FLOAT, what: "float64", memoryType: ganzoo_H5T_NATIVE_DOUBLE(),
                 maximumCount: maximumCount)
    }

    public func writeUInt64s(_ name: String, _ values: [UInt64]) throws(HDF5Error) {
        try values.withUnsafeBufferPointer { (buffer) throws(HDF5Error) in
            try writeDataset(name, shape: [values.count], fileType: ganzoo_H5T_STD_U64LE(),
                             memoryType: ganzoo_H5T_NATIVE_UINT64(), values: UnsafeRawPointer(buffer.baseAddress!))
        }
    }

    private func writeDataset(_ name: String, shape: [Int], fileType: hid_t, memoryType: hid_t,
                              values: UnsafeRawPointer) throws(HDF5Error) {
        let space = makeSpace(shape)
        defer { H5Sclose(space) }
        // One chunk per dataset with a Fletcher-32 checksum: a flipped bit anywhere in the
        // values makes reading fail instead of loading silently wrong weights. (h5py reads it.)
        let properties = H5Pcreate(ganzoo_H5P_DATASET_CREATE())
        defer { H5Pclose(properties) }
        if !shape.isEmpty {
            let chunk = shape.map { hsize_t(max($0, 1)) }
            H5Pset_chunk(properties, Int32(chunk.count), chunk)
            if owner.deflateLevel > 0 {
                guard H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 else { throw error(name, "this HDF5 library has no deflate filter") }
                H5Pset_shuffle(properties)
                H5Pset_deflate(properties, UInt32(min(owner.deflateLevel, 9)))
            }
            H5Pset_fletcher32(properties)
        }
        let dataset = H5Dcreate2(id, name, fileType, space, ganzoo_H5P_DEFAULT(), properties, ganzoo_H5P_DEFAULT())
        guard dataset >= 0 else { throw error(name, "cannot create dataset") }
        defer { H5Dclose(dataset) }
        guard H5Dwrite(dataset, memoryType, ganzoo_H5S_ALL(), ganzoo_H5S_ALL(), ganzoo_H5P_DEFAULT(), values) >= 0 else {
            throw error(name, "cannot write dataset")
        }
    }

    func makeSpace(_ shape: [Int]) -> hid_t {
        if shape.isEmpty { return H5Screate(H5S_SCALAR) }
        let dims = shape.map { hsize_t($0) }
        return H5Screate_simple(Int32(dims.count), dims, nil)
    }

    /// Shape and values of a float32 dataset; any other type is an error naming it. With
    /// `expecting`, any other shape is refused before the values are allocated.
    public func readFloats(_ name: String, expecting shape: [Int]? = nil) throws(HDF5Error) -> (shape: [Int], values: [Float]) {
        try read(name, as: Float.self, typeClass: H5T_FLOAT, what: "float32", memoryType: ganzoo_H5T_NATIVE_FLOAT(),
                 expecting: shape)
    }

    /// Reading failed after the dataset opened: a checksum mismatch or missing bytes.
    func unreadable(_ name: String) -> HDF5Error {
        error(name, "cannot read the values: the file is damaged (checksum mismatch or truncated data)")
    }

    /// A 64-bit integer dataset of at most `maximumCount` values (checked before allocating).
    public func readUInt64s(_ name: String, maximumCount: Int = HDF5Limits.maximumElements) throws(HDF5Error) -> [UInt64] {
        try read(name, as: UInt64.self, typeClass: H5T_INTEGER, what: "64-bit integer", memoryType: ganzoo_H5T_NATIVE_UINT64(),
                 maximumCount: maximumCount).values
    }

    /// The shape of a 64-bit integer dataset, read without its values: a caller that knows how
    /// many values to expect compares it first, so that a wrong count allocates nothing.
    public func uint64Shape(_ name: String) throws(HDF5Error) -> [Int] {
        let (dataset, shape) = try openDataset(name, expecting: H5T_INTEGER, size: MemoryLayout<UInt64>.size, what: "64-bit integer")
        H5Dclose(dataset)
        return shape
    }

    /// Shape and values of a dataset whose stored type has `typeClass` and T's size. Everything
    /// that could make reading touch another file or allocate more than the limits is checked
    /// first (`checkedStorage`); `expecting` refuses any other shape before a byte is allocated.
    private func read<T: Numeric>(_ name: String, as type: T.Type, typeClass: H5T_class_t, what: String,
                                  memoryType: hid_t, expecting: [Int]? = nil,
                                  maximumCount: Int = HDF5Limits.maximumElements) throws(HDF5Error) -> (shape: [Int], values: [T]) {
        let (dataset, shape) = try openDataset(name, expecting: typeClass, size: MemoryLayout<T>.size, what: what)
        defer { H5Dclose(dataset) }
        if let expecting, shape != expecting {
            throw error(name, "shape \(shape) does not match the expected \(expecting)")
        }
        let count = try elementCount(name, shape: shape, maximum: maximumCount)
        try checkedStorage(name, dataset: dataset, shape: shape, elementSize: MemoryLayout<T>.size)
        var values = [T](repeating: 0, count: count)
        let status = values.withUnsafeMutableBytes {
            H5Dread(dataset, memoryType, ganzoo_H5S_ALL(), ganzoo_H5S_ALL(), ganzoo_H5P_DEFAULT(), $0.baseAddress)
        }
        guard status >= 0 else { throw unreadable(name) }
        return (shape, values)
    }

    private func openDataset(_ name: String, expecting typeClass: H5T_class_t, size: Int,
                             what: String) throws(HDF5Error) -> (hid_t, [Int]) {
        guard contains(name) else { throw error(name, "missing dataset") }
        try requireHardLink(name)
        let dataset = H5Dopen2(id, name, ganzoo_H5P_DEFAULT())
        guard dataset >= 0 else { throw error(name, "is not a dataset") }
        let type = H5Dget_type(dataset)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == typeClass, H5Tget_size(type) == size else {
            H5Dclose(dataset)
            throw error(name, "has the wrong data type (expected \(what))")
        }
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank >= 0, rank <= HDF5Limits.maximumRank else { H5Dclose(dataset); throw error(name, "has an unreadable shape") }
        var dims = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &dims, nil)
        // A crafted file may declare sizes beyond Int: clamped, they fail the count limit next.
        return (dataset, dims.map { Int(clamping: $0) })
    }
}
