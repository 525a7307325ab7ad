/// Process-wide MPI state: initialise once, finalize once, library facts, wall clock, abort.
///
/// A process started without `mpirun` gets a singleton world of size 1, so every command and test
/// can link and use MPI. `MPI_Init` may run only once per process; `MPI.initialize()` is idempotent
/// and thread-safe.
import CMPI
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public enum MPI {
    private static let state = Mutex<(initialized: Bool, finalized: Bool)>((false, false))

    /// Initialise MPI (once per process) and make `MPI_COMM_WORLD` and `MPI_COMM_SELF` return errors instead of
    /// aborting, so failures surface as `MPIError`. Safe to call repeatedly.
    /// The corresponding C function is `MPI_Init`.
    public static func initialize() throws(MPIError) {
        let result: Result<Void, MPIError> = state.withLock { s in
            if s.initialized { return .success(()) }
            if s.finalized { return .failure(MPIError(call: "MPI_Init", message: "MPI was already finalized in this process")) }
            var already: Int32 = 0
            MPI_Initialized(&already)
            if already == 0 {
                let code = MPI_Init(nil, nil)
                if code != mpiSuccess { return .failure(MPIError(call: "MPI_Init", code: code)) }
            }
            for comm in [cmpi_comm_world(), cmpi_comm_self()] {
                let code = MPI_Comm_set_errhandler(comm, cmpi_errors_return())
                if code != mpiSuccess { return .failure(MPIError(call: "MPI_Comm_set_errhandler", code: code)) }
            }
            s.initialized = true
            return .success(())
        }
        try result.get()
    }

    /// True between a successful `initialize()` and `finalize()`.
    public static var isInitialized: Bool { state.withLock { $0.initialized } }

    /// Finalize MPI. Every rank must call it before exiting normally, or mpirun reports failure.
    /// The corresponding C function is `MPI_Finalize`.
    public static func finalize() throws(MPIError) {
        let code: Int32 = state.withLock { s in
            guard s.initialized, !s.finalized else { return mpiSuccess }
            s.finalized = true
            s.initialized = false
            return MPI_Finalize()
        }
        try check(code, "MPI_Finalize")
    }

    /// Seconds since an arbitrary origin; use differences only.
    /// The corresponding C function is `MPI_Wtime`.
    public static func wallTime() -> Double { MPI_Wtime() }

    /// The MPI library's version banner, e.g. "Open MPI v4.1.4, ...".
    /// The corresponding C function is `MPI_Get_library_version`.
    public static func libraryVersion() throws(MPIError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_library_version_string()) + 1)
        var length: Int32 = 0
        try check(MPI_Get_library_version(&buffer, &length), "MPI_Get_library_version")
        return decodeCString(buffer, length: length)
    }

    /// The MPI standard version implemented, e.g. (3, 1).
    /// The corresponding C function is `MPI_Get_version`.
    public static func standardVersion() throws(MPIError) -> (major: Int, minor: Int) {
        var major: Int32 = 0, minor: Int32 = 0
        try check(MPI_Get_version(&major, &minor), "MPI_Get_version")
        return (Int(major), Int(minor))
    }

    /// This process's host name as MPI sees it.
    /// The corresponding C function is `MPI_Get_processor_name`.
    public static func processorName() throws(MPIError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_processor_name()) + 1)
        var length: Int32 = 0
        try check(MPI_Get_processor_name(&buffer, &length), "MPI_Get_processor_name")
        return decodeCString(buffer, length: length)
    }

    /// End every process of the job with `exitCode` (mpirun exits with it). Does not return.
    /// The corresponding C function is `MPI_Abort`.
    public static func abort(exitCode: Int32) -> Never {
        MPI_Abort(cmpi_comm_world(), exitCode)
        // MPI_Abort should not return; if the library does, still end this process.
        exit(exitCode)
    }

    static func decodeCString(_ buffer: [CChar], length: Int32) -> String {
        let bytes = buffer.prefix(Int(max(0, length))).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters()
    }
}


extension String {
    fileprivate func trimmingCharacters() -> String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == " " || last == "\0" { s.removeLast() }
        return String(s)
    }
}
