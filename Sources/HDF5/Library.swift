/// The HDF5 library as a whole: its version, and the per-thread setup every wrapper runs first.
import CHDF5

/// The HDF5 library this binary is linked against.
public enum Library {
    /// The library version, e.g. (1, 10, 8). The corresponding C function is `H5get_libversion`.
    public static func version() throws -> (major: Int, minor: Int, release: Int) {
        prepareThread()
        var major: UInt32 = 0
        var minor: UInt32 = 0
        var release: UInt32 = 0
        try check(H5get_libversion(&major, &minor, &release), "H5get_libversion", "HDF5 library")
        return (Int(major), Int(minor), Int(release))
    }

    /// The library version as "1.10.8", for `qnncut info`. The corresponding C function is
    /// `H5get_libversion`.
    public static func versionString() throws -> String {
        let v = try version()
        return "\(v.major).\(v.minor).\(v.release)"
    }

    /// Silences HDF5's automatic error printing on the calling thread, once. Every wrapper calls
    /// this before its first HDF5 call: failures are reported as `HDF5Error`, and HDF5 printing
    /// its own stack to stderr as well would only duplicate them (and interleave across ranks).
    /// The corresponding C function is `H5Eset_auto2`.
    @inline(__always)
    static func prepareThread() {
        chdf5_silence_errors_on_this_thread()
    }
}
