/// Packed matrices of constant gates, remembered per process.
///
/// Why: a plan with many cuts on one boundary compiles hundreds of thousands of fragment circuits
/// that share their constant gates (only the cut sides' local operations differ between
/// settings). Building a gate's dense matrix, its adjoint and their packed forms costs far more
/// than looking them up, so `PreparedCircuit` asks here first. The cache holds at most
/// `capacity` gates (a few MB); beyond that matrices are built every time, as before.
import Circuits
import Synchronization

enum ConstantMatrixCache {
    struct Key: Hashable {
        /// The gate kind's case number: `GateKind` hashes its String raw value, which costs more
        /// than the lookup saves.
        var kind: UInt8
        var a0: UInt64, a1: UInt64, a2: UInt64
    }

    static let capacity = 1 << 16
    private static let entries = Mutex<[Key: [Double]]>([:])

    /// The packed forward matrix followed by the packed inverse (2 · packedCount doubles).
    static func packed(kind: GateKind, angles: AngleValues, operation: Operation, packedCount: Int) -> [Double] {
        // A payload-free enum with fewer than 256 cases is stored as its case number.
        let key = Key(kind: unsafeBitCast(kind, to: UInt8.self), a0: angles[0].bitPattern, a1: angles[1].bitPattern, a2: angles[2].bitPattern)
        if let known = entries.withLock({ $0[key] }) { return known }
        let m = kind.denseMatrix(angles)
        var values = [Double](repeating: 0, count: 2 * packedCount)
        values.withUnsafeMutableBufferPointer {
            operation.pack(m, to: $0.baseAddress!)
            operation.pack(m.adjoint, to: $0.baseAddress! + packedCount)
        }
        entries.withLock { if $0.count < capacity { $0[key] = values } }
        return values
    }
}
