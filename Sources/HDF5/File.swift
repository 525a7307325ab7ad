/// `File`: creating, opening, flushing and closing HDF5 files (h5py's `h5py.File`). A file is also
/// its root group, so it has children and attributes like any group.
import CHDF5

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An open HDF5 file. Its children (groups, datasets, tables) and attributes are those of its root
/// group "/".
///
/// Files are written with the library's default format bounds (not `H5F_LIBVER_LATEST`): after a
/// crash such a file is readable up to its last `flush()` without `h5clear`, and HDF5 1.8+ tools
/// and h5py read it.
public final class File: Container {
    /// How `create` treats an existing file.
    public enum CreateMode: Sendable {
        /// Replace an existing file (h5py mode "w").
        case truncate
        /// Fail if the file exists (h5py mode "x").
        case exclusive
    }

    /// How `open` accesses an existing file.
    public enum OpenMode: Sendable {
        /// h5py mode "r".
        case readOnly
        /// h5py mode "r+".
        case readWrite
    }

    public let handle: ObjectHandle
    private let fileHandle: FileHandle

    private init(id: hid_t, path: String) {
        markCloseOnExec(id)
        fileHandle = FileHandle(id: id, path: path)
        handle = ObjectHandle(id: id, file: fileHandle, objectPath: "/", ownsID: false)
    }

    /// Creates a new file, optionally with a user block (bytes at the start that HDF5 leaves to
    /// the application; a power of two ≥ 512). The corresponding C functions are `H5Fcreate` and
    /// `H5Pset_userblock`.
    public static func create(_ path: String, mode: CreateMode = .truncate, userBlockBytes: Int = 0) throws -> File {
        Library.prepareThread()
        let flags = mode == .truncate ? chdf5_acc_trunc() : chdf5_acc_excl()
        let fapl = try fileAccessList(path: path)
        let fcpl = try TemporaryID.propertyList(chdf5_p_file_create(), path)
        if userBlockBytes > 0 {
            try check(H5Pset_userblock(fcpl.id, hsize_t(userBlockBytes)), "H5Pset_userblock", path)
        }
        let id = try retryingTransientLockConflicts {
            try checkID(H5Fcreate(path, flags, fcpl.id, fapl.id), "H5Fcreate", path)
        }
        return File(id: id, path: path)
    }

    /// Opens an existing file, which must be a regular file (a FIFO or device is refused at once
    /// instead of blocking or being read forever). The corresponding C function is `H5Fopen`.
    public static func open(_ path: String, mode: OpenMode = .readOnly) throws -> File {
        Library.prepareThread()
        try requireRegularFile(path, call: "H5Fopen")
        let flags = mode == .readOnly ? chdf5_acc_rdonly() : chdf5_acc_rdwr()
        let fapl = try fileAccessList(path: path)
        let id = try retryingTransientLockConflicts {
            try checkID(H5Fopen(path, flags, fapl.id), "H5Fopen", path)
        }
        return File(id: id, path: path)
    }

    /// The path this file was created or opened with.
    public var path: String { fileHandle.path }

    /// False after `close()`.
    public var isOpen: Bool { fileHandle.isOpen }

    /// Writes every buffered change to the file on disk, so that a reader (or a crash) sees the file
    /// as it is now. The corresponding C function is `H5Fflush`.
    public func flush() throws {
        try handle.ensureOpen("H5Fflush")
        try check(H5Fflush(fileHandle.id, H5F_SCOPE_GLOBAL), "H5Fflush", path)
    }

    /// Closes the file and every group, dataset and table still open in it; using them afterwards
    /// throws. Closing twice is harmless; dropping the last reference closes too.
    /// The corresponding C function is `H5Fclose`.
    public func close() throws {
        try fileHandle.close()
    }
}

/// HDF5 1.10 opens files without `O_CLOEXEC`, so every child process (mpirun, h5dump, a test's
/// child) would inherit the descriptor — and with it the file's `flock` — for its whole life.
/// Mark it close-on-exec right after opening. The corresponding C function is `H5Fget_vfd_handle`.
private func markCloseOnExec(_ id: hid_t) {
    var raw: UnsafeMutableRawPointer?
    guard H5Fget_vfd_handle(id, chdf5_p_default(), &raw) >= 0, let raw else { return }
    let fd = raw.load(as: Int32.self)
    let flags = fcntl(fd, F_GETFD)
    if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
}

/// The file-access property list every file is opened with: strong close degree (see `FileHandle`)
/// and the default format bounds. The corresponding C function is `H5Pset_fclose_degree`.
private func fileAccessList(path: String) throws -> TemporaryID {
    let fapl = try TemporaryID.propertyList(chdf5_p_file_access(), path)
    try check(H5Pset_fclose_degree(fapl.id, H5F_CLOSE_STRONG), "H5Pset_fclose_degree", path)
    return fapl
}

/// Runs an open or create again while it fails only because the file is locked, for up to about a
/// second, then throws the lock error.
///
/// HDF5 1.10 `flock`s every file it opens. A child process spawned by any thread of this process
/// (h5dump in a test, mpirun, ...) holds copies of all our descriptors until it calls `exec`, so
/// for a few milliseconds it also holds the lock of a file we have just closed, and reopening that
/// file fails. Such a conflict clears by itself; a real second writer's does not, and still fails.
private func retryingTransientLockConflicts(_ attempt: () throws -> hid_t) throws -> hid_t {
    var delayMicroseconds: UInt32 = 500
    var waited: UInt32 = 0
    while true {
        do {
            return try attempt()
        } catch let error as HDF5Error where error.kind == .lockConflict && waited < 1_000_000 {
            usleep(delayMicroseconds)
            waited += delayMicroseconds
            delayMicroseconds = min(delayMicroseconds * 2, 100_000)
        }
    }
}
