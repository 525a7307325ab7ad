/// Quasi-probability decompositions (QPD) of the channels we cut (DESIGN §3): two-qubit gates via
/// a CZ or RZZ(φ) core conjugated by local gates, and wires (Peng et al.) in an 8-term form for
/// sampling and a 4-preparation form for exact enumeration.
import Foundation
import Circuits

/// One term of a cut's decomposition: which local operation each side runs, and its coefficient.
public struct QPDTerm: Hashable, Sendable, Codable {
    /// `operations[side]` indexes `QPDBasis.sideOperations[side]`.
    public var operations: [Int]
    public var coefficient: QPDCoefficient
}

/// The decomposition of one cut: per side a list of *distinct* local operations (so a side runs
/// at most `sideOperations[side].count` different sub-experiments), and the terms.
public struct QPDBasis: Hashable, Sendable, Codable {
    public var name: String
    /// `sideOperations[side][op]`: gates acting on qubit 0, the cut qubit of that side. Side 0 is
    /// the first qubit of a cut gate (the control) or the upstream half of a cut wire.
    public var sideOperations: [[[Gate]]]
    public var terms: [QPDTerm]

    /// γ = Σ|c_m| for one parameter binding.
    public func gamma(theta: [Double], input: [Double]) -> Double {
        terms.reduce(0) { $0 + abs($1.coefficient.value(theta: theta, input: input)) }
    }

    /// γ used for planning: exact for constant coefficients, the maximum over the angle otherwise
    /// (the plan must not depend on θ).
    public var planningGamma: Double {
        if terms.allSatisfy({ $0.coefficient.angle?.isConstant ?? true }) {
            return gamma(theta: [], input: [])
        }
        return 3  // only RZZ cores depend on an angle: max over φ of 1 + 2|sin φ|
    }
}

/// How wire cuts are decomposed.
public enum WireCutForm: String, Hashable, Sendable, Codable {
    /// Peng et al.: measure O ∈ {I, Z, X, Y}, prepare one of the six Pauli eigenstates; 8 terms of
    /// ±½, γ = 4. The right choice for sampling.
    case eightTerms
    /// Measure O ∈ {I, Z, X, Y}, prepare |0⟩, |1⟩, |+⟩, |+i⟩ (ρ = ½Σ Tr(Oρ)O with X = 2|+⟩⟨+| − I,
    /// Y = 2|+i⟩⟨+i| − I); 10 terms, γ = 6, but 4 + 4 sub-experiments instead of 4 + 6: the
    /// right choice for exact enumeration.
    case fourPreparations
}

extension QPDBasis {
    private static func g(_ kind: GateKind, _ angles: [Angle] = []) -> Gate { Gate(kind, [0], angles) }
    private static func rz(_ angle: Angle) -> Gate { Gate(.rz, [0], [angle]) }
    private static let quarterTurn = Double.pi / 2

    /// The decomposition of a two-qubit gate, or nil when the gate has none here (swap, ccx,
    /// one-qubit gates). Every supported gate is (local gates) · core · (local gates) with a CZ
    /// core (γ = 3) or an RZZ(φ) core (γ = 1 + 2|sin φ|).
    public static func gateCut(_ gate: Gate) -> QPDBasis? {
        let h = g(.h), s = g(.s), sdg = g(.sdg)
        // V with V Z V† = Y is S·H: before the core apply V† (sdg, h), after it V (h, s).
        let toY: (pre: [Gate], post: [Gate]) = ([sdg, h], [h, s])
        let toX: (pre: [Gate], post: [Gate]) = ([h], [h])
        switch gate.kind {
        case .cz: return conjugatedCZ(name: "cz", pre: ([], []), post: ([], []))
        case .cx: return conjugatedCZ(name: "cx", pre: ([], toX.pre), post: ([], toX.post))
        case .cy: return conjugatedCZ(name: "cy", pre: ([], toY.pre), post: ([], toY.post))
        case .ch:
            // H = RY(π/4) Z RY(−π/4).
            let v = g(.ry, [.constant(Double.pi / 4)]), vdg = g(.ry, [.constant(-Double.pi / 4)])
            return conjugatedCZ(name: "ch", pre: ([], [vdg]), post: ([], [v]))
        case .rzz: return conjugatedRZZ(name: "rzz", phi: gate.angles[0], pre: ([], []), post: ([], []))
        case .rxx: return conjugatedRZZ(name: "rxx", phi: gate.angles[0], pre: (toX.pre, toX.pre), post: (toX.post, toX.post))
        case .ryy: return conjugatedRZZ(name: "ryy", phi: gate.angles[0], pre: (toY.pre, toY.pre), post: (toY.post, toY.post))
        case .crz, .crx, .cry:
            // CRZ(φ) = RZ_t(φ/2) · RZZ(−φ/2); CRX, CRY conjugate the target into the X, Y basis.
            let phi = gate.angles[0]
            let half = rz(phi.scaled(by: 0.5))
            let basisChange: (pre: [Gate], post: [Gate]) = gate.kind == .crz ? ([], []) : gate.kind == .crx ? toX : toY
            return conjugatedRZZ(name: gate.kind.rawValue, phi: phi.scaled(by: -0.5),
                                 pre: ([], basisChange.pre), post: ([], [half] + basisChange.post))
        case .cp:
            // CP(λ) = RZ_c(λ/2) · RZ_t(λ/2) · RZZ(−λ/2) up to a global phase.
            let half = rz(gate.angles[0].scaled(by: 0.5))
            return conjugatedRZZ(name: "cp", phi: gate.angles[0].scaled(by: -0.5), pre: ([], []), post: ([half], [half]))
        default:
            return nil
        }
    }

    /// CZ = ½𝒮_{S†⊗S†} + ½𝒮_{S⊗S} + ½𝓜_Z⊗𝒮_I − ½𝓜_Z⊗𝒮_Z + ½𝒮_I⊗𝓜_Z − ½𝒮_Z⊗𝓜_Z (Mitarai–Fujii).
    private static func conjugatedCZ(name: String, pre: ([Gate], [Gate]), post: ([Gate], [Gate])) -> QPDBasis {
        let ops: [[Gate]] = [[g(.sdg)], [g(.s)], [g(.measureZ)], [], [g(.z)]]
        let half = QPDCoefficient.constant(0.5), minusHalf = QPDCoefficient.constant(-0.5)
        let terms = [
            QPDTerm(operations: [0, 0], coefficient: half),
            QPDTerm(operations: [1, 1], coefficient: half),
            QPDTerm(operations: [2, 3], coefficient: half),
            QPDTerm(operations: [2, 4], coefficient: minusHalf),
            QPDTerm(operations: [3, 2], coefficient: half),
            QPDTerm(operations: [4, 2], coefficient: minusHalf),
        ]
        return QPDBasis(name: name, sideOperations: [ops.map { pre.0 + $0 + post.0 }, ops.map { pre.1 + $0 + post.1 }],
                        terms: terms)
    }

    /// RZZ(φ) = c²𝒮_I + s²𝒮_{Z⊗Z} + cs[𝓜_Z⊗𝒮_{R+} − 𝓜_Z⊗𝒮_{R−} + 𝒮_{R+}⊗𝓜_Z − 𝒮_{R−}⊗𝓜_Z],
    /// c = cos(φ/2), s = sin(φ/2), R± = RZ(±π/2).
    private static func conjugatedRZZ(name: String, phi: Angle, pre: ([Gate], [Gate]), post: ([Gate], [Gate])) -> QPDBasis {
        let ops: [[Gate]] = [[], [g(.z)], [g(.measureZ)], [rz(.constant(quarterTurn))], [rz(.constant(-quarterTurn))]]
        let terms = [
            QPDTerm(operations: [0, 0], coefficient: QPDCoefficient(.cosSquared, angle: phi)),
            QPDTerm(operations: [1, 1], coefficient: QPDCoefficient(.sinSquared, angle: phi)),
            QPDTerm(operations: [2, 3], coefficient: QPDCoefficient(.cosSin, angle: phi)),
            QPDTerm(operations: [2, 4], coefficient: QPDCoefficient(.cosSin, factor: -1, angle: phi)),
            QPDTerm(operations: [3, 2], coefficient: QPDCoefficient(.cosSin, angle: phi)),
            QPDTerm(operations: [4, 2], coefficient: QPDCoefficient(.cosSin, factor: -1, angle: phi)),
        ]
        return QPDBasis(name: name, sideOperations: [ops.map { pre.0 + $0 + post.0 }, ops.map { pre.1 + $0 + post.1 }],
                        terms: terms)
    }

    /// A wire cut: side 0 measures O ∈ {I, Z, X, Y} at the end of the upstream segment, side 1
    /// prepares a Pauli eigenstate at the start of the downstream segment.
    public static func wireCut(_ form: WireCutForm) -> QPDBasis {
        let measure: [[Gate]] = [[], [g(.measureZ)], [g(.measureX)], [g(.measureY)]]
        let (i, z, x, y) = (0, 1, 2, 3)
        func term(_ m: Int, _ p: Int, _ c: Double) -> QPDTerm {
            QPDTerm(operations: [m, p], coefficient: .constant(c))
        }
        switch form {
        case .eightTerms:
            let prepare: [[Gate]] = [[g(.prepareZPlus)], [g(.prepareZMinus)], [g(.prepareXPlus)],
                                     [g(.prepareXMinus)], [g(.prepareYPlus)], [g(.prepareYMinus)]]
            let terms = [term(i, 0, 0.5), term(i, 1, 0.5), term(z, 0, 0.5), term(z, 1, -0.5),
                         term(x, 2, 0.5), term(x, 3, -0.5), term(y, 4, 0.5), term(y, 5, -0.5)]
            return QPDBasis(name: "wire8", sideOperations: [measure, prepare], terms: terms)
        case .fourPreparations:
            let prepare: [[Gate]] = [[g(.prepareZPlus)], [g(.prepareZMinus)], [g(.prepareXPlus)], [g(.prepareYPlus)]]
            let terms = [term(i, 0, 0.5), term(z, 0, 0.5), term(x, 0, -0.5), term(y, 0, -0.5),
                         term(i, 1, 0.5), term(z, 1, -0.5), term(x, 1, -0.5), term(y, 1, -0.5),
                         term(x, 2, 1), term(y, 3, 1)]
            return QPDBasis(name: "wire4", sideOperations: [measure, prepare], terms: terms)
        }
    }
}
