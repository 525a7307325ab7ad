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
    /// Values and the values of every shifted circuit of the parameter-shift rule (shot mode):
    /// the derivatives are formed at rank 0 after shot noise is drawn for each circuit.
    case parameterShift = 2
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

    /// The shifted evaluations `circuit` needs: one per rule term of every θ-dependent angle.
    static func termCount(_ circuit: Circuit) -> Int {
        circuit.gates.reduce(0) { count, gate in
            count + gate.angles.filter(\.isTrainable).count * terms(gate.kind).count
        }
    }
}

extension Angle {
    /// Depends on θ with a non-zero scale (so shifting θ can move it).
    var isTrainable: Bool { thetaIndex != nil && thetaScale != 0 }
}

/// One shifted evaluation: θ-dependent angle `occurrence` moved by `shift`; it adds
/// `weight`·v(shifted) to ∂v/∂θ[`parameter`].
public struct ShiftTerm: Hashable, Sendable {
    public var parameter: Int
    public var occurrence: Int
    public var shift: Double
    /// The rule coefficient times the angle's θ scale a (chain rule).
    public var weight: Double
}

/// A circuit rewritten so that every θ-dependent angle reads its own parameter (an "occurrence"),
/// and the shift terms of its parameter-shift gradient. The rewritten circuit has the original's
/// values when occurrence o is given θ[occurrenceParameter[o]].
public struct ShiftedCircuit: Sendable {
    public let circuit: Circuit
    public let occurrenceParameter: [Int]
    let occurrenceScale: [Double]
    public let terms: [ShiftTerm]

    /// The number of shifted circuits `circuit` needs (without building them).
    public static func termCount(_ circuit: Circuit) -> Int { ShiftRule.termCount(circuit) }

    public init(_ original: Circuit) {
        var split = original
        var parameters: [Int] = [], scales: [Double] = [], terms: [ShiftTerm] = []
        for g in split.gates.indices {
            for a in split.gates[g].angles.indices where split.gates[g].angles[a].isTrainable {
                let angle = split.gates[g].angles[a]
                let occurrence = parameters.count
                parameters.append(angle.thetaIndex!)
                scales.append(angle.thetaScale)
                for rule in ShiftRule.terms(split.gates[g].kind) {
                    terms.append(ShiftTerm(parameter: angle.thetaIndex!, occurrence: occurrence, shift: rule.shift,
                                           weight: rule.coefficient * angle.thetaScale))
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
        let base = occurrenceParameter.map { theta[$0] }
        return terms.map { term in
            var shifted = base
            // a·(θ_o + s/a) = a·θ_o + s: the gate angle moves by exactly `shift`.
            shifted[term.occurrence] += term.shift / occurrenceScale[term.occurrence]
            return prepared.evaluate(theta: shifted, inputs: inputs, gradients: false).values
        }
    }

    /// ∂v/∂θ from the shifted values of one sample (`shifted[term]`): Σ weight·v(shifted) per θ.
    public func derivatives(shifted: [Double], parameterCount: Int) -> [Double] {
        var gradient = [Double](repeating: 0, count: parameterCount)
        for (k, term) in terms.enumerated() { gradient[term.parameter] += term.weight * shifted[k] }
        return gradient
    }
}
