/// `Dataset`: fixed-shape N-D arrays of numbers, optionally chunked and gzip-compressed (h5py's
/// `create_dataset(name, shape, dtype, chunks=, compression="gzip")`, `ds[...] = a`, `ds[...]`).
import CHDF5

/// The values of an N-D dataset in row-major (C) order, with their shape.
public struct ShapedArray<Element: Sendable>: Sendable {
    public var shape: [Int]
    public var values: [Element]

    public init(shape: [Int], values: [Element]) {
        self.shape = shape
        self.values = values
    }
}

extension ShapedArray: Equatable where Element: Equatable {}

/// A dataset of numbers (h5py's `h5py.Dataset` with a numeric dtype).
public final class Dataset: HDF5Object {
    public let handle: ObjectHandle

    init(handle: ObjectHandle) {
        self.handle = handle
    }

    /// The current dimensions ([] for a scalar dataset). The corresponding C function is
    /// `H5Sget_simple_extent_dims`.
    public func shape() throws -> [Int] {
        try handle.ensureOpen("H5Dget_space")
        let space = try TemporaryID(
            H5Dget_space(handle.id), .dataspace, "H5Dget_space", handle.displayPath)
        return try dataspaceDims(space.id, handle.displayPath)
    }

    /// Writes the whole dataset from `values` in row-major order; `values.count` must equal the
    /// product of the shape. The corresponding C function is `H5Dwrite`.
    public func write<Element: DatasetElement>(_ values: [Element]) throws {
        try handle.ensureOpen("H5Dwrite")
        let expected = try shape().reduce(1, *)
        guard values.count == expected else {
            throw HDF5Error(
                call: "H5Dwrite", path: handle.displayPath,
                message: "got \(values.count) values for a dataset of \(expected) elements")
        }
        try checkElementClass(Element.elementKind, "H5Dwrite")
        try values.withUnsafeBytes { bytes in
            try check(
                H5Dwrite(
                    handle.id, Element.elementKind.memoryType, chdf5_s_all(), chdf5_s_all(),
                    chdf5_p_default(), bytes.baseAddress),
                "H5Dwrite", handle.displayPath)
        }
    }

    /// Reads the whole dataset with its shape. The stored numbers must be of the same class
    /// (integer or float) as `Element`; HDF5 converts between widths. The corresponding C function
    /// is `H5Dread`.
    public func read<Element: DatasetElement>(as type: Element.Type = Element.self) throws
        -> ShapedArray<Element>
    {
        try handle.ensureOpen("H5Dread")
        try checkElementClass(Element.elementKind, "H5Dread")
        let shape = try shape()
        let count = try elementCount()
        let values = try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                try check(
                    H5Dread(
                        handle.id, Element.elementKind.memoryType, chdf5_s_all(), chdf5_s_all(),
                        chdf5_p_default(), UnsafeMutableRawPointer(buffer.baseAddress)),
                    "H5Dread", handle.displayPath)
            }
            initialized = count
        }
        return ShapedArray(shape: shape, values: values)
    }

    /// The stored element type's class (integer, float, ...). The corresponding C function is
    /// `H5Tget_class`.
    func storedTypeClass() throws -> H5T_class_t {
        let type = try TemporaryID(H5Dget_type(handle.id), .datatype, "H5Dget_type", handle.displayPath)
        return H5Tget_class(type.id)
    }

    private func checkElementClass(_ kind: ElementKind, _ call: String) throws {
        let stored = try storedTypeClass()
        if stored != kind.typeClass {
            throw HDF5Error(
                call: call, path: handle.displayPath,
                message: "dataset holds \(typeClassName(stored)) values, not \(typeClassName(kind.typeClass))")
        }
    }
}

extension Container {
    /// Creates a dataset of `shape` (missing parent groups are created). `chunks` (same rank as
    /// `shape`) stores it in chunks, and `gzipLevel` (0...9) compresses each chunk, which requires
    /// chunks: when `gzipLevel` is given without `chunks`, the whole dataset is one chunk.
    /// The corresponding C function is `H5Dcreate2`.
    @discardableResult
    public func createDataset<Element: DatasetElement>(
        _ path: String, of type: Element.Type, shape: [Int], chunks: [Int]? = nil,
        gzipLevel: Int? = nil
    ) throws -> Dataset {
        try handle.ensureOpen("H5Dcreate2")
        let target = handle.childDisplayPath(path)
        try validate(shape: shape, chunks: chunks, gzipLevel: gzipLevel, target)
        let space = try TemporaryID.simpleDataspace(shape, target)
        let dcpl = try TemporaryID.propertyList(chdf5_p_dataset_create(), target)
        let chunkShape = chunks ?? (gzipLevel != nil ? shape.map { max($0, 1) } : nil)
        if let chunkShape {
            let dims = chunkShape.map { hsize_t($0) }
            try check(H5Pset_chunk(dcpl.id, Int32(dims.count), dims), "H5Pset_chunk", target)
        }
        if let gzipLevel {
            try check(H5Pset_deflate(dcpl.id, UInt32(gzipLevel)), "H5Pset_deflate", target)
        }
        let lcpl = try intermediateGroupsLinkList(target)
        let id = try checkID(
            H5Dcreate2(
                handle.id, path, Element.elementKind.fileType, space.id, lcpl.id, dcpl.id,
                chdf5_p_default()),
            "H5Dcreate2", target)
        return Dataset(handle: ObjectHandle(id: id, file: handle.file, objectPath: handle.childPath(path)))
    }

    /// Creates a dataset holding `values` of `shape` (default: 1-D of `values.count`).
    /// The corresponding C functions are `H5Dcreate2` and `H5Dwrite`.
    @discardableResult
    public func createDataset<Element: DatasetElement>(
        _ path: String, values: [Element], shape: [Int]? = nil, chunks: [Int]? = nil,
        gzipLevel: Int? = nil
    ) throws -> Dataset {
        let dataset = try createDataset(
            path, of: Element.self, shape: shape ?? [values.count], chunks: chunks, gzipLevel: gzipLevel)
        try dataset.write(values)
        return dataset
    }

    /// Opens an existing dataset. The corresponding C function is `H5Dopen2`.
    public func openDataset(_ path: String) throws -> Dataset {
        try handle.ensureOpen("H5Dopen2")
        let id = try checkID(
            H5Dopen2(handle.id, path, chdf5_p_default()), "H5Dopen2", handle.childDisplayPath(path))
        return Dataset(handle: ObjectHandle(id: id, file: handle.file, objectPath: handle.childPath(path)))
    }
}

/// Rejects shapes HDF5 would reject with a less helpful message (or accept and misbehave).
private func validate(shape: [Int], chunks: [Int]?, gzipLevel: Int?, _ path: String) throws {
    func fail(_ message: String) -> HDF5Error {
        HDF5Error(call: "H5Dcreate2", path: path, message: message, kind: .invalidRequest)
    }
    if shape.contains(where: { $0 < 0 }) { throw fail("negative dimension in shape \(shape)") }
    if shape.isEmpty && (chunks != nil || gzipLevel != nil) {
        throw fail("a scalar dataset (shape []) cannot be chunked or compressed")
    }
    if let chunks {
        if chunks.count != shape.count {
            throw fail("chunk shape \(chunks) has rank \(chunks.count), dataset shape \(shape) has rank \(shape.count)")
        }
        if chunks.contains(where: { $0 <= 0 }) { throw fail("chunk dimensions must be positive: \(chunks)") }
    }
    if let gzipLevel, !(0...9).contains(gzipLevel) {
        throw fail("gzip level \(gzipLevel) is outside 0...9")
    }
}
