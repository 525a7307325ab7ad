/// Short-lived HDF5 identifiers a wrapper opens and must close on every path out, including throws:
/// property lists, dataspaces, datatypes and attributes. Internal; the public types own the rest.
import CHDF5

/// An identifier closed when this value goes away (by `deinit`, so also when a call throws).
final class TemporaryID {
    enum Kind {
        case propertyList, dataspace, datatype, attribute
    }

    let id: hid_t
    private let kind: Kind

    /// Takes ownership of `id`; throws `HDF5Error` from the error stack if `id` is negative.
    init(_ id: hid_t, _ kind: Kind, _ call: String, _ path: @autoclosure () -> String) throws {
        self.id = try checkID(id, call, path())
        self.kind = kind
    }

    deinit {
        switch kind {
        case .propertyList: _ = H5Pclose(id)
        case .dataspace: _ = H5Sclose(id)
        case .datatype: _ = H5Tclose(id)
        case .attribute: _ = H5Aclose(id)
        }
    }
}

extension TemporaryID {
    /// A new property list of `listClass`. The corresponding C function is `H5Pcreate`.
    static func propertyList(_ listClass: hid_t, _ path: String) throws -> TemporaryID {
        try TemporaryID(H5Pcreate(listClass), .propertyList, "H5Pcreate", path)
    }

    /// A simple dataspace of `dims` with maximum `maxDims` (nil: fixed size); a scalar one for
    /// `dims == []`. The corresponding C function is `H5Screate_simple`.
    static func simpleDataspace(_ dims: [Int], maxDims: [hsize_t]? = nil, _ path: String) throws
        -> TemporaryID
    {
        if dims.isEmpty { return try scalarDataspace(path) }
        let current = dims.map { hsize_t($0) }
        if let maxDims {
            return try TemporaryID(
                H5Screate_simple(Int32(current.count), current, maxDims), .dataspace,
                "H5Screate_simple", path)
        }
        return try TemporaryID(
            H5Screate_simple(Int32(current.count), current, nil), .dataspace, "H5Screate_simple", path)
    }

    /// A scalar (single-element) dataspace. The corresponding C function is `H5Screate`.
    static func scalarDataspace(_ path: String) throws -> TemporaryID {
        try TemporaryID(H5Screate(H5S_SCALAR), .dataspace, "H5Screate", path)
    }
}

/// The dimensions of a dataspace ([] for a scalar). The corresponding C function is
/// `H5Sget_simple_extent_dims`.
func dataspaceDims(_ space: hid_t, _ path: String) throws -> [Int] {
    let rank = H5Sget_simple_extent_ndims(space)
    if rank < 0 { throw HDF5Error.fromErrorStack(call: "H5Sget_simple_extent_ndims", path: path) }
    var dims = [hsize_t](repeating: 0, count: Int(rank))
    if rank > 0 {
        let status = H5Sget_simple_extent_dims(space, &dims, nil)
        if status < 0 { throw HDF5Error.fromErrorStack(call: "H5Sget_simple_extent_dims", path: path) }
    }
    return try dims.map { dimension in
        guard let value = Int(exactly: dimension) else {
            throw HDF5Error(call: "H5Sget_simple_extent_dims", path: path, message: "dimension \(dimension) is too large")
        }
        return value
    }
}
