/// Errors from MPI calls. No raw C return code escapes the `MPI` module: every failed call becomes
/// an `MPIError` that names the call and carries the library's own explanation.
import CMPI

public struct MPIError: Error, CustomStringConvertible, Sendable {
    /// The C function that failed, e.g. "MPI_Bcast".
    public var call: String
    /// The MPI error code, or nil when the failure was detected on the Swift side.
    public var code: Int32?
    /// Human-readable cause.
    public var message: String

    init(call: String, code: Int32) {
        self.call = call
        self.code = code
        self.message = MPIError.errorString(code)
    }

    init(call: String, message: String) {
        self.call = call
        self.code = nil
        self.message = message
    }

    public var description: String { "\(call) failed: \(message)" }

    /// The corresponding C function is `MPI_Error_string`.
    static func errorString(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        var length: Int32 = 0
        guard MPI_Error_string(code, &buffer, &length) == mpiSuccess else { return "MPI error code \(code)" }
        return MPI.decodeCString(buffer, length: length)
    }
}

/// Turn an MPI return code into a thrown `MPIError`.
@inline(__always)
func check(_ code: Int32, _ call: @autoclosure () -> String) throws(MPIError) {
    if code != mpiSuccess { throw MPIError(call: call(), code: code) }
}

/// `MPI_SUCCESS` as the type MPI functions return.
let mpiSuccess = Int32(MPI_SUCCESS)
