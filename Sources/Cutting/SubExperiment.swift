/// One work unit for one binding (θ, x), written as a device runs it: plain gates with numeric
/// angles, mid-circuit `measure`s for the cut sides that measure, the observable's measurement
/// bases and final measurements. The unit's fragment value is the mean of the product of every
/// measured ±1 outcome (bit 0 → +1, bit 1 → −1), i.e. of (−1)^(number of 1 bits): the same
/// quantity the simulator computes by branching (`GateKind.measureZ` is "split and subtract").
///
/// Lowering (identical for the QASM text and for `NoisyFragmentSimulator`, so a noise model
/// that acts per gate acts on the same gates in both):
/// * `measureZ` → `measure`; `measureX` → `h; measure; h`; `measureY` → `sdg; h; measure; h; s`
///   (the basis change is undone so the qubit continues in the measured eigenstate, as the
///   projector would leave it).
/// * `prepareZPlus` → nothing, `prepareZMinus` → `x`, `prepareXPlus` → `h`, `prepareXMinus` →
///   `x; h`, `prepareYPlus` → `h; s`, `prepareYMinus` → `h; sdg` (a prepared qubit is fresh |0⟩:
///   wire-cut segments are never reused).
/// * The fragment observable's Pauli on each qubit: X → `h`, Y → `sdg; h`, then `measure`.
import Circuits
import Foundation
import Simulator

public struct SubExperiment: Sendable, Equatable {
    /// One operation with bound angles.
    public enum Operation: Sendable, Equatable {
        case gate(GateKind, qubits: [Int], angles: [Double])
        /// Measure `qubit` in Z into classical bit `bit`.
        case measure(qubit: Int, bit: Int)
    }

    public var qubitCount: Int
    /// Classical bits (= measurements); a bitstring of the counts has this many characters.
    public var bitCount: Int
    public var operations: [Operation]
    /// `measuredQubits[bit]`: the qubit measured into each classical bit.
    public var measuredQubits: [Int]

    /// The OpenQASM 2 text: `qelib1.inc`, `q[qubitCount]`, `c[bitCount]` (no register when no
    /// bit is measured), angles as round-trip decimal literals.
    public var qasm: String {
        var lines = ["OPENQASM 2.0;", "include \"qelib1.inc\";"]
        if operations.contains(where: { if case .gate(.ryy, _, _) = $0 { return true } else { return false } }) {
            // Not in qelib1.inc: Qiskit's qasm2.dumps definition (readers that know ryy keep theirs).
            lines.append("gate ryy(param0) q0,q1 { rx(pi/2) q0; rx(pi/2) q1; cx q0,q1; rz(param0) q1; cx q0,q1; rx(-pi/2) q0; rx(-pi/2) q1; }")
        }
        lines.append("qreg q[\(qubitCount)];")
        if bitCount > 0 { lines.append("creg c[\(bitCount)];") }
        for op in operations {
            switch op {
            case let .gate(kind, qubits, angles):
                let arguments = angles.isEmpty ? "" : "(" + angles.map(Self.literal).joined(separator: ",") + ")"
                lines.append("\(kind.rawValue)\(arguments) " + qubits.map { "q[\($0)]" }.joined(separator: ",") + ";")
            case let .measure(qubit, bit):
                lines.append("measure q[\(qubit)] -> c[\(bit)];")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A real literal OpenQASM 2 accepts (it requires a decimal point) that reads back as `x`.
    static func literal(_ x: Double) -> String {
        var s = "\(x)"
        if !s.contains("."), let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) { s.insert(contentsOf: ".0", at: e) }
        if !s.contains(".") && !s.contains("e") { s += ".0" }
        return s
    }

    /// Lower one circuit and one Pauli string (local qubits) with a binding.
    public init(circuit: Circuit, observable: PauliString, theta: [Double], input: [Double]) {
        qubitCount = circuit.qubitCount
        var ops: [Operation] = []
        var measured: [Int] = []
        func gate(_ kind: GateKind, _ q: Int) { ops.append(.gate(kind, qubits: [q], angles: [])) }
        func measure(_ q: Int) {
            ops.append(.measure(qubit: q, bit: measured.count))
            measured.append(q)
        }
        for g in circuit.gates {
            let q = g.qubits[0]
            switch g.kind {
            case .measureZ: measure(q)
            case .measureX: gate(.h, q); measure(q); gate(.h, q)
            case .measureY: gate(.sdg, q); gate(.h, q); measure(q); gate(.h, q); gate(.s, q)
            case .prepareZPlus: break
            case .prepareZMinus: gate(.x, q)
            case .prepareXPlus: gate(.h, q)
            case .prepareXMinus: gate(.x, q); gate(.h, q)
            case .prepareYPlus: gate(.h, q); gate(.s, q)
            case .prepareYMinus: gate(.h, q); gate(.sdg, q)
            default:
                ops.append(.gate(g.kind, qubits: g.qubits, angles: g.angles.map { $0.value(theta: theta, input: input) }))
            }
        }
        for (q, p) in zip(observable.qubits, observable.paulis) {
            switch p {
            case .x: gate(.h, q)
            case .y: gate(.sdg, q); gate(.h, q)
            case .z, .i: break
            }
            if p != .i { measure(q) }
        }
        operations = ops
        measuredQubits = measured
        bitCount = measured.count
    }

    /// The fragment value a bitstring stands for: +1 for an even number of 1s, −1 for odd.
    public static func sign(ofBitstring bits: some StringProtocol) -> Double {
        bits.reduce(0) { $0 + ($1 == "1" ? 1 : 0) } % 2 == 0 ? 1 : -1
    }
}

extension CutPlan {
    /// The sub-experiment of a work unit for one binding.
    public func subExperiment(unit: Int, theta: [Double], input: [Double]) -> SubExperiment {
        let u = workUnits[unit]
        let fragment = fragments[u.fragment]
        let observable = fragment.observables[u.observable].terms.first ?? PauliString(qubits: [], paulis: [])
        return SubExperiment(circuit: fragment.circuit(setting: u.setting), observable: observable, theta: theta, input: input)
    }
}

extension SubExperiment {
    /// The exact noisy value of this sub-experiment (density matrix; `DensityMatrixSimulator`).
    public func noisyValue(_ noise: NoiseModel) -> Double {
        let ops: [NoisyOperation] = operations.map {
            switch $0 {
            case let .gate(kind, qubits, angles): return .gate(kind, qubits: qubits, angles: angles)
            case let .measure(qubit, _): return .measure(qubit: qubit)
            }
        }
        return DensityMatrixSimulator.signedExpectation(qubitCount: qubitCount, operations: ops, noise: noise)
    }
}

extension ShiftedCircuit {
    /// The parameter vector of `circuit` for every shift term (in `terms` order): each occurrence
    /// starts from its θ, and term k's occurrence moves its angle by exactly the term's shift —
    /// what `shiftedValues` simulates, for callers that run the shifted circuits elsewhere.
    public func shiftedThetas(theta: [Double]) -> [[Double]] {
        let base = occurrenceParameter.map { $0.map { theta[$0] } ?? 0 }
        return terms.map { term in
            var shifted = base
            shifted[term.occurrence] += term.shift / occurrenceScale[term.occurrence]
            return shifted
        }
    }
}

extension CutPlan {
    /// The noisy values of a unit and of every shifted circuit of its parameter-shift rule
    /// (`values[sample]`, `shifted[term][sample]`). The shift rule stays exact under noise that
    /// does not depend on the angles (a fixed channel after each gate), so these give the noisy
    /// expectation's gradient.
    public func noisyShiftedValues(unit: Int, theta: [Double], inputs: [[Double]], shiftInputs: Bool,
                                   noise: NoiseModel) -> (values: [Double], shifted: [[Double]]) {
        let values = inputs.map { subExperiment(unit: unit, theta: theta, input: $0).noisyValue(noise) }
        let perSample = inputs.map { shiftedSubExperiments(unit: unit, theta: theta, input: $0, shiftInputs: shiftInputs) }
        let shifted = (0 ..< (perSample.first?.count ?? 0)).map { k in perSample.map { $0[k].noisyValue(noise) } }
        return (values, shifted)
    }

    /// The sub-experiments of a unit's shifted circuits for one binding, in the order of its
    /// `ShiftedCircuit` terms (the table's shifted columns): what a device runs for a
    /// parameter-shift gradient (the external executor, the noise model).
    public func shiftedSubExperiments(unit: Int, theta: [Double], input: [Double], shiftInputs: Bool) -> [SubExperiment] {
        let u = workUnits[unit]
        let fragment = fragments[u.fragment]
        let observable = fragment.observables[u.observable].terms.first ?? PauliString(qubits: [], paulis: [])
        let rule = ShiftedCircuit(fragment.circuit(setting: u.setting), inputs: shiftInputs)
        return rule.shiftedThetas(theta: theta).map { SubExperiment(circuit: rule.circuit, observable: observable, theta: $0, input: input) }
    }
}
