/// `HDF5Error`: the one error type of this module, and the helpers that turn C return codes into it.
/// No raw HDF5 return code leaves the module; every failure names the C call and the file/object.
import CHDF5

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed HDF5 (or file-system) call, naming the call and the file or object it was acting on.
///
/// `description` reads like "H5Fopen failed for /x/traces.h5: file signature not found". The
/// message is the innermost entry of HDF5's error stack (where the error was first detected), which
/// is the most specific; `stack` keeps every entry, outermost first, for debugging.
public struct HDF5Error: Error, CustomStringConvertible, Sendable, Equatable {
    /// The C function that failed, e.g. "H5Fopen", or the operation for checks done in Swift.
    public let call: String
    /// The file path, or "file:/object/path" for objects inside a file.
    public let path: String
    /// Why it failed, from the HDF5 error stack or errno.
    public let message: String
    /// HDF5's error stack at the time of the failure, outermost call first ("H5Fopen(): ...").
    public let stack: [String]
    /// What kind of failure it was, for callers that react to some (retry a lock, refuse a file).
    public let kind: Kind

    public enum Kind: Sendable, Equatable {
        /// HDF5 reported the failure (its error stack is in `stack`).
        case library
        /// HDF5 could not lock the file: another process, or another handle in this one, has it open.
        case lockConflict
        /// A system call failed with this `errno`.
        case system(Int32)
        /// The file's content was refused before use: not ours, damaged, or beyond the bounds an
        /// untrusted file may declare.
        case refused
        /// The call asked of this module is not valid (a closed handle, a bad layout or option).
        case invalidRequest
    }

    public init(call: String, path: String, message: String, stack: [String] = [], kind: Kind = .refused) {
        self.call = call
        self.path = path
        self.message = message
        self.stack = stack
        self.kind = kind
    }

    public var description: String { "\(call) failed for \(path): \(message)" }
}

extension HDF5Error {
    /// An error for `call` on `path`, its message taken from this thread's HDF5 error stack.
    /// Must be called right after the failing call: the next HDF5 API call clears the stack.
    static func fromErrorStack(call: String, path: String) -> HDF5Error {
        let entries = ErrorStack.currentEntries()
        guard let innermost = entries.last else {
            return HDF5Error(call: call, path: path, message: "HDF5 reported failure (empty error stack)")
        }
        var message = ErrorStack.conciseMessage(innermost.description)
        let locked = entries.contains(where: ErrorStack.isLockFailure)
        if locked {
            message = "the file is locked: another process, or another handle in this one, has it open (\(message))"
        }
        return HDF5Error(
            call: call, path: path, message: message,
            stack: entries.map { "\($0.function)(): \($0.description)" }, kind: locked ? .lockConflict : .library)
    }

    /// An error for a system call (`fsync`, `rename`, ...), its message from `errno`.
    static func fromErrno(call: String, path: String, errno code: Int32) -> HDF5Error {
        HDF5Error(call: call, path: path, message: String(cString: strerror(code)), kind: .system(code))
    }
}

/// Reads this thread's HDF5 error stack. The corresponding C function is `H5Ewalk2`.
enum ErrorStack {
    struct Entry {
        var function: String
        var description: String
    }

    static func currentEntries() -> [Entry] {
        var entries: [Entry] = []
        withUnsafeMutablePointer(to: &entries) { pointer in
            _ = H5Ewalk2(chdf5_e_default(), H5E_WALK_DOWNWARD, { _, error, clientData in
                guard let error, let clientData else { return 0 }
                let entries = clientData.assumingMemoryBound(to: [Entry].self)
                let function = error.pointee.func_name.map { String(cString: $0) } ?? "?"
                let description = error.pointee.desc.map { String(cString: $0) } ?? ""
                entries.pointee.append(Entry(function: function, description: description))
                return 0
            }, pointer)
        }
        return entries
    }

    static func isLockFailure(_ entry: Entry) -> Bool {
        entry.function == "H5F_open" && entry.description.hasPrefix("unable to lock the file")
    }

    /// The sec2 driver's messages embed the OS reason as "error message = 'No such file or
    /// directory'"; that reason alone is what a user needs, the rest repeats the file name and flags.
    static func conciseMessage(_ description: String) -> String {
        let marker = "error message = '"
        guard let start = description.firstRange(of: marker)?.upperBound,
            let end = description[start...].firstIndex(of: "'")
        else { return description.trimmingWhitespace() }
        return String(description[start..<end])
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

/// Throws unless an `herr_t` status is non-negative.
@inline(__always)
func check(_ status: herr_t, _ call: String, _ path: @autoclosure () -> String) throws {
    if status < 0 { throw HDF5Error.fromErrorStack(call: call, path: path()) }
}

/// Returns an `hid_t` unless it is negative (HDF5's failure value for identifiers).
@inline(__always)
func checkID(_ id: hid_t, _ call: String, _ path: @autoclosure () -> String) throws -> hid_t {
    if id < 0 { throw HDF5Error.fromErrorStack(call: call, path: path()) }
    return id
}

/// Returns an `htri_t` as a Bool unless it is negative.
@inline(__always)
func checkTri(_ value: htri_t, _ call: String, _ path: @autoclosure () -> String) throws -> Bool {
    if value < 0 { throw HDF5Error.fromErrorStack(call: call, path: path()) }
    return value > 0
}
