/// Per-fragment parameter shift: how shot-mode training differentiates fragment values the way a
/// device would — by running each fragment circuit again with one gate angle shifted — instead of
/// the simulator's adjoint sweep, which no device has (DESIGN §3, "gradients").
///
/// For a gate angle φ = a·θ_i + b·x_j + c, ∂v/∂θ_i = Σ_occurrences a · Σ_k r_k · v(φ + s_k): a
/// rotation exp(−iφP/2), a phase gate and every angle of u2/u3 have generators with two
/// eigenvalues half a unit apart, so the two-term rule {±π/2: ±1/2} is exact; the controlled
/// rotations crx/cry/crz have eigenvalues {0, ±½} and need the four-term rule of Anselmetti et
/// al. (2021). A parameter used by several gates is shifted one occurrence at a time: the circuit
/// is rewritten so that every θ-dependent angle reads its own parameter (`ShiftedCircuit`).
import Circuits
import Simulator

/// How a round differentiates the fragment values it computes.
public enum GradientMethod: Int, Hashable, Sendable, Codable {
    /// Values only.
    case none = 0
    /// Values and ∂v/∂θ, ∂v/∂x from the simulator's adjoint sweep (exact mode).
    case adjoint = 1
    /// Values and the values of every shifted circuit of the parameter-shift rule for the
    /// θ-dependent angles (shot-mode training): the derivatives are formed at rank 0 after shot
    /// noise is drawn for each circuit.
    case parameterShift = 2
    /// The same for every angle that depends on θ or x, so ∂/∂x comes too (`estimate --gradients`
    /// in sampled mode).
    case parameterShiftWithInputs = 3

    /// Whether rows hold shifted values, and whether input-only angles are shifted too.
    public var shifts: (any: Bool, inputs: Bool) {
        (self == .parameterShift || self == .parameterShiftWithInputs, self == .parameterShiftWithInputs)
    }
}

/// The shift rule of a gate's angles: ∂v/∂φ = Σ_k coefficient_k · v(φ + shift_k).
enum ShiftRule {
    static let twoTerm: [(shift: Double, coefficient: Double)] = [(.pi / 2, 0.5), (-.pi / 2, -0.5)]
    static let fourTerm: [(shift: Double, coefficient: Double)] = {
        let d1 = (2.0.squareRoot() + 1) / (4 * 2.0.squareRoot()), d2 = (2.0.squareRoot() - 1) / (4 * 2.0.squareRoot())
        return [(.pi / 2, d1), (-.pi / 2, -d1), (3 * .pi / 2, -d2), (-3 * .pi / 2, d2)]
    }()

    static func terms(_ kind: GateKind) -> [(shift: Double, coefficient: Double)] {
        switch kind {
        case .crx, .cry, .crz: return fourTerm
        default: return twoTerm
        }
    }
}

extension Angle {
    /// Depends on θ with a non-zero scale (so shifting θ can move it).
    var isTrainable: Bool { thetaIndex != nil && thetaScale != 0 }
    /// Depends on x with a non-zero scale.
    var readsInput: Bool { inputIndex != nil && inputScale != 0 }
}

/// One shifted evaluation: angle `occurrence` moved by `shift`. It adds weight·v(shifted) to
/// ∂v/∂slot for each (slot, weight) of `contributions` (θ_i is slot i, x_j slot P + j; the
/// weight is the rule coefficient times the angle's scale of that slot — the chain rule).
public struct ShiftTerm: Hashable, Sendable {
    public var occurrence: Int
    public var shift: Double
    public var contributions: [Contribution]

    public struct Contribution: Hashable, Sendable {
        public var slot: Int
        public var weight: Double
    }
}

/// A circuit rewritten so that every differentiated angle reads its own parameter (an
/// "occurrence"), and the shift terms of its parameter-shift gradient. Occurrence o of a
/// θ-dependent angle a·θ_i + b·x_j + c reads θ'_o in place of θ_i (same scale a): θ'_o = θ_i gives
/// the original values, and θ'_o + s/a moves the angle by s. With `inputs`, an angle that reads
/// only x gains θ'_o with scale 1 and θ'_o = 0. Shifting one occurrence at a time is what makes
/// the rule exact for a θ shared by several gates.
public struct ShiftedCircuit: Sendable {
    public let circuit: Circuit
    /// The θ slot whose value occurrence o starts from (nil: 0, an input-only angle).
    public let occurrenceParameter: [Int?]
    let occurrenceScale: [Double]
    public let terms: [ShiftTerm]

    /// The number of shifted circuits `circuit` needs (without building them).
    public static func termCount(_ circuit: Circuit, inputs: Bool) -> Int {
        circuit.gates.reduce(0) { $0 + termCount($1, inputs: inputs) }
    }

    /// The shifted circuits one gate contributes.
    public static func termCount(_ gate: Gate, inputs: Bool) -> Int {
        gate.angles.filter { $0.isTrainable || (inputs && $0.readsInput) }.count * ShiftRule.terms(gate.kind).count
    }

    public init(_ original: Circuit, inputs: Bool = false) {
        var split = original
        var parameters: [Int?] = [], scales: [Double] = [], terms: [ShiftTerm] = []
        let p = original.parameterCount
        for g in split.gates.indices {
            for a in split.gates[g].angles.indices {
                let angle = split.gates[g].angles[a]
                guard angle.isTrainable || (inputs && angle.readsInput) else { continue }
                let occurrence = parameters.count
                var slots: [(slot: Int, scale: Double)] = []
                if angle.isTrainable {
                    parameters.append(angle.thetaIndex!)
                    scales.append(angle.thetaScale)
                    slots.append((angle.thetaIndex!, angle.thetaScale))
                } else {
                    parameters.append(nil)
                    scales.append(1)
                    split.gates[g].angles[a].thetaScale = 1
                }
                if inputs && angle.readsInput { slots.append((p + angle.inputIndex!, angle.inputScale)) }
                for rule in ShiftRule.terms(split.gates[g].kind) {
                    terms.append(ShiftTerm(occurrence: occurrence, shift: rule.shift, contributions: slots.map {
                        ShiftTerm.Contribution(slot: $0.slot, weight: rule.coefficient * $0.scale)
                    }))
                }
                split.gates[g].angles[a].thetaIndex = occurrence
            }
        }
        split.parameterCount = parameters.count
        circuit = split
        occurrenceParameter = parameters
        occurrenceScale = scales
        self.terms = terms
    }

    /// v(shifted) for every term and sample: `values[term][sample]`. `prepared` is
    /// `Simulator.prepare(circuit, observable:)` (callers cache it).
    public func shiftedValues(_ prepared: PreparedCircuit, theta: [Double], inputs: [[Double]]) -> [[Double]] {
        let base = occurrenceParameter.map { $0.map { theta[$0] } ?? 0 }
        return terms.map { term in
            var shifted = base
            // a·(θ'_o + s/a) = a·θ'_o + s: the gate angle moves by exactly `shift`.
            shifted[term.occurrence] += term.shift / occurrenceScale[term.occurrence]
            return prepared.evaluate(theta: shifted, inputs: inputs, gradients: false).values
        }
    }

    /// ∂v/∂slot (θ then x) from the shifted values of one sample (`shifted[term]`).
    public func derivatives(shifted: [Double], slotCount: Int) -> [Double] {
        var gradient = [Double](repeating: 0, count: slotCount)
        for (k, term) in terms.enumerated() {
            for c in term.contributions { gradient[c.slot] += c.weight * shifted[k] }
        }
        return gradient
    }
}
