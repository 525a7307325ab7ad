/// 64-bit FNV-1a: the content hash behind plan digests (ranks agree on a plan), file seals
/// (checkpoints and traces are ours and whole), config hashes (a resume matches its run) and
/// checkpoint digests. Not cryptographic: it detects accidents, not adversaries.
public struct FNV1a: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    /// Hash of `bytes` in one call.
    public init<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 { add(bytes) }

    public mutating func add<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    }

    /// A 64-bit word as its eight little-endian bytes.
    public mutating func add(word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { add(CollectionOfOne(UInt8(truncatingIfNeeded: word >> UInt64(shift)))) }
    }

    /// Lower-case hex without leading zeros.
    public var hex: String { String(value, radix: 16) }

    /// Lower-case hex, always 16 digits.
    public var paddedHex: String {
        let digits = hex
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
