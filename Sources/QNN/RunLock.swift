/// One run per folder: rank 0 of `qnncut train` holds an advisory `flock` on `<folder>/.qnncut.lock`
/// for the whole run, so a second `train`, `--resume` or `--overwrite` aimed at the same folder
/// (another shell, another Slurm job on a shared file system) is refused instead of renaming the
/// live trace or mixing two runs' files.
///
/// The lock file itself is never written (a refused run must change no byte of an earlier run):
/// the holder's host and PID go into `<folder>/.qnncut.owner`, created after the lock is taken and
/// removed when the process exits (or is stopped by SIGINT/SIGTERM). The kernel releases the lock
/// when the holder dies, even by SIGKILL; a stale owner file is then overwritten by the next holder.
import CSupport
import Circuits
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

public enum RunLock {
    static let lockName = ".qnncut.lock"
    static let ownerName = ".qnncut.owner"

    /// Takes the folder's lock for the rest of this process's life, or throws naming the holder.
    /// The corresponding C function is `flock`.
    public static func acquire(folder: String) throws {
        let lockPath = folder + "/" + lockName, ownerPath = folder + "/" + ownerName
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            throw RunFolderError("\(lockPath): cannot open the run lock: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw RunFolderError("\(lockPath): the run lock is not a regular file")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(descriptor)
            guard reason == EWOULDBLOCK else {
                throw RunFolderError("\(lockPath): cannot lock the run folder: \(String(cString: strerror(reason)))")
            }
            throw RunFolderError("\(folder) is in use by another qnncut run (\(holder(ownerPath))); wait for it to finish or choose another --output")
        }
        held.withLock { $0 = (descriptor, ownerPath) }
        let identity = "host \(hostName()) pid \(getpid())\n"
        // Replace the owner file atomically so that a contender never reads half of it.
        let temporary = ownerPath + ".tmp-\(getpid())"
        if FileManager.default.createFile(atPath: temporary, contents: Data(identity.utf8)) {
            if rename(temporary, ownerPath) != 0 { unlink(temporary) }
        }
        atexit { RunLock.releaseAtExit() }
        csupport_set_signal_unlink(ownerPath)
    }

    /// Throws naming the holder when another process holds the folder's lock; changes nothing
    /// (so that a run refused for any reason leaves the folder as it was). `acquire` checks again.
    public static func refuseIfHeld(folder: String) throws {
        let descriptor = open(folder + "/" + lockName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return }  // no lock file yet (or a link: `acquire` refuses it)
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return
        }
        if errno == EWOULDBLOCK {
            throw RunFolderError("\(folder) is in use by another qnncut run (\(holder(folder + "/" + ownerName))); wait for it to finish or choose another --output")
        }
    }

    /// "pid 123 on host node7", or what is known of the holder.
    static func holder(_ ownerPath: String) -> String {
        guard let bytes = try? InputFile.read(ownerPath, limit: 4096, what: "run owner"),
              let text = String(validating: bytes, as: UTF8.self) else {
            return "its host and PID are not recorded yet"
        }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard words.count == 4, words[0] == "host", words[2] == "pid", Int32(words[3]) != nil else {
            return "its host and PID are not recorded yet"
        }
        return "pid \(words[3]) on host \(words[1].prefix(64))"
    }

    /// The lock descriptor and owner file held by this process.
    private static let held = Mutex<(Int32, String)?>(nil)

    /// Removes the owner file on a normal or error exit (the lock goes with the descriptor).
    private static func releaseAtExit() {
        held.withLock { value in
            guard let (_, ownerPath) = value else { return }
            unlink(ownerPath)
            value = nil
        }
    }

    /// This machine's name. The corresponding C function is `gethostname`.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
