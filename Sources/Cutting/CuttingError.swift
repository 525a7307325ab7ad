/// The errors the cutter reports: every message is one line naming the call, the gate index or
/// qubit, and what would make the request valid.
import Circuits

/// A cut request that cannot be honoured.
public enum CuttingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A multi-qubit gate spans fragments but has no gate-cut decomposition (e.g. `ccx`).
    case uncuttableGate(call: String, gateIndex: Int, kind: GateKind, qubits: [Int])
    /// No set of cuts gives fragments of at most `maxFragmentQubits` qubits.
    case widthLimitUnreachable(call: String, maxFragmentQubits: Int, reason: String)
    /// The observable names a qubit the circuit does not have.
    case observableQubitOutOfRange(call: String, qubit: Int, qubitCount: Int)
    /// A malformed explicit cut specification (index out of range, duplicate, wrong label count…).
    case invalidSpecification(call: String, reason: String)
    /// A fragment would need more local settings than `CutPlanOptions.maxSettingsPerFragment`.
    case tooManySettings(call: String, fragment: Int, settings: Int, limit: Int)
    /// Values or inputs that do not match the plan (wrong batch size, missing work unit…).
    case invalidValues(call: String, reason: String)

    public var description: String {
        switch self {
        case let .uncuttableGate(call, index, kind, qubits):
            return "\(call): gate \(index) (\(kind.rawValue) on qubits \(qubits)) spans fragments "
                + "but has no gate-cut decomposition; keep its qubits in one fragment or cut its wires"
        case let .widthLimitUnreachable(call, width, reason):
            return "\(call): no cut set gives fragments of at most \(width) qubit(s): \(reason)"
        case let .observableQubitOutOfRange(call, qubit, count):
            return "\(call): the observable acts on qubit \(qubit) but the circuit has \(count) qubit(s)"
        case let .invalidSpecification(call, reason):
            return "\(call): \(reason)"
        case let .tooManySettings(call, fragment, settings, limit):
            return "\(call): fragment \(fragment) would need \(settings) local settings (limit \(limit)); "
                + "use fewer cuts, or cuts that separate fragments instead of cutting inside one"
        case let .invalidValues(call, reason):
            return "\(call): \(reason)"
        }
    }
}
