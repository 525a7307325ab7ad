/// The cut plan: cuts with their QPD bases, fragments with their deduplicated local settings
/// (a template each; a setting's circuit is built on demand), the observable split per fragment,
/// and the work units an MPI layer distributes, addressed by index. Built once per circuit
/// structure and only rebound per query. Ranks agree on a plan through its `PlanBlueprint`
/// (the circuit and the *resolved* cuts, O(circuit + cuts) bytes): every rank derives the same
/// fragments and units from it, and `digest` proves they did.
import Circuits
import Foundation

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

/// One step of a fragment's circuit template: a gate, or the slot where the local operation of
/// one of its cut sides goes (chosen by that side's digit of the setting).
public enum FragmentStep: Hashable, Sendable {
    case gate(Gate)
    case cutSide(digit: Int)
}

/// One fragment: its local qubits, the cut sides it holds and the observables it measures. Its
/// settings — one per combination of the local operations of its cut sides — are *not* stored:
/// `circuit(setting:)` builds a setting's circuit from the template when a rank needs it, so a
/// plan costs O(circuit + cuts) memory however many sub-experiments it has.
public struct Fragment: Hashable, Sendable {
    /// `wires[localQubit]`: the wire (= the user's qubit at the start of the circuit) of each
    /// local qubit. A wire appears twice when a wire cut keeps both halves in this fragment.
    public var wires: [Int]
    /// The cut sides this fragment holds; a setting's digits follow this order (last fastest).
    public var cutSides: [CutSide]
    /// Number of local operations of each cut side.
    public var radices: [Int]
    /// The fragment's gates on local qubits, with a `.cutSide` slot wherever a cut side acts.
    public var template: [FragmentStep]
    /// `sideOperations[digit][op]`: the gates of local operation `op` of cut side `digit`, already
    /// on that side's local qubit.
    public var sideOperations: [[[Gate]]]
    /// θ and x sizes of the user's circuit (fragment circuits keep global θ/x indices).
    public var parameterCount: Int
    public var inputCount: Int
    /// Distinct restrictions of the observable's Pauli terms to this fragment (coefficient 1).
    public var observables: [Observable]
    /// Π radices: the number of local settings.
    public let settingCount: Int

    public init(wires: [Int], cutSides: [CutSide], radices: [Int], template: [FragmentStep],
                sideOperations: [[[Gate]]], parameterCount: Int, inputCount: Int, observables: [Observable]) {
        self.wires = wires
        self.cutSides = cutSides
        self.radices = radices
        self.template = template
        self.sideOperations = sideOperations
        self.parameterCount = parameterCount
        self.inputCount = inputCount
        self.observables = observables
        settingCount = radices.reduce(1) { product, radix in
            let (p, overflow) = product.multipliedReportingOverflow(by: radix)
            return overflow ? Int.max : p
        }
    }

    public var width: Int { wires.count }

    /// The fragment circuit of a setting: local qubits, global θ/x indices.
    public func circuit(setting: Int) -> Circuit {
        let digits = self.digits(of: setting)
        var gates: [Gate] = []
        gates.reserveCapacity(template.count + 2 * radices.count)
        for step in template {
            switch step {
            case let .gate(gate): gates.append(gate)
            case let .cutSide(digit): gates.append(contentsOf: sideOperations[digit][digits[digit]])
            }
        }
        return Circuit(qubitCount: wires.count, gates: gates, parameterCount: parameterCount, inputCount: inputCount)
    }

    /// Every gate any setting can run: the template's and every local operation's (for supports).
    public var allGates: [Gate] {
        template.compactMap { if case let .gate(g) = $0 { return g } else { return nil } }
            + sideOperations.flatMap { $0.flatMap { $0 } }
    }

    /// The number of shifted circuits of a setting's parameter-shift rule (`ShiftedCircuit`),
    /// without building the circuit: the rule's count is a sum over gates.
    public func shiftTermCount(setting: Int, inputs: Bool) -> Int {
        let digits = self.digits(of: setting)
        var count = 0
        for step in template {
            switch step {
            case let .gate(gate): count += ShiftedCircuit.termCount(gate, inputs: inputs)
            case let .cutSide(digit):
                for gate in sideOperations[digit][digits[digit]] { count += ShiftedCircuit.termCount(gate, inputs: inputs) }
            }
        }
        return count
    }

    /// `measuringOperations[digit][op]`: whether local operation `op` of cut side `digit` is a
    /// signed measurement (the simulator then runs both projected branches).
    public var measuringOperations: [[Bool]] {
        sideOperations.map { ops in ops.map { op in op.contains { $0.kind.measuredPauli != nil } } }
    }

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

/// Every sub-experiment of a plan — fragment by fragment, setting by setting, observable by
/// observable — addressed by index (mixed radix), never materialised: 400,000 units cost nothing
/// until a rank evaluates one.
public struct WorkUnits: RandomAccessCollection, Sendable {
    /// First unit of each fragment, then the total.
    let offsets: [Int]
    /// Observables per fragment (units per setting).
    let observableCounts: [Int]

    public var startIndex: Int { 0 }
    public var endIndex: Int { offsets.last ?? 0 }

    public subscript(index: Int) -> WorkUnit {
        precondition(index >= 0 && index < endIndex, "work unit \(index) out of range 0..<\(endIndex)")
        // Fragments are few: a linear scan from the back finds the owner.
        var f = offsets.count - 2
        while offsets[f] > index { f -= 1 }
        let local = index - offsets[f]
        return WorkUnit(fragment: f, setting: local / observableCounts[f], observable: local % observableCounts[f])
    }

    /// The units of one fragment.
    public func range(fragment: Int) -> Range<Int> { offsets[fragment] ..< offsets[fragment + 1] }
}

/// A complete cut plan. See `README.md` in this folder.
public struct CutPlan: Sendable {
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
    public let workUnits: WorkUnits
    /// The resolved cuts (working-circuit terms): with the circuit, all a rank needs to rebuild
    /// this plan without searching (`blueprint`).
    let resolution: CutResolution
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
        try self.init(circuit: circuit, observable: observable, working: working, resolution: resolved,
                      options: options, call: call)
    }

    /// Derive the plan of already resolved cuts (no search): what `init(blueprint:)` runs on ranks.
    init(circuit: Circuit, observable: Observable, working: RelabelledCircuit, resolution: CutResolution,
         options: CutPlanOptions, call: String) throws {
        self.circuit = circuit
        self.observable = observable
        self.options = options
        self.resolution = resolution
        let built = try PlanBuilder(working: working, original: circuit, observable: working.relabel(observable),
                                    resolution: resolution, options: options, call: call)
        cuts = built.cuts
        fragments = built.fragments
        observableTerms = built.observableTerms
        var offsets: [Int] = []
        var next = 0
        for fragment in fragments {
            offsets.append(next)
            next += fragment.settingCount * fragment.observables.count
        }
        offsets.append(next)
        workUnits = WorkUnits(offsets: offsets, observableCounts: fragments.map(\.observables.count))
        contraction = ContractionProgram(cuts: cuts, fragments: fragments)
    }

    /// Multiply-adds of one contraction pass (for memory and cost estimates).
    public var contractionEntryCount: Int { contraction.entryCount }

    /// Relative cost of every unit, for balancing schedules: (gates + 1) × (amplitudes ×
    /// branches + `perGateOverhead`), where each cut side whose local operation in this setting
    /// measures doubles the branches (the simulator runs both projected branches), and the
    /// overhead stands for what a gate costs whatever the state size (compiling, binding,
    /// dispatch) — measured: a 3-qubit fragment's unit takes about half a 6-qubit one's, not an
    /// eighth. The estimator calibrates these per fragment from measured times (`CostModel`).
    public func unitCosts(perGateOverhead: Double = 128) -> [Double] {
        var costs: [Double] = []
        costs.reserveCapacity(workUnits.count)
        for fragment in fragments {
            let amplitudes = pow(2, Double(fragment.width)), gates = Double(fragment.template.count + 1)
            let measures = fragment.measuringOperations
            for setting in 0..<fragment.settingCount {
                let digits = fragment.digits(of: setting)
                var branches = 1.0
                for (side, d) in digits.enumerated() where measures[side][d] { branches *= 2 }
                let cost = gates * (amplitudes * branches + perGateOverhead)
                for _ in fragment.observables { costs.append(cost) }
            }
        }
        return costs
    }

    /// The circuit of a work unit's fragment setting.
    public func circuit(unit: Int) -> Circuit {
        let u = workUnits[unit]
        return fragments[u.fragment].circuit(setting: u.setting)
    }

    /// The index in `workUnits` of a sub-experiment.
    public func workUnitIndex(fragment: Int, setting: Int, observable: Int) -> Int {
        workUnits.offsets[fragment] + setting * fragments[fragment].observables.count + observable
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
