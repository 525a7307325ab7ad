/// `FixedString<N>`: an N-byte, NUL-padded UTF-8 string stored inline, so that a table row holding
/// one stays a plain struct that HDF5 can copy (h5py reads such fields as `bytes`, dtype "S<N>").

/// Text stored in exactly `N` bytes, NUL-padded. Longer text is cut at the last whole UTF-8
/// character that fits.
public struct FixedString<let N: Int>: BitwiseCopyable, Sendable, Equatable, Hashable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    /// The raw bytes, NUL after the text.
    public var bytes: InlineArray<N, UInt8>

    public init(_ text: String) {
        bytes = InlineArray(repeating: 0)
        var length = 0
        for scalar in text.unicodeScalars {
            if length + UTF8.width(scalar) > N { break }
            UTF8.encode(scalar) { byte in
                bytes[length] = byte
                length += 1
            }
        }
    }

    public init(stringLiteral text: String) {
        self.init(text)
    }

    /// The text: the bytes up to the first NUL.
    public var string: String {
        var text: [UInt8] = []
        for index in bytes.indices {
            if bytes[index] == 0 { break }
            text.append(bytes[index])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { string }

    public static func == (lhs: FixedString, rhs: FixedString) -> Bool {
        for index in lhs.bytes.indices where lhs.bytes[index] != rhs.bytes[index] { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        for index in bytes.indices { hasher.combine(bytes[index]) }
    }
}
