/// `Group` and `Container`: the nodes of an HDF5 file that hold named children (groups, datasets,
/// tables), like h5py's `Group`; `File` is a `Container` too (its root group).
import CHDF5

/// A group inside a file (h5py's `h5py.Group`).
public final class Group: Container {
    public let handle: ObjectHandle

    init(handle: ObjectHandle) {
        self.handle = handle
    }
}

/// Something with named children: a `File` (its root group) or a `Group`. Child names may be
/// nested paths such as "a/b", relative to this container, or absolute ("/a/b").
public protocol Container: HDF5Object {}

extension Container {
    /// Creates a group, and any missing groups on its path ("a/b" creates "a" if needed). Throws if
    /// the group exists. The corresponding C function is `H5Gcreate2`.
    @discardableResult
    public func createGroup(_ path: String) throws -> Group {
        try handle.ensureOpen("H5Gcreate2")
        let target = handle.childDisplayPath(path)
        let lcpl = try intermediateGroupsLinkList(target)
        let id = try checkID(
            H5Gcreate2(handle.id, path, lcpl.id, chdf5_p_default(), chdf5_p_default()),
            "H5Gcreate2", target)
        return Group(handle: ObjectHandle(id: id, file: handle.file, objectPath: handle.childPath(path)))
    }

    /// Opens an existing group. The corresponding C function is `H5Gopen2`.
    public func openGroup(_ path: String) throws -> Group {
        try handle.ensureOpen("H5Gopen2")
        let id = try checkID(
            H5Gopen2(handle.id, path, chdf5_p_default()), "H5Gopen2", handle.childDisplayPath(path))
        return Group(handle: ObjectHandle(id: id, file: handle.file, objectPath: handle.childPath(path)))
    }

    /// Opens the group if it exists, otherwise creates it (h5py's `require_group`).
    /// The corresponding C functions are `H5Gopen2` and `H5Gcreate2`.
    public func requireGroup(_ path: String) throws -> Group {
        try contains(path) ? try openGroup(path) : try createGroup(path)
    }

    /// Whether a child (group, dataset, table) exists at `path`; every component of a nested path
    /// is checked in turn, since HDF5 fails rather than answering false for a missing parent.
    /// The corresponding C function is `H5Lexists`.
    public func contains(_ path: String) throws -> Bool {
        try handle.ensureOpen("H5Lexists")
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        if components.isEmpty { return true }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in components {
            prefix += prefix.isEmpty || prefix.hasSuffix("/") ? String(component) : "/" + component
            let exists = try checkTri(
                H5Lexists(handle.id, prefix, chdf5_p_default()), "H5Lexists",
                handle.childDisplayPath(prefix))
            if !exists { return false }
        }
        return true
    }

    /// The names of the direct children, in name order (as h5py's `keys()`).
    /// The corresponding C function is `H5Literate`.
    public func memberNames() throws -> [String] {
        try handle.ensureOpen("H5Literate")
        var names: [String] = []
        let status = withUnsafeMutablePointer(to: &names) { pointer in
            H5Literate(handle.id, H5_INDEX_NAME, H5_ITER_INC, nil, { _, name, _, data in
                guard let name, let data else { return -1 }
                data.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
                return 0
            }, pointer)
        }
        try check(status, "H5Literate", handle.displayPath)
        return names
    }

    /// Deletes the link to a child (its storage is reclaimed only when no link is left, and the
    /// file does not shrink). The corresponding C function is `H5Ldelete`.
    public func removeMember(_ path: String) throws {
        try handle.ensureOpen("H5Ldelete")
        try check(
            H5Ldelete(handle.id, path, chdf5_p_default()), "H5Ldelete", handle.childDisplayPath(path))
    }
}

/// A link-creation property list that creates missing intermediate groups, as h5py does.
/// The corresponding C function is `H5Pset_create_intermediate_group`.
func intermediateGroupsLinkList(_ path: String) throws -> TemporaryID {
    let lcpl = try TemporaryID.propertyList(chdf5_p_link_create(), path)
    try check(
        H5Pset_create_intermediate_group(lcpl.id, 1), "H5Pset_create_intermediate_group", path)
    return lcpl
}
