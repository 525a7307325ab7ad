/// `data.file: ….csv.gz` is read as gzip directly (zlib): the shipped MNIST file decompresses to
/// exactly what `gzip -dc` gives, multi-member files read whole, and damaged files fail with the
/// file named and the damage said (not gzip, corrupt, truncated, trailing bytes, over the limit).
import Foundation
import TestSupport
import Testing
@testable import QNN

struct GzipDatasetTests {
    /// gzip of "a,b,label\n1,2,0\n3,4,1\n" (Python gzip.compress, mtime 0).
    static let small: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x4b, 0xd4, 0x49, 0xd2, 0xc9, 0x49, 0x4c, 0x4a,
        0xcd, 0xe1, 0x32, 0xd4, 0x31, 0xd2, 0x31, 0xe0, 0x32, 0xd6, 0x31, 0xd1, 0x31, 0xe4, 0x02, 0x00, 0x48, 0x6b,
        0xf7, 0xe6, 0x16, 0x00, 0x00, 0x00,
    ]
    /// gzip of "5,6,0\n".
    static let second: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x33, 0xd5, 0x31, 0xd3, 0x31, 0xe0, 0x02, 0x00,
        0xac, 0x32, 0xc0, 0x3a, 0x06, 0x00, 0x00, 0x00,
    ]

    static func write(_ bytes: [UInt8], name: String = "t.csv.gz") throws -> String {
        let path = try TestConfigs.temporaryFolder() + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The error `Dataset.readCSV` throws for `bytes` saved as a .gz file, with the path it used.
    static func failure(_ bytes: [UInt8]) throws -> (path: String, message: String) {
        let path = try write(bytes)
        do {
            _ = try Dataset.readCSV(path)
            return (path, "")
        } catch {
            return (path, "\(error)")
        }
    }

    @Test("the shipped MNIST gzip decompresses to exactly what gzip -dc gives, and parses")
    func shippedMNIST() throws {
        let path = TestConfigs.repository.appendingPathComponent("data/mnist5000.csv.gz").path
        let ours = try GzipFile.read(path, limit: 1 << 30, what: "data")
        let theirs = try ChildProcess.run("/usr/bin/gzip", ["-dc", path], environment: TestEnvironment.childEnvironment())
        try #require(theirs.exitCode == 0, "\(theirs.stderr)")
        #expect(ours.count == 9_143_138)  // data/README.md: the uncompressed stream's size
        #expect(String(decoding: ours, as: UTF8.self) == theirs.stdout)
    }

    @Test("a small gzip CSV reads like the plain CSV; two concatenated members read whole")
    func members() throws {
        let one = try Dataset.readCSV(try Self.write(Self.small))
        #expect(one.features == [[1, 2], [3, 4]] && one.labels == [0, 1] && one.featureNames == ["a", "b"])
        let two = try Dataset.readCSV(try Self.write(Self.small + Self.second))
        #expect(two.features == [[1, 2], [3, 4], [5, 6]] && two.labels == [0, 1, 0])
    }

    @Test("damaged gzip files fail with the file named and the damage said")
    func damage() throws {
        var crc = Self.small
        crc[crc.count - 6] ^= 0x01  // a bit of the CRC-32 trailer
        var (path, message) = try Self.failure(crc)
        #expect(message.contains(path) && message.contains("corrupt") && message.contains("incorrect data check"), "\(message)")

        (path, message) = try Self.failure(Array(Self.small.prefix(Self.small.count - 5)))
        #expect(message.contains(path) && message.contains("truncated"), "\(message)")
        (path, message) = try Self.failure(Array(Self.small.prefix(12)))
        #expect(message.contains(path) && message.contains("truncated"), "\(message)")

        (path, message) = try Self.failure(Array("a,b,label\n1,2,0\n".utf8))
        #expect(message.contains(path) && message.contains("not gzip data"), "\(message)")
        (path, message) = try Self.failure([])
        #expect(message.contains(path) && message.contains("empty"), "\(message)")

        (path, message) = try Self.failure(Self.small + [0x00, 0x00, 0x00])
        #expect(message.contains(path) && message.contains("after the end of gzip member 1"), "\(message)")

        var header = Self.small
        header[2] = 0x07  // compression method other than deflate
        (path, message) = try Self.failure(header)
        #expect(message.contains(path) && message.contains("corrupt"), "\(message)")
    }

    @Test("decompression stops at the limit (a gzip bomb fails, it does not fill memory)")
    func limit() throws {
        #expect(try GzipFile.inflateAll(Self.small, limit: 22).count == 22)
        let error = #expect(throws: GzipFile.Failure.self) { try GzipFile.inflateAll(Self.small, limit: 21) }
        #expect(error?.reason.contains("more than the limit of 21 bytes") == true)
    }
}
