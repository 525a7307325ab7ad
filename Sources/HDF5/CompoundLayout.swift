/// `CompoundLayout<Row>`: how a plain Swift struct maps to an HDF5 compound type (a numpy
/// structured dtype in h5py): field names, byte offsets taken from key paths, and element types.
import CHDF5

/// The fields of `Row` that a table stores, in file order.
///
/// ```swift
/// struct QueryRow { var query: Int64; var stage: FixedString<16>; var seconds: Double }
/// let layout = try CompoundLayout<QueryRow>([
///     .field("query", \.query), .field("stage", \.stage), .field("seconds", \.seconds),
/// ])
/// ```
///
/// The in-memory type uses `Row`'s real offsets (`MemoryLayout<Row>.offset(of:)`) and size; the
/// file type holds the same fields packed without padding. Fields of `Row` not listed are neither
/// written nor read (they read back as zero bytes).
public struct CompoundLayout<Row: BitwiseCopyable>: Sendable {
    /// One stored field: its name in the file, its type, and where it sits in `Row`.
    public struct Field: Sendable {
        /// What a field holds.
        public enum Kind: Sendable, Equatable {
            case number(ElementKind)
            /// A NUL-padded UTF-8 string of exactly `length` bytes (`FixedString<length>`).
            case fixedString(length: Int)
        }

        public let name: String
        public let kind: Kind
        /// Byte offset in `Row`; nil if the key path is not a stored property (checked by the
        /// layout's initializer, which can throw where this factory cannot).
        let offset: Int?

        /// A numeric field (`Double`, `Float`, `Int`, `Int64`, `Int32`).
        public static func field<Value: DatasetElement>(_ name: String, _ keyPath: KeyPath<Row, Value>)
            -> Field
        {
            Field(name: name, kind: .number(Value.elementKind), offset: MemoryLayout<Row>.offset(of: keyPath))
        }

        /// A fixed-length string field.
        public static func field<let N: Int>(_ name: String, _ keyPath: KeyPath<Row, FixedString<N>>)
            -> Field
        {
            Field(name: name, kind: .fixedString(length: N), offset: MemoryLayout<Row>.offset(of: keyPath))
        }

        var byteCount: Int {
            switch kind {
            case .number(let element): element.byteCount
            case .fixedString(let length): length
            }
        }
    }

    public let fields: [Field]

    /// Checks that there is at least one field, names are unique and non-empty, every key path is
    /// a stored property, and fields do not overlap.
    public init(_ fields: [Field]) throws {
        func fail(_ message: String) -> HDF5Error {
            HDF5Error(call: "CompoundLayout", path: "\(Row.self)", message: message, kind: .invalidRequest)
        }
        if fields.isEmpty { throw fail("a compound layout needs at least one field") }
        var seen = Set<String>()
        for field in fields {
            if field.name.isEmpty { throw fail("a field has an empty name") }
            if !seen.insert(field.name).inserted { throw fail("field name '\(field.name)' appears twice") }
            if field.offset == nil {
                throw fail("field '\(field.name)': its key path is not a stored property of \(Row.self)")
            }
            if case .fixedString(let length) = field.kind, length <= 0 {
                throw fail("field '\(field.name)': a fixed string needs at least one byte")
            }
        }
        let byOffset = fields.sorted { $0.offset! < $1.offset! }
        for (field, next) in zip(byOffset, byOffset.dropFirst())
        where field.offset! + field.byteCount > next.offset! {
            throw fail("fields '\(field.name)' and '\(next.name)' overlap in \(Row.self)")
        }
        self.fields = fields
    }

    /// The compound type describing `Row` in memory. The corresponding C function is `H5Tinsert`.
    func memoryType(_ path: String) throws -> TemporaryID {
        try compoundType(path) { $0.memoryType }
    }

    /// The packed compound type written to files. The corresponding C function is `H5Tpack`.
    func fileType(_ path: String) throws -> TemporaryID {
        let type = try compoundType(path) { $0.fileType }
        try check(H5Tpack(type.id), "H5Tpack", path)
        return type
    }

    private func compoundType(_ path: String, _ numberType: (ElementKind) -> hid_t) throws -> TemporaryID {
        let type = try TemporaryID(
            H5Tcreate(H5T_COMPOUND, MemoryLayout<Row>.stride), .datatype, "H5Tcreate", path)
        for field in fields {
            switch field.kind {
            case .number(let element):
                try check(
                    H5Tinsert(type.id, field.name, field.offset!, numberType(element)), "H5Tinsert", path)
            case .fixedString(let length):
                // H5Tinsert copies the member type, so the string type can go when this scope ends.
                let stringType = try fixedStringType(length: length, path)
                try check(H5Tinsert(type.id, field.name, field.offset!, stringType.id), "H5Tinsert", path)
            }
        }
        return type
    }
}

/// A NUL-padded UTF-8 string type of `length` bytes (numpy "S<length>" in h5py).
/// The corresponding C function is `H5Tset_size`.
func fixedStringType(length: Int, _ path: String) throws -> TemporaryID {
    let type = try TemporaryID(H5Tcopy(chdf5_c_s1()), .datatype, "H5Tcopy", path)
    try check(H5Tset_size(type.id, length), "H5Tset_size", path)
    try check(H5Tset_strpad(type.id, H5T_STR_NULLPAD), "H5Tset_strpad", path)
    try check(H5Tset_cset(type.id, H5T_CSET_UTF8), "H5Tset_cset", path)
    return type
}
