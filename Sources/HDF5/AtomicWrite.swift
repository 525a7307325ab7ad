/// Creating and replacing files atomically: write a temporary file next to the target, make it
/// durable, publish it under the target's name (rename, or link when an existing file must not be
/// replaced), make that durable. Readers, and a run resumed after a crash, see either the whole old
/// file (or none) or the whole new one — checkpoints are replaced this way, traces created this way.
import CHDF5

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes a new HDF5 file at `path` through `body`, replacing any existing file only once the new
/// one is complete and on disk.
///
/// Steps: create `.<name>.tmp-<pid>-<random>` in the same folder (same file system, so `rename` is
/// atomic), run `body`, close the file, `fsync` it, `rename` it over `path`, `fsync` the folder. If
/// any step throws, the temporary file is removed and the old file is left untouched.
/// The corresponding C function is `rename`.
///
/// With `sealed`, the file gets a 512-byte user block and, once complete, a `FileSeal` over its
/// bytes, so that a reader can refuse a damaged copy before HDF5 parses it.
public func writeAtomically(to path: String, sealed: Bool = false, _ body: (File) throws -> Void) throws {
    try publishNewFile(at: path, mode: .truncate, sealed: sealed, body)
}

/// Creates a file at `path` whose first state — what `body` writes — appears all at once, then
/// opens it for reading and writing (h5py modes "w"/"x" for files that are appended to later).
///
/// A file made by `File.create` is empty on disk until its first flush, so a process killed in
/// between leaves a few bytes that no HDF5 reader opens. Here the file is built under a temporary
/// name and published only when complete: after a kill there is either no file or a readable one.
/// With `.exclusive` an existing `path` is never replaced (the publish step is `link`, which fails
/// if the name exists); with `.truncate` it is replaced atomically.
/// The corresponding C functions are `link` and `rename`.
public func createAtomically(_ path: String, mode: File.CreateMode,
                             _ body: (File) throws -> Void) throws -> File {
    try publishNewFile(at: path, mode: mode, body)
    return try File.open(path, mode: .readWrite)
}

/// The steps shared by `writeAtomically` and `createAtomically`.
private func publishNewFile(at path: String, mode: File.CreateMode, sealed: Bool = false,
                            _ body: (File) throws -> Void) throws {
    let (folder, name) = splitPath(path)
    let temporary = folder + "/" + temporaryPrefix(forFileNamed: name)
        + "\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
    do {
        let file: File
        do {
            file = try File.create(temporary, mode: .exclusive, userBlockBytes: sealed ? FileSeal.userBlockBytes : 0)
        } catch let error as HDF5Error {
            // A missing or unwritable folder: name the file the caller asked for, not our temporary.
            throw HDF5Error(call: error.call, path: path, message: error.message, stack: error.stack, kind: error.kind)
        }
        do {
            try body(file)
        } catch {
            try? file.close()
            throw error
        }
        try file.close()
        if sealed { try FileSeal.seal(temporary) }
        try fsyncPath(temporary, directory: false)
        switch mode {
        case .truncate:
            if rename(temporary, path) != 0 {
                throw HDF5Error.fromErrno(call: "rename", path: "\(temporary) -> \(path)", errno: errno)
            }
        case .exclusive:
            if link(temporary, path) != 0 {
                throw HDF5Error.fromErrno(call: "link", path: path, errno: errno)
            }
            unlink(temporary)
        }
    } catch {
        unlink(temporary)
        throw error
    }
    try fsyncPath(folder, directory: true)
}

/// Removes temporary files that `writeAtomically(to: path)` left behind when its process died
/// before the rename, and returns their paths. Call it when no other process is writing `path`
/// (e.g. when a run starts or resumes): it cannot tell a live writer's temporary file from an
/// orphan. The corresponding C function is `unlink`.
@discardableResult
public func removeOrphanTemporaryFiles(of path: String) throws -> [String] {
    let (folder, name) = splitPath(path)
    let prefix = temporaryPrefix(forFileNamed: name)
    guard let directory = opendir(folder) else {
        throw HDF5Error.fromErrno(call: "opendir", path: folder, errno: errno)
    }
    defer { closedir(directory) }
    var removed: [String] = []
    while let entry = readdir(directory) {
        let entryName = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        guard entryName.hasPrefix(prefix) else { continue }
        let entryPath = folder + "/" + entryName
        if unlink(entryPath) != 0 {
            throw HDF5Error.fromErrno(call: "unlink", path: entryPath, errno: errno)
        }
        removed.append(entryPath)
    }
    return removed.sorted()
}

/// Hidden (leading dot) so that globs like `results/*/checkpoint.h5` never match a temporary file.
private func temporaryPrefix(forFileNamed name: String) -> String {
    ".\(name).tmp-"
}

/// ("folder", "name") of a path; the folder is "." for a bare name.
private func splitPath(_ path: String) -> (folder: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let folder = String(path[..<slash])
    return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
}

/// Flushes a file's or a folder's data and metadata to the disk. The corresponding C function is
/// `fsync`.
private func fsyncPath(_ path: String, directory: Bool) throws {
    let descriptor = open(path, directory ? O_RDONLY | O_DIRECTORY : O_RDONLY)
    if descriptor < 0 { throw HDF5Error.fromErrno(call: "open", path: path, errno: errno) }
    defer { close(descriptor) }
    if fsync(descriptor) != 0 { throw HDF5Error.fromErrno(call: "fsync", path: path, errno: errno) }
}
