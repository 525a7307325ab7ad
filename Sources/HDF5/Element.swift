/// The numeric element types datasets and table fields hold, and their HDF5 memory and file types.
import CHDF5

/// The numeric kinds HDF5 stores here: in memory the native type, on disk the little-endian
/// standard type of the same width (what h5py writes for float64/int64/...).
public enum ElementKind: Sendable, Equatable {
    case float64, float32, int64, int32

    /// The native type Swift values have in memory. `H5T_NATIVE_*` are library globals, so the
    /// identifiers are predefined and never closed.
    var memoryType: hid_t {
        switch self {
        case .float64: chdf5_native_double()
        case .float32: chdf5_native_float()
        case .int64: chdf5_native_int64()
        case .int32: chdf5_native_int32()
        }
    }

    /// The type written to the file.
    var fileType: hid_t {
        switch self {
        case .float64: chdf5_ieee_f64le()
        case .float32: chdf5_ieee_f32le()
        case .int64: chdf5_std_i64le()
        case .int32: chdf5_std_i32le()
        }
    }

    /// Integer or floating point: what a stored type must match to be read as this kind (HDF5
    /// converts between widths, but reading floats as integers would silently truncate).
    var typeClass: H5T_class_t {
        switch self {
        case .float64, .float32: H5T_FLOAT
        case .int64, .int32: H5T_INTEGER
        }
    }

    var byteCount: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        }
    }
}

/// A Swift number that can be an element of a dataset or a field of a table row.
public protocol DatasetElement: BitwiseCopyable, Sendable {
    static var elementKind: ElementKind { get }
}

extension Double: DatasetElement { public static var elementKind: ElementKind { .float64 } }
extension Float: DatasetElement { public static var elementKind: ElementKind { .float32 } }
extension Int64: DatasetElement { public static var elementKind: ElementKind { .int64 } }
extension Int32: DatasetElement { public static var elementKind: ElementKind { .int32 } }
extension Int: DatasetElement {
    /// `Int` is 64-bit on every platform this project supports (checked below at first use).
    public static var elementKind: ElementKind {
        precondition(MemoryLayout<Int>.size == 8, "HDF5 module assumes a 64-bit Int")
        return .int64
    }
}

/// The class of a datatype as a word for error messages ("integer", "float", "string", ...).
func typeClassName(_ typeClass: H5T_class_t) -> String {
    switch typeClass {
    case H5T_INTEGER: "integer"
    case H5T_FLOAT: "float"
    case H5T_STRING: "string"
    case H5T_COMPOUND: "compound"
    case H5T_ARRAY: "array"
    case H5T_ENUM: "enum"
    case H5T_VLEN: "variable-length sequence"
    case H5T_OPAQUE: "opaque"
    case H5T_REFERENCE: "reference"
    case H5T_BITFIELD: "bitfield"
    case H5T_TIME: "time"
    default: "unknown"
    }
}
