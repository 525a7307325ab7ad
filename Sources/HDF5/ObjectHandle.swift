/// Ownership of HDF5 identifiers: every open file, group, dataset or table holds exactly one
/// `ObjectHandle`, which closes its identifier when the Swift object goes away.
import CHDF5

/// An open HDF5 file identifier, shared by the `File` and every object opened inside it.
///
/// Objects keep it alive, so a group stays usable after the `File` value that opened it is gone
/// (as in h5py). Files are opened with the "strong" close degree: an explicit `File.close()`
/// closes every object still open in the file, so the bytes are on disk when it returns (which
/// `writeAtomically` relies on before its `fsync`). Objects check `isOpen` before closing their
/// own identifiers, so they never touch an identifier HDF5 has already released.
final class FileHandle {
    let id: hid_t
    let path: String
    private(set) var isOpen = true

    init(id: hid_t, path: String) {
        self.id = id
        self.path = path
    }

    /// Closes the file and everything open in it. The corresponding C function is `H5Fclose`.
    func close() throws {
        guard isOpen else { return }
        isOpen = false
        Library.prepareThread()
        try check(H5Fclose(id), "H5Fclose", path)
    }

    deinit {
        if isOpen { _ = H5Fclose(id) }
    }
}

/// An open group, dataset or the root group of a file: its identifier, the file it lives in and
/// its path inside the file (for error messages and `name`).
public final class ObjectHandle {
    let id: hid_t
    let file: FileHandle
    /// The absolute path inside the file, "/" for the root group.
    let objectPath: String
    /// Whether this handle owns `id` (the root group of a `File` is the file identifier itself).
    private let ownsID: Bool

    init(id: hid_t, file: FileHandle, objectPath: String, ownsID: Bool = true) {
        self.id = id
        self.file = file
        self.objectPath = objectPath
        self.ownsID = ownsID
    }

    /// "file.h5" for the root group, "file.h5:/a/b" for objects inside: what error messages name.
    var displayPath: String {
        objectPath == "/" ? file.path : "\(file.path):\(objectPath)"
    }

    /// The absolute path of a child named `name` (which may itself be "a/b" or absolute).
    func childPath(_ name: String) -> String {
        if name.hasPrefix("/") { return name }
        return objectPath == "/" ? "/" + name : objectPath + "/" + name
    }

    /// `displayPath` of a child, for errors raised before the child exists.
    func childDisplayPath(_ name: String) -> String {
        "\(file.path):\(childPath(name))"
    }

    /// Throws unless the file is still open, so that use after `File.close()` is an error that
    /// names the object, not a confusing "invalid identifier" from deep inside HDF5.
    func ensureOpen(_ call: String) throws {
        Library.prepareThread()
        if !file.isOpen {
            throw HDF5Error(call: call, path: displayPath, message: "the file has been closed", kind: .invalidRequest)
        }
    }

    deinit {
        if ownsID && file.isOpen { _ = H5Oclose(id) }
    }
}

/// Anything in an HDF5 file that has a name and attributes: files (their root group), groups,
/// datasets and tables.
public protocol HDF5Object: AnyObject {
    /// The open identifier behind this object. Opaque: use the methods of the protocols instead.
    var handle: ObjectHandle { get }
}

extension HDF5Object {
    /// The absolute path of this object inside its file ("/" for a file, "/traces/queries", ...).
    public var name: String { handle.objectPath }

    /// The path of the file this object lives in, as given when it was opened or created.
    public var filePath: String { handle.file.path }
}
