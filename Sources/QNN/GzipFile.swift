/// Reading a gzip-compressed input (`data.file: ….csv.gz`) straight into memory with zlib's
/// inflate (Debian's zlib1g, the CZlib module), so shipped datasets need no unpacking step.
///
/// Bounded like every input: the compressed file through `InputFile.read` (regular file, size
/// limit), the decompressed bytes stop at `limit` (a gzip bomb fails at the limit, not at memory
/// exhaustion). Damage is named: not gzip at all, corrupt data (zlib's own reason, e.g. a CRC
/// mismatch), a stream that ends early (truncated copy or download), bytes after the end.
import Circuits
import CZlib

public enum GzipFile {
    /// The decompressed contents of the gzip file at `path`: every member, as `gzip -dc` reads a
    /// concatenation of gzip files. At most `limit` bytes compressed and `limit` decompressed.
    public static func read(_ path: String, limit: Int, what: String) throws(InputFileError) -> [UInt8] {
        let compressed = try InputFile.read(path, limit: limit, what: what)
        do {
            return try inflateAll(compressed, limit: limit)
        } catch let failure {
            throw InputFileError(path: path, reason: "the \(what) file is gzip-compressed (by its .gz name) but \(failure.reason)")
        }
    }

    /// Why inflating failed, worded to follow "…but ".
    struct Failure: Error { var reason: String }

    static func inflateAll(_ compressed: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        guard compressed.count >= 2, compressed[0] == 0x1f, compressed[1] == 0x8b else {
            throw Failure(reason: compressed.isEmpty ? "it is empty" : "it does not start with the gzip magic bytes 1f 8b (not gzip data)")
        }
        guard compressed.count <= Int(UInt32.max) else { throw Failure(reason: "it is larger than zlib's 4 GiB input window") }
        var stream = z_stream()
        // 15 + 16: a 32 KiB window and the gzip wrapper (header, CRC-32 and length trailer checked).
        guard czlib_inflate_init2(&stream, 15 + 16) == Z_OK else { throw Failure(reason: "zlib could not start inflating (out of memory?)") }
        defer { inflateEnd(&stream) }
        let chunk = 1 << 20
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        defer { buffer.deallocate() }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, compressed.count * 4))
        var members = 1
        return try compressed.withUnsafeBufferPointer { (input) throws(Failure) -> [UInt8] in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!)
            stream.avail_in = UInt32(input.count)
            while true {
                stream.next_out = buffer
                stream.avail_out = UInt32(chunk)
                let status = inflate(&stream, Z_NO_FLUSH)
                let produced = chunk - Int(stream.avail_out)
                guard output.count + produced <= limit else {
                    throw Failure(reason: "it decompresses to more than the limit of \(limit) bytes")
                }
                output.append(contentsOf: UnsafeBufferPointer(start: buffer, count: produced))
                let consumed = input.count - Int(stream.avail_in)
                switch status {
                case Z_STREAM_END:
                    if stream.avail_in == 0 { return output }
                    // Another member follows (`cat a.gz b.gz`), or trailing bytes that are not gzip.
                    guard stream.avail_in >= 2, stream.next_in[0] == 0x1f, stream.next_in[1] == 0x8b else {
                        throw Failure(reason: "\(stream.avail_in) byte(s) after the end of gzip member \(members) (at compressed byte \(consumed)) are not gzip data")
                    }
                    members += 1
                    guard inflateReset(&stream) == Z_OK else { throw Failure(reason: "zlib could not restart for member \(members)") }
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw Failure(reason: "it is truncated: the compressed data ends after \(input.count) bytes without the end of gzip member \(members) (an interrupted copy or download?)")
                case Z_DATA_ERROR, Z_NEED_DICT:
                    let zlibReason = stream.msg.map { String(cString: $0) } ?? "invalid data"
                    throw Failure(reason: "it is corrupt: \(zlibReason) in gzip member \(members), near compressed byte \(consumed)")
                case Z_MEM_ERROR:
                    throw Failure(reason: "zlib ran out of memory")
                default:
                    throw Failure(reason: "zlib inflate failed with status \(status) near compressed byte \(consumed)")
                }
            }
        }
    }
}
