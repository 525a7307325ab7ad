/// Reading HDF5 files that someone else may have crafted: a checkpoint copied from a shared folder,
/// a trace segment found next to a run. HDF5 lets a dataset's bytes live in *another* file
/// (external raw storage, virtual datasets) and lets a name point into another file (external
/// links) or elsewhere in this one (soft links); and a dataset's declared shape costs nothing to
/// write but is what a reader allocates. These checks refuse all of that before any data is read.
import CHDF5

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a name in a group is.
public enum LinkKind: Sendable, Equatable {
    /// An ordinary link to an object in this file.
    case hard
    /// A path to another name in this file.
    case soft
    /// A file name and a path inside that file.
    case external
    /// A user-defined link class.
    case other
}

/// How a dataset's elements are stored.
public enum StorageLayout: Sendable, Equatable {
    case compact, contiguous, chunked
    /// Mapped from datasets in other files.
    case virtual
    case other
}

extension Container {
    /// What kind of link `name` (a direct child, or a nested path's last component) is.
    /// The corresponding C function is `H5Lget_info`.
    public func linkKind(_ name: String) throws -> LinkKind {
        try handle.ensureOpen("H5Lget_info")
        var info = H5L_info_t()
        try check(H5Lget_info(handle.id, name, &info, chdf5_p_default()), "H5Lget_info", handle.childDisplayPath(name))
        switch info.type {
        case H5L_TYPE_HARD: return .hard
        case H5L_TYPE_SOFT: return .soft
        case H5L_TYPE_EXTERNAL: return .external
        default: return .other
        }
    }

    /// Opens the dataset at `path` only if every component of the path is a hard link, its
    /// elements are stored in this file (no external raw storage, not virtual), and it holds at
    /// most `maxElements` elements — checked from its declared shape, before anything is read.
    /// Errors name the dataset and the reason.
    public func openUntrustedDataset(_ path: String, maxElements: Int) throws -> Dataset {
        try requireHardLinks(path)
        let dataset = try openDataset(path)
        try dataset.requireSelfContained()
        let count = try dataset.elementCount()
        guard count <= maxElements else {
            throw HDF5Error(call: "H5Dopen2", path: dataset.handle.displayPath,
                            message: "declares \(count) elements; at most \(maxElements) are expected here")
        }
        return dataset
    }

    /// Throws unless every component of `path` is a hard link (no soft or external links, which
    /// could lead anywhere in this file or into another file).
    public func requireHardLinks(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += prefix.isEmpty || prefix.hasSuffix("/") ? String(component) : "/" + component
            let kind = try linkKind(prefix)
            guard kind == .hard else {
                throw HDF5Error(call: "H5Lget_info", path: handle.childDisplayPath(prefix),
                                message: "is a \(kind == .soft ? "soft" : kind == .external ? "external" : "user-defined") link; only plain datasets and groups are read")
            }
        }
    }
}

extension Container {
    /// Opens the table at `path` under the checks of `openUntrustedDataset`, with at most
    /// `maxRows` rows declared.
    public func openUntrustedTable<Row>(_ path: String, layout: CompoundLayout<Row>, maxRows: Int) throws -> Table<Row> {
        try requireHardLinks(path)
        let table = try openTable(path, layout: layout)
        try requireSelfContained(table.handle)
        guard table.count <= maxRows else {
            throw HDF5Error(call: "H5Dopen2", path: table.handle.displayPath,
                            message: "declares \(table.count) rows; a file of this size holds at most \(maxRows)")
        }
        return table
    }
}

extension Dataset {
    /// The storage layout. The corresponding C function is `H5Pget_layout`.
    public func layout() throws -> StorageLayout { try storageLayout(handle) }

    /// How many external files hold this dataset's raw data (0 for data inside the file).
    /// The corresponding C function is `H5Pget_external_count`.
    public func externalFileCount() throws -> Int { try externalFiles(handle) }

    /// Throws unless the dataset's elements live in this file: no external raw storage, no virtual
    /// layout.
    public func requireSelfContained() throws { try HDF5.requireSelfContained(handle) }

    /// The number of elements the shape declares; throws when the product overflows.
    public func elementCount() throws -> Int {
        var count = 1
        for dimension in try shape() {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { throw HDF5Error(call: "H5Sget_simple_extent_dims", path: handle.displayPath, message: "declares an impossibly large shape") }
            count = product
        }
        return count
    }
}

/// The dataset-creation property list (layout, filters, external storage) of a dataset or table.
/// The corresponding C function is `H5Dget_create_plist`.
private func creationPropertyList(_ handle: ObjectHandle) throws -> TemporaryID {
    try handle.ensureOpen("H5Dget_create_plist")
    return try TemporaryID(H5Dget_create_plist(handle.id), .propertyList, "H5Dget_create_plist", handle.displayPath)
}

/// The corresponding C function is `H5Pget_layout`.
private func storageLayout(_ handle: ObjectHandle) throws -> StorageLayout {
    let plist = try creationPropertyList(handle)
    switch H5Pget_layout(plist.id) {
    case H5D_COMPACT: return .compact
    case H5D_CONTIGUOUS: return .contiguous
    case H5D_CHUNKED: return .chunked
    case H5D_VIRTUAL: return .virtual
    default: return .other
    }
}

/// The corresponding C function is `H5Pget_external_count`.
private func externalFiles(_ handle: ObjectHandle) throws -> Int {
    let plist = try creationPropertyList(handle)
    let count = H5Pget_external_count(plist.id)
    if count < 0 { throw HDF5Error.fromErrorStack(call: "H5Pget_external_count", path: handle.displayPath) }
    return Int(count)
}

private func requireSelfContained(_ handle: ObjectHandle) throws {
    if try externalFiles(handle) > 0 {
        throw HDF5Error(call: "H5Pget_external_count", path: handle.displayPath,
                        message: "stores its data in external files; only data inside the file is read")
    }
    let layout = try storageLayout(handle)
    guard layout != .virtual && layout != .other else {
        throw HDF5Error(call: "H5Pget_layout", path: handle.displayPath,
                        message: "is a virtual dataset (data from other files); only data inside the file is read")
    }
}

/// Throws unless `path` is a regular file: HDF5 would open a FIFO and wait forever for a writer,
/// and read a device until memory runs out. Opened with `O_NONBLOCK` so that the check itself
/// cannot block. The corresponding C functions are `open` and `fstat`.
func requireRegularFile(_ path: String, call: String) throws {
    let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else {
        if errno == ENOENT || errno == EACCES || errno == ENOTDIR { return }  // H5Fopen/H5Fcreate say it best
        throw HDF5Error.fromErrno(call: "open", path: path, errno: errno)
    }
    defer { close(descriptor) }
    var info = stat()
    if fstat(descriptor, &info) != 0 { throw HDF5Error.fromErrno(call: "fstat", path: path, errno: errno) }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
        let kind: String
        switch info.st_mode & S_IFMT {
        case S_IFDIR: kind = "a directory"
        case S_IFIFO: kind = "a FIFO"
        case S_IFCHR, S_IFBLK: kind = "a device"
        case S_IFSOCK: kind = "a socket"
        default: kind = "not a regular file"
        }
        throw HDF5Error(call: call, path: path, message: "is \(kind), not a regular HDF5 file")
    }
}
