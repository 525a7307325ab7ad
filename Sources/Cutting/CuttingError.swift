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

    /// The API call that failed, for programmers (`description` starts with it).
    public var call: String {
        switch self {
        case let .uncuttableGate(c, _, _, _), let .widthLimitUnreachable(c, _, _), let .observableQubitOutOfRange(c, _, _),
             let .invalidSpecification(c, _), let .tooManySettings(c, _, _, _), let .invalidValues(c, _):
            return c
        }
    }

    /// What is wrong, without the call: what a command-line tool shows after the flag or key
    /// the user wrote.
    public var reason: String {
        switch self {
        case let .uncuttableGate(_, index, kind, qubits):
            return "gate \(index) (\(kind.rawValue) on qubits \(qubits)) spans fragments "
                + "but has no gate-cut decomposition; keep its qubits in one fragment or cut its wires"
        case let .widthLimitUnreachable(_, width, reason):
            return "no cut set gives fragments of at most \(width) qubit(s): \(reason)"
        case let .observableQubitOutOfRange(_, qubit, count):
            return "the observable acts on qubit \(qubit) but the circuit has \(count) qubit(s)"
        case let .invalidSpecification(_, reason), let .invalidValues(_, reason):
            return reason
        case let .tooManySettings(_, fragment, settings, limit):
            let count = settings == Int.max ? "more than 2^63" : "\(settings)"
            return "fragment \(fragment) would need \(count) local settings (limit \(limit)); "
                + "use fewer cuts, or cuts that separate fragments instead of cutting inside one"
        }
    }

    public var description: String { "\(call): \(reason)" }
}
