/// The cut plan: cuts with their QPD bases, fragments with their deduplicated local settings
/// (each a ready fragment `Circuit`), the observable split per fragment, and the work units an
/// MPI layer distributes. Built once per circuit structure and only rebound per query; `Codable`
/// so rank 0 can broadcast it.
import Circuits

/// One side of one cut.
public struct CutSide: Hashable, Sendable, Codable {
    public var cut: Int
    public var side: Int
}

/// A cut in the plan.
public struct Cut: Hashable, Sendable, Codable {
    /// Where the cut is, in the user's circuit.
    public enum Location: Hashable, Sendable, Codable {
        case gate(index: Int)
        case wire(WireCut)
    }
    public var location: Location
    public var basis: QPDBasis
    /// The fragment holding each side.
    public var fragments: [Int]
    /// The local qubit of each side inside its fragment.
    public var localQubits: [Int]
}

/// One fragment: its local qubits, its local settings (one per combination of the local
/// operations of the cut sides it holds) and the observables it measures.
public struct Fragment: Hashable, Sendable, Codable {
    /// `wires[localQubit]`: the wire (= the user's qubit at the start of the circuit) of each
    /// local qubit. A wire appears twice when a wire cut keeps both halves in this fragment.
    public var wires: [Int]
    /// The cut sides this fragment holds; a setting's digits follow this order (last fastest).
    public var cutSides: [CutSide]
    /// Number of local operations of each cut side.
    public var radices: [Int]
    /// `circuits[setting]`: the fragment circuit, local qubits, global θ/x indices.
    public var circuits: [Circuit]
    /// Distinct restrictions of the observable's Pauli terms to this fragment (coefficient 1).
    public var observables: [Observable]

    public var width: Int { wires.count }
    public var settingCount: Int { circuits.count }

    /// The local operation index of every cut side for a setting.
    public func digits(of setting: Int) -> [Int] {
        var rest = setting
        var digits = Array(repeating: 0, count: radices.count)
        for i in radices.indices.reversed() {
            digits[i] = rest % radices[i]
            rest /= radices[i]
        }
        return digits
    }

    /// The setting with these local operation indices.
    public func setting(digits: [Int]) -> Int {
        zip(digits, radices).reduce(0) { $0 * $1.1 + $1.0 }
    }
}

/// One Pauli term of the observable, split over fragments.
public struct ObservableTerm: Hashable, Sendable, Codable {
    public var coefficient: Double
    /// `fragmentObservables[f]`: index into `fragments[f].observables`.
    public var fragmentObservables: [Int]
}

/// One sub-experiment: a fragment circuit in one local setting measuring one observable. The
/// unit of work an MPI layer assigns to ranks (for any batch of samples).
public struct WorkUnit: Hashable, Sendable, Codable {
    public var fragment: Int
    public var setting: Int
    public var observable: Int
}

/// A complete cut plan. See `README.md` in this folder.
public struct CutPlan: Sendable, Codable {
    /// The user's circuit and observable.
    public let circuit: Circuit
    public let observable: Observable
    public let options: CutPlanOptions
    public let cuts: [Cut]
    public let fragments: [Fragment]
    /// The observable is a sum of Pauli terms; each is contracted separately and the results are
    /// summed with the terms' coefficients (fragments evaluate each distinct restriction once).
    public let observableTerms: [ObservableTerm]
    /// Every sub-experiment, fragment by fragment, setting by setting, observable by observable.
    public let workUnits: [WorkUnit]
    /// First work unit of each fragment.
    let unitOffsets: [Int]
    let contraction: ContractionProgram

    /// Partition the circuit and generate every fragment setting.
    public init(circuit: Circuit, observable: Observable, cuts specification: CutSpecification,
                options: CutPlanOptions = CutPlanOptions()) throws {
        let call = "CutPlan(circuit:observable:cuts:)"
        for term in observable.terms {
            for q in term.qubits where q < 0 || q >= circuit.qubitCount {
                throw CuttingError.observableQubitOutOfRange(call: call, qubit: q, qubitCount: circuit.qubitCount)
            }
        }
        let working = RelabelledCircuit(circuit)
        let resolved = try CutResolution(specification, working: working, original: circuit,
                                         observable: working.relabel(observable), options: options, call: call)
        self.circuit = circuit
        self.observable = observable
        self.options = options
        let built = try PlanBuilder(working: working, original: circuit, observable: working.relabel(observable),
                                    resolution: resolved, options: options, call: call)
        cuts = built.cuts
        fragments = built.fragments
        observableTerms = built.observableTerms
        var units: [WorkUnit] = []
        var offsets: [Int] = []
        for (f, fragment) in fragments.enumerated() {
            offsets.append(units.count)
            for s in 0..<fragment.settingCount {
                for o in fragment.observables.indices { units.append(WorkUnit(fragment: f, setting: s, observable: o)) }
            }
        }
        workUnits = units
        unitOffsets = offsets
        contraction = ContractionProgram(cuts: cuts, fragments: fragments)
    }

    /// The index in `workUnits` of a sub-experiment.
    public func workUnitIndex(fragment: Int, setting: Int, observable: Int) -> Int {
        unitOffsets[fragment] + setting * fragments[fragment].observables.count + observable
    }

    /// Number of distinct fragment circuits (sub-experiments before observables are counted).
    public var uniqueSettingCount: Int { fragments.reduce(0) { $0 + $1.settingCount } }

    /// Number of QPD terms Π_j (terms of cut j): what a term-by-term reconstruction would sum.
    public var termCount: Int { cuts.reduce(1) { $0 * $1.basis.terms.count } }

    /// γ = Π_j γ_j for one binding; the sampling overhead is γ².
    public func gamma(theta: [Double], input: [Double]) -> Double {
        cuts.reduce(1) { $0 * $1.basis.gamma(theta: theta, input: input) }
    }

    /// γ used for planning (angle-dependent cuts at their worst case, wire cuts at 4).
    public var planningGamma: Double {
        cuts.reduce(1) { partial, cut in
            if case .wire = cut.location { return partial * 4 }
            return partial * cut.basis.planningGamma
        }
    }

    /// The term with this index (mixed radix over cuts, last cut fastest, as qiskit-addon-cutting
    /// orders equal-probability terms): the basis term of each cut.
    public func qpdTerm(_ index: Int) -> [Int] {
        var rest = index
        var ids = Array(repeating: 0, count: cuts.count)
        for j in cuts.indices.reversed() {
            ids[j] = rest % cuts[j].basis.terms.count
            rest /= cuts[j].basis.terms.count
        }
        return ids
    }

    /// c_t = Π_j c_{j, t_j} for one binding.
    public func coefficient(ofTerm term: [Int], theta: [Double], input: [Double]) -> Double {
        zip(cuts, term).reduce(1) { $0 * $1.0.basis.terms[$1.1].coefficient.value(theta: theta, input: input) }
    }

    /// s_f(t): the local setting of every fragment for a term.
    public func settings(ofTerm term: [Int]) -> [Int] {
        fragments.map { fragment in
            fragment.setting(digits: fragment.cutSides.map { side in
                cuts[side.cut].basis.terms[term[side.cut]].operations[side.side]
            })
        }
    }
}
