/// Attributes of files, groups, datasets and tables (h5py's `obj.attrs`): integers, doubles, their
/// arrays, and variable-length UTF-8 strings (which h5py reads back as `str`).
import CHDF5

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The value of an attribute as stored: a scalar or a 1-D array of 64-bit integers, doubles or
/// strings. Scalars are written with a scalar dataspace, arrays with a 1-D one, as h5py does.
public enum AttributeData: Sendable, Equatable {
    case int(Int)
    case ints([Int])
    case double(Double)
    case doubles([Double])
    case string(String)
    case strings([String])
}

/// A Swift type that can be stored as an attribute and read back.
public protocol AttributeValue: Sendable {
    /// The stored form of this value.
    var attributeData: AttributeData { get }
    /// The value, or nil if the stored data is of another kind. A one-element array converts to a
    /// scalar and a scalar to a one-element array.
    init?(attributeData: AttributeData)
}

extension AttributeData: AttributeValue {
    public var attributeData: AttributeData { self }
    public init?(attributeData: AttributeData) { self = attributeData }
}

extension Int: AttributeValue {
    public var attributeData: AttributeData { .int(self) }
    public init?(attributeData: AttributeData) {
        switch attributeData {
        case .int(let value): self = value
        case .ints(let values) where values.count == 1: self = values[0]
        default: return nil
        }
    }
}

extension Double: AttributeValue {
    public var attributeData: AttributeData { .double(self) }
    public init?(attributeData: AttributeData) {
        switch attributeData {
        case .double(let value): self = value
        case .doubles(let values) where values.count == 1: self = values[0]
        default: return nil
        }
    }
}

extension String: AttributeValue {
    public var attributeData: AttributeData { .string(self) }
    public init?(attributeData: AttributeData) {
        switch attributeData {
        case .string(let value): self = value
        case .strings(let values) where values.count == 1: self = values[0]
        default: return nil
        }
    }
}

extension Array: AttributeValue where Element: AttributeArrayElement {
    public var attributeData: AttributeData { Element.arrayData(self) }
    public init?(attributeData: AttributeData) {
        guard let values = Element.array(from: attributeData) else { return nil }
        self = values
    }
}

/// Element types of array attributes: `[Int]`, `[Double]`, `[String]`.
public protocol AttributeArrayElement: Sendable {
    static func arrayData(_ values: [Self]) -> AttributeData
    static func array(from data: AttributeData) -> [Self]?
}

extension Int: AttributeArrayElement {
    public static func arrayData(_ values: [Int]) -> AttributeData { .ints(values) }
    public static func array(from data: AttributeData) -> [Int]? {
        switch data {
        case .ints(let values): values
        case .int(let value): [value]
        default: nil
        }
    }
}

extension Double: AttributeArrayElement {
    public static func arrayData(_ values: [Double]) -> AttributeData { .doubles(values) }
    public static func array(from data: AttributeData) -> [Double]? {
        switch data {
        case .doubles(let values): values
        case .double(let value): [value]
        default: nil
        }
    }
}

extension String: AttributeArrayElement {
    public static func arrayData(_ values: [String]) -> AttributeData { .strings(values) }
    public static func array(from data: AttributeData) -> [String]? {
        switch data {
        case .strings(let values): values
        case .string(let value): [value]
        default: nil
        }
    }
}

extension AttributeData {
    /// "Int", "[Double] of 3", ...: what the stored value is, for type-mismatch errors.
    var kindDescription: String {
        switch self {
        case .int: "Int"
        case .ints(let v): "[Int] of \(v.count)"
        case .double: "Double"
        case .doubles(let v): "[Double] of \(v.count)"
        case .string: "String"
        case .strings(let v): "[String] of \(v.count)"
        }
    }
}

extension HDF5Object {
    /// Sets an attribute, replacing any attribute of that name (as `obj.attrs[name] = value` in
    /// h5py). Like h5py, a replacement is written under a temporary name first, so a failed write
    /// leaves the old value in place. The corresponding C function is `H5Awrite`.
    public func setAttribute<Value: AttributeValue>(_ name: String, _ value: Value) throws {
        try handle.ensureOpen("H5Awrite")
        let path = attributePath(name)
        let replacing = try hasAttribute(name)
        let target = replacing ? "\(name).replacing-\(UInt64.random(in: 0...UInt64.max))" : name
        do {
            switch value.attributeData {
            case .int(let v): try writeNumbers([Int64(v)], kind: .int64, scalar: true, target, path)
            case .ints(let v): try writeNumbers(v.map { Int64($0) }, kind: .int64, scalar: false, target, path)
            case .double(let v): try writeNumbers([v], kind: .float64, scalar: true, target, path)
            case .doubles(let v): try writeNumbers(v, kind: .float64, scalar: false, target, path)
            case .string(let v): try writeStrings([v], scalar: true, target, path)
            case .strings(let v): try writeStrings(v, scalar: false, target, path)
            }
        } catch {
            if replacing { _ = H5Adelete(handle.id, target) }
            throw error
        }
        if replacing {
            try check(H5Adelete(handle.id, name), "H5Adelete", path)
            try check(H5Arename(handle.id, target, name), "H5Arename", path)
        }
    }

    /// Reads an attribute as `type`; throws if it is missing or holds another kind of value.
    /// The corresponding C function is `H5Aread`.
    public func attribute<Value: AttributeValue>(_ name: String, as type: Value.Type = Value.self)
        throws -> Value
    {
        let data = try attribute(name)
        guard let value = Value(attributeData: data) else {
            throw HDF5Error(
                call: "H5Aread", path: attributePath(name),
                message: "attribute holds \(data.kindDescription), not \(Value.self)")
        }
        return value
    }

    /// Reads an attribute as stored. Integers of any width read as `Int`, floats as `Double`,
    /// variable- and fixed-length strings as `String`. The corresponding C function is `H5Aread`.
    public func attribute(_ name: String) throws -> AttributeData {
        try handle.ensureOpen("H5Aread")
        let path = attributePath(name)
        let attr = try TemporaryID(
            H5Aopen(handle.id, name, chdf5_p_default()), .attribute, "H5Aopen", path)
        let fileType = try TemporaryID(H5Aget_type(attr.id), .datatype, "H5Aget_type", path)
        let space = try TemporaryID(H5Aget_space(attr.id), .dataspace, "H5Aget_space", path)
        let count = Int(H5Sget_simple_extent_npoints(space.id))
        if count < 0 { throw HDF5Error.fromErrorStack(call: "H5Sget_simple_extent_npoints", path: path) }
        // Attributes are small metadata; a crafted file may declare any size, so bound what is
        // allocated before reading.
        guard count <= maxAttributeElements else {
            throw HDF5Error(call: "H5Aread", path: path, message: "declares \(count) elements; attributes hold at most \(maxAttributeElements)")
        }
        let scalar = H5Sget_simple_extent_type(space.id) == H5S_SCALAR
        let typeClass = H5Tget_class(fileType.id)
        switch typeClass {
        case H5T_INTEGER:
            var values = [Int64](repeating: 0, count: count)
            if count > 0 {
                try check(H5Aread(attr.id, chdf5_native_int64(), &values), "H5Aread", path)
            }
            return scalar ? .int(Int(values[0])) : .ints(values.map { Int($0) })
        case H5T_FLOAT:
            var values = [Double](repeating: 0, count: count)
            if count > 0 {
                try check(H5Aread(attr.id, chdf5_native_double(), &values), "H5Aread", path)
            }
            return scalar ? .double(values[0]) : .doubles(values)
        case H5T_STRING:
            let values = try readStrings(attr.id, fileType.id, space.id, count: count, path)
            return scalar ? .string(values[0]) : .strings(values)
        default:
            throw HDF5Error(
                call: "H5Aread", path: path,
                message: "attribute has \(typeClassName(typeClass)) type; only integer, float and string attributes are supported")
        }
    }

    /// The names of this object's attributes, in name order. The corresponding C function is
    /// `H5Aiterate2`.
    public func attributeNames() throws -> [String] {
        try handle.ensureOpen("H5Aiterate2")
        var names: [String] = []
        let status = withUnsafeMutablePointer(to: &names) { pointer in
            H5Aiterate2(handle.id, H5_INDEX_NAME, H5_ITER_INC, nil, { _, name, _, data in
                guard let name, let data else { return -1 }
                data.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
                return 0
            }, pointer)
        }
        try check(status, "H5Aiterate2", handle.displayPath)
        return names
    }

    /// Whether the attribute exists. The corresponding C function is `H5Aexists`.
    public func hasAttribute(_ name: String) throws -> Bool {
        try handle.ensureOpen("H5Aexists")
        return try checkTri(H5Aexists(handle.id, name), "H5Aexists", attributePath(name))
    }

    /// Deletes the attribute. The corresponding C function is `H5Adelete`.
    public func deleteAttribute(_ name: String) throws {
        try handle.ensureOpen("H5Adelete")
        try check(H5Adelete(handle.id, name), "H5Adelete", attributePath(name))
    }

    /// "file.h5:/group@name": the attribute as error messages name it.
    func attributePath(_ name: String) -> String {
        "\(handle.file.path):\(handle.objectPath)@\(name)"
    }

    private func writeNumbers<T: BitwiseCopyable>(
        _ values: [T], kind: ElementKind, scalar: Bool, _ name: String, _ path: String
    ) throws {
        let space = scalar ? try TemporaryID.scalarDataspace(path) : try TemporaryID.simpleDataspace([values.count], path)
        let attr = try TemporaryID(
            H5Acreate2(handle.id, name, kind.fileType, space.id, chdf5_p_default(), chdf5_p_default()),
            .attribute, "H5Acreate2", path)
        if values.isEmpty { return }
        try values.withUnsafeBytes { bytes in
            try check(H5Awrite(attr.id, kind.memoryType, bytes.baseAddress), "H5Awrite", path)
        }
    }

    private func writeStrings(_ values: [String], scalar: Bool, _ name: String, _ path: String) throws {
        let type = try variableLengthUTF8StringType(path)
        let space = scalar ? try TemporaryID.scalarDataspace(path) : try TemporaryID.simpleDataspace([values.count], path)
        let attr = try TemporaryID(
            H5Acreate2(handle.id, name, type.id, space.id, chdf5_p_default(), chdf5_p_default()),
            .attribute, "H5Acreate2", path)
        if values.isEmpty { return }
        // HDF5 reads a variable-length string buffer as an array of `char *`; strdup keeps each C
        // string alive for the whole call.
        let pointers: [UnsafeMutablePointer<CChar>?] = values.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        try pointers.withUnsafeBytes { bytes in
            try check(H5Awrite(attr.id, type.id, bytes.baseAddress), "H5Awrite", path)
        }
    }
}

/// The variable-length UTF-8 string type (h5py's `str` attributes). The corresponding C function
/// is `H5Tset_size` with `H5T_VARIABLE`.
func variableLengthUTF8StringType(_ path: String) throws -> TemporaryID {
    let type = try TemporaryID(H5Tcopy(chdf5_c_s1()), .datatype, "H5Tcopy", path)
    try check(H5Tset_size(type.id, chdf5_variable()), "H5Tset_size", path)
    try check(H5Tset_cset(type.id, H5T_CSET_UTF8), "H5Tset_cset", path)
    return type
}

/// The most elements an attribute may declare for `attribute(_:)` to read it.
let maxAttributeElements = 1 << 20

/// Reads `count` strings from an attribute whose type is `fileType`: variable-length strings as
/// `char *` (freed with `H5Dvlen_reclaim`), fixed-length ones as padded byte runs.
private func readStrings(_ attr: hid_t, _ fileType: hid_t, _ space: hid_t, count: Int, _ path: String)
    throws -> [String]
{
    if count == 0 { return [] }
    let memoryType = try TemporaryID(H5Tcopy(fileType), .datatype, "H5Tcopy", path)
    let isVariable = try checkTri(H5Tis_variable_str(fileType), "H5Tis_variable_str", path)
    if isVariable {
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        try check(H5Aread(attr, memoryType.id, &pointers), "H5Aread", path)
        let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
        try check(
            H5Dvlen_reclaim(memoryType.id, space, chdf5_p_default(), &pointers), "H5Dvlen_reclaim", path)
        return strings
    }
    let size = H5Tget_size(fileType)
    if size == 0 { throw HDF5Error.fromErrorStack(call: "H5Tget_size", path: path) }
    guard size <= 1 << 26, count * size <= 1 << 26 else {
        throw HDF5Error(call: "H5Aread", path: path, message: "declares \(count) strings of \(size) bytes; too large for an attribute")
    }
    var bytes = [UInt8](repeating: 0, count: count * size)
    try check(H5Aread(attr, memoryType.id, &bytes), "H5Aread", path)
    let spacePadded = H5Tget_strpad(fileType) == H5T_STR_SPACEPAD
    return (0..<count).map { index in
        decodePaddedString(bytes[(index * size)..<((index + 1) * size)], spacePadded: spacePadded)
    }
}

/// The text of a fixed-length HDF5 string: up to the first NUL, trailing spaces dropped for
/// space-padded strings. Invalid UTF-8 is replaced, not rejected (files from other tools).
func decodePaddedString<Bytes: Collection<UInt8>>(_ bytes: Bytes, spacePadded: Bool) -> String {
    var text = Array(bytes.prefix { $0 != 0 })
    if spacePadded {
        while text.last == UInt8(ascii: " ") { text.removeLast() }
    }
    return String(decoding: text, as: UTF8.self)
}
