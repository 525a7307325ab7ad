/// Reading a file a user named (a circuit, a config, a dataset, a CSV of inputs) without trusting
/// what is at that path: only a regular file is read, and only up to a size limit per kind.
///
/// Why: `/dev/zero` read "to the end" allocates until the process dies, `/dev/urandom` and a FIFO
/// block forever, a directory reads as an error much later. The file is opened with `O_NONBLOCK`
/// (so opening a FIFO with no writer returns at once), checked with `fstat` on the open descriptor
/// (no race between check and read), and read at most `limit + 1` bytes.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A named input file could not be read; prints as `path: reason` (one line).
public struct InputFileError: Error, Sendable, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

public enum InputFile {
    /// Size limits per kind of input, in bytes. Generous for real inputs, small enough that a
    /// mistaken path fails in milliseconds.
    public enum Limit {
        /// An OpenQASM 2 circuit (a million gates of text is about 30 MB).
        public static let qasm = 64 << 20
        /// A YAML training config (a few KB in practice).
        public static let config = 1 << 20
        /// A CSV dataset or a CSV of `--inputs`.
        public static let csv = 1 << 30
    }

    /// The whole file at `path`, which must be a regular file of at most `limit` bytes. `what`
    /// names the kind of file in errors ("circuit", "config", ...). The corresponding C functions
    /// are `open`, `fstat` and `read`.
    public static func read(_ path: String, limit: Int, what: String) throws(InputFileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw InputFileError(path: path, reason: "cannot read file: \(String(cString: strerror(errno))) (the \(what) file)")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw InputFileError(path: path, reason: "cannot read the \(what) file: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw InputFileError(path: path, reason: "the \(what) file is \(kindName(info.st_mode)), not a regular file")
        }
        guard Int(info.st_size) <= limit else {
            throw InputFileError(path: path, reason: "the \(what) file is \(info.st_size) bytes; the limit is \(limit)")
        }
        // The size may change under us (a file being written): read at most limit + 1 bytes.
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var filled = 0
        while true {
            if filled == bytes.count {
                guard bytes.count <= limit else {
                    throw InputFileError(path: path, reason: "the \(what) file grew beyond the limit of \(limit) bytes")
                }
                bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, limit + 1 - bytes.count)))
            }
            let n = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputFileError(path: path, reason: "cannot read the \(what) file: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeSubrange(filled...)
        return bytes
    }

    /// Throws unless `path` is absent or a regular file (not followed if it is a symbolic link):
    /// for outputs, which must never replace a device, a FIFO, a folder or a link's target.
    /// Returns whether the file exists. The corresponding C function is `lstat`.
    @discardableResult
    public static func requireRegularOrAbsent(_ path: String, what: String) throws(InputFileError) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return false }
            throw InputFileError(path: path, reason: "cannot inspect the \(what): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw InputFileError(path: path, reason: "the \(what) exists and is \(kindName(info.st_mode)), not a regular file; it is never replaced")
        }
        return true
    }

    /// "a directory", "a FIFO", ... for error messages.
    static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }
}
