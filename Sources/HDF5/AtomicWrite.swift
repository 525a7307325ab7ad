/// Replacing a file atomically (checkpoints): write a temporary file next to the target, make it
/// durable, rename it over the target, make the rename durable. Readers, and a run resumed after a
/// crash, see either the whole old file or the whole new one.
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
public func writeAtomically(to path: String, _ body: (File) throws -> Void) throws {
    let (folder, name) = splitPath(path)
    let temporary = folder + "/" + temporaryPrefix(forFileNamed: name)
        + "\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
    do {
        let file = try File.create(temporary, mode: .exclusive)
        do {
            try body(file)
        } catch {
            try? file.close()
            throw error
        }
        try file.close()
        try fsyncPath(temporary, directory: false)
        if rename(temporary, path) != 0 {
            throw HDF5Error.fromErrno(call: "rename", path: "\(temporary) -> \(path)", errno: errno)
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
