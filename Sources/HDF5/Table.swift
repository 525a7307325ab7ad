/// `Table<Row>`: an extendible, chunked 1-D dataset of compound rows (a numpy structured array in
/// h5py) that grows by appending batches: the shape of trace tables (one row per query, per rank).
import CHDF5

/// A 1-D dataset of `Row` records described by a `CompoundLayout`, with unlimited length.
///
/// `append` extends the dataset and writes the new rows in one hyperslab write. Rows written are
/// durable once the file is flushed (`File.flush()`), which is what makes a killed writer's file
/// readable up to its last flush.
public final class Table<Row: BitwiseCopyable>: HDF5Object {
    public let handle: ObjectHandle
    public let layout: CompoundLayout<Row>
    private let memoryType: TemporaryID
    /// The number of rows, as of the last append or open.
    public private(set) var count: Int

    init(handle: ObjectHandle, layout: CompoundLayout<Row>) throws {
        self.handle = handle
        self.layout = layout
        memoryType = try layout.memoryType(handle.displayPath)
        let space = try TemporaryID(
            H5Dget_space(handle.id), .dataspace, "H5Dget_space", handle.displayPath)
        let dims = try dataspaceDims(space.id, handle.displayPath)
        guard dims.count == 1 else {
            throw HDF5Error(
                call: "H5Dopen2", path: handle.displayPath,
                message: "a table is 1-D, this dataset has shape \(dims)")
        }
        count = dims[0]
    }

    /// Appends one row. The corresponding C function is `H5Dwrite`.
    public func append(_ row: Row) throws {
        try append([row])
    }

    /// Appends rows at the end: extends the dataset, selects the new rows in the file and writes
    /// them in one call. The corresponding C functions are `H5Dset_extent` and `H5Dwrite`.
    public func append(_ rows: [Row]) throws {
        try handle.ensureOpen("H5Dwrite")
        if rows.isEmpty { return }
        let path = handle.displayPath
        let newCount = count + rows.count
        var newExtent = [hsize_t(newCount)]
        try check(H5Dset_extent(handle.id, &newExtent), "H5Dset_extent", path)
        let fileSpace = try TemporaryID(H5Dget_space(handle.id), .dataspace, "H5Dget_space", path)
        var start = [hsize_t(count)]
        var length = [hsize_t(rows.count)]
        try check(
            H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start, nil, &length, nil),
            "H5Sselect_hyperslab", path)
        let memorySpace = try TemporaryID.simpleDataspace([rows.count], path)
        try rows.withUnsafeBytes { bytes in
            try check(
                H5Dwrite(
                    handle.id, memoryType.id, memorySpace.id, fileSpace.id, chdf5_p_default(),
                    bytes.baseAddress),
                "H5Dwrite", path)
        }
        count = newCount
    }

    /// Every row in the table. The corresponding C function is `H5Dread`.
    public func readAll() throws -> [Row] {
        try read(0..<count)
    }

    /// The rows in `range`. Bytes of `Row` not covered by the layout read as zero.
    /// The corresponding C function is `H5Dread`.
    public func read(_ range: Range<Int>) throws -> [Row] {
        try handle.ensureOpen("H5Dread")
        let path = handle.displayPath
        guard range.lowerBound >= 0, range.upperBound <= count else {
            throw HDF5Error(
                call: "H5Dread", path: path, message: "rows \(range) are outside 0..<\(count)")
        }
        if range.isEmpty { return [] }
        let fileSpace = try TemporaryID(H5Dget_space(handle.id), .dataspace, "H5Dget_space", path)
        var start = [hsize_t(range.lowerBound)]
        var length = [hsize_t(range.count)]
        try check(
            H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start, nil, &length, nil),
            "H5Sselect_hyperslab", path)
        let memorySpace = try TemporaryID.simpleDataspace([range.count], path)
        return try [Row](unsafeUninitializedCapacity: range.count) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            try check(
                H5Dread(
                    handle.id, memoryType.id, memorySpace.id, fileSpace.id, chdf5_p_default(),
                    raw.baseAddress),
                "H5Dread", path)
            initialized = range.count
        }
    }
}

extension Container {
    /// Creates an empty table of `Row`s, growable without limit, stored in chunks of `chunkRows`
    /// rows and gzip-compressed at `gzipLevel` (0...9) if given. Missing parent groups are created.
    /// The corresponding C function is `H5Dcreate2`.
    @discardableResult
    public func createTable<Row>(
        _ path: String, layout: CompoundLayout<Row>, chunkRows: Int = 256, gzipLevel: Int? = nil
    ) throws -> Table<Row> {
        try handle.ensureOpen("H5Dcreate2")
        let target = handle.childDisplayPath(path)
        guard chunkRows > 0 else {
            throw HDF5Error(call: "H5Dcreate2", path: target, message: "chunkRows must be positive, got \(chunkRows)", kind: .invalidRequest)
        }
        if let gzipLevel, !(0...9).contains(gzipLevel) {
            throw HDF5Error(call: "H5Dcreate2", path: target, message: "gzip level \(gzipLevel) is outside 0...9", kind: .invalidRequest)
        }
        let fileType = try layout.fileType(target)
        let space = try TemporaryID.simpleDataspace([0], maxDims: [chdf5_s_unlimited()], target)
        let dcpl = try TemporaryID.propertyList(chdf5_p_dataset_create(), target)
        var chunk = [hsize_t(chunkRows)]
        try check(H5Pset_chunk(dcpl.id, 1, &chunk), "H5Pset_chunk", target)
        if let gzipLevel {
            try check(H5Pset_deflate(dcpl.id, UInt32(gzipLevel)), "H5Pset_deflate", target)
        }
        let lcpl = try intermediateGroupsLinkList(target)
        let id = try checkID(
            H5Dcreate2(handle.id, path, fileType.id, space.id, lcpl.id, dcpl.id, chdf5_p_default()),
            "H5Dcreate2", target)
        return try Table(
            handle: ObjectHandle(id: id, file: handle.file, objectPath: handle.childPath(path)),
            layout: layout)
    }

    /// Opens an existing table, checking that it is a 1-D compound dataset that has every field of
    /// `layout` with a compatible type (extra stored fields are ignored, as numpy would).
    /// The corresponding C function is `H5Dopen2`.
    public func openTable<Row>(_ path: String, layout: CompoundLayout<Row>) throws -> Table<Row> {
        try handle.ensureOpen("H5Dopen2")
        let target = handle.childDisplayPath(path)
        let id = try checkID(H5Dopen2(handle.id, path, chdf5_p_default()), "H5Dopen2", target)
        let objectHandle = ObjectHandle(id: id, file: handle.file, objectPath: handle.childPath(path))
        try checkStoredFields(objectHandle, layout)
        return try Table(handle: objectHandle, layout: layout)
    }
}

/// Throws unless the dataset's type is compound and has each field of `layout` with the same class
/// (integer, float or string). The corresponding C function is `H5Tget_member_index`.
private func checkStoredFields<Row>(_ handle: ObjectHandle, _ layout: CompoundLayout<Row>) throws {
    let path = handle.displayPath
    let type = try TemporaryID(H5Dget_type(handle.id), .datatype, "H5Dget_type", path)
    let typeClass = H5Tget_class(type.id)
    guard typeClass == H5T_COMPOUND else {
        throw HDF5Error(
            call: "H5Dopen2", path: path,
            message: "a table holds compound rows, this dataset holds \(typeClassName(typeClass)) values")
    }
    var problems: [String] = []
    for field in layout.fields {
        let index = H5Tget_member_index(type.id, field.name)
        if index < 0 {
            problems.append("no field '\(field.name)'")
            continue
        }
        let storedClass = H5Tget_member_class(type.id, UInt32(index))
        let wanted: H5T_class_t =
            switch field.kind {
            case .number(let element): element.typeClass
            case .fixedString: H5T_STRING
            }
        if storedClass != wanted {
            problems.append(
                "field '\(field.name)' is \(typeClassName(storedClass)), not \(typeClassName(wanted))")
        }
    }
    if !problems.isEmpty {
        throw HDF5Error(call: "H5Dopen2", path: path, message: problems.joined(separator: "; "))
    }
}
