/// A checksum over a whole HDF5 file, kept in the file's user block, checked before HDF5 parses a
/// single byte of it.
///
/// Why: HDF5 1.10 trusts its own metadata. A flipped bit in a global heap or an object header can
/// make `H5Aread` or `H5Dread` read wild memory and crash the process (seen in fuzzing: 5 of 600
/// bit-flipped checkpoints). Files we write in one go (checkpoints, through `writeAtomically(to:
/// sealed: true)`) reserve a 512-byte user block — space at the start of the file that HDF5 skips —
/// and, once the file is complete, get a seal there: the byte count and an FNV-1a 64 hash of every
/// byte after the user block. A reader verifies the seal first, so a damaged or truncated file is
/// refused by Swift code, never parsed by HDF5. (A deliberately crafted file can carry a valid
/// seal; the structural checks of `UntrustedInput.swift` are for those.)
import Support
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public enum FileSeal {
    /// The user block's size: the smallest HDF5 allows.
    public static let userBlockBytes = 512
    static let magic = "qnncut-seal 1\n"
    /// The first bytes of an HDF5 file without a user block.
    static let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

    /// What `verify` found.
    public enum State: Sendable, Equatable {
        /// The seal matches every byte.
        case sealed
        /// A plain HDF5 file with no user block (written before seals existed).
        case unsealed
    }

    /// Writes the seal of the complete file at `path` into its user block. The corresponding C
    /// functions are `pread` and `pwrite`.
    public static func seal(_ path: String) throws {
        let bytes = try readAll(path, maxBytes: Int.max)
        guard bytes.count >= userBlockBytes else {
            throw HDF5Error(call: "seal", path: path, message: "the file has no user block to hold a seal")
        }
        let header = Array(sealText(bytes).utf8)
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        if descriptor < 0 { throw HDF5Error.fromErrno(call: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        var block = [UInt8](repeating: 0, count: userBlockBytes)
        block.replaceSubrange(0 ..< header.count, with: header)
        let written = block.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        if written != userBlockBytes { throw HDF5Error.fromErrno(call: "pwrite", path: path, errno: errno) }
    }

    /// Checks the seal of the file at `path` (at most `maxBytes` long) before anything else reads
    /// it. Returns `.unsealed` for a plain HDF5 file (signature at byte 0); throws when a seal is
    /// missing, damaged, or does not match the bytes after it (a flipped bit, a truncation).
    public static func verify(_ path: String, maxBytes: Int) throws -> State {
        let bytes = try readAll(path, maxBytes: maxBytes)
        if bytes.starts(with: hdf5Signature) { return .unsealed }
        guard bytes.count >= userBlockBytes else {
            throw HDF5Error(call: "seal", path: path, message: "the file is truncated (\(bytes.count) bytes) or not HDF5")
        }
        let stored = String(decoding: bytes.prefix(userBlockBytes).prefix { $0 != 0 }, as: UTF8.self)
        guard stored.hasPrefix(magic) else {
            throw HDF5Error(call: "seal", path: path, message: "no valid seal in the user block: the file is damaged or not ours")
        }
        guard stored == sealText(bytes) else {
            throw HDF5Error(call: "seal", path: path, message: "the seal does not match the file's bytes: the file is damaged or truncated")
        }
        return .sealed
    }

    /// The seal's text for a file's bytes.
    static func sealText(_ bytes: [UInt8]) -> String {
        return magic + "bytes \(bytes.count)\nfnv1a64 \(FNV1a(bytes[userBlockBytes...]).hex)\n"
    }

    /// The whole regular file at `path`, if at most `maxBytes` long.
    static func readAll(_ path: String, maxBytes: Int) throws -> [UInt8] {
        try requireRegularFile(path, call: "open")
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 { throw HDF5Error.fromErrno(call: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) != 0 { throw HDF5Error.fromErrno(call: "fstat", path: path, errno: errno) }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            throw HDF5Error(call: "open", path: path, message: "\(size) bytes; at most \(maxBytes) are expected")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let n = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + filled, size - filled, off_t(filled)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw HDF5Error.fromErrno(call: "pread", path: path, errno: errno) }
            if n == 0 { break }
            filled += n
        }
        return Array(bytes.prefix(filled))
    }
}
