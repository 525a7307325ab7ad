/// Building a plan from resolved cuts (`CutResolution`): fragments as connected pieces or given
/// blocks, local qubits, cut sides, every fragment setting's circuit (with measure/prepare gates),
/// and the observable split per fragment. Settings are not expanded: each fragment gets a template
/// and its sides' local operations (`Fragment.circuit(setting:)`).
import Circuits

/// Builds cuts, fragments (templates) and the observable split.
struct PlanBuilder {
    var cuts: [Cut] = []
    var fragments: [Fragment] = []
    var observableTerms: [ObservableTerm] = []

    init(working: RelabelledCircuit, original: Circuit, observable: Observable, resolution: CutResolution,
         options: CutPlanOptions, call: String) throws {
        let gates = working.circuit.gates
        let segments = Segmentation(wireCount: working.circuit.qubitCount,
                                    cuts: resolution.wireCuts.map { ($0.wire, $0.position) })
        let isCut = Set(resolution.gateCuts)
        func segmentsOf(_ g: Int) -> [Int] { gates[g].qubits.map { segments.segment(wire: $0, gate: g) } }

        // Fragment of every segment: given, or the connected components of uncut gates.
        var rawFragment: [Int]
        if let given = resolution.fragmentOfSegment {
            rawFragment = given
        } else {
            var parent = Array(0..<segments.count)
            func find(_ x: Int) -> Int {
                var x = x
                while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
                return x
            }
            for g in gates.indices where gates[g].kind.arity > 1 && !isCut.contains(g) {
                let s = segmentsOf(g)
                for other in s.dropFirst() { parent[find(other)] = find(s[0]) }
            }
            rawFragment = (0..<segments.count).map(find)
        }
        // Number fragments in order of their first segment.
        var renumber: [Int: Int] = [:]
        let fragmentOf = rawFragment.map { raw in
            if let f = renumber[raw] { return f }
            renumber[raw] = renumber.count
            return renumber.count - 1
        }
        let fragmentCount = renumber.count
        for g in gates.indices where gates[g].kind.arity > 1 && !isCut.contains(g) {
            if Set(segmentsOf(g).map { fragmentOf[$0] }).count > 1 {
                let index = working.originalGateIndex[g]
                throw CuttingError.uncuttableGate(call: call, gateIndex: index, kind: gates[g].kind,
                                                  qubits: original.gates[index].qubits)
            }
        }
        // Local qubits: a fragment's segments in ascending order.
        var localQubit = Array(repeating: 0, count: segments.count)
        var wiresOf = Array(repeating: [Int](), count: fragmentCount)
        for s in 0..<segments.count {
            localQubit[s] = wiresOf[fragmentOf[s]].count
            wiresOf[fragmentOf[s]].append(segments.wire(of: s))
        }

        // Cuts, in working-circuit order: gate cuts by index, then wire cuts by position.
        var cutAtGate: [Int: Int] = [:]
        var wireCutsAtPosition: [Int: [Int]] = [:]
        for g in resolution.gateCuts.sorted() {
            let s = segmentsOf(g)
            cutAtGate[g] = cuts.count
            cuts.append(Cut(location: .gate(index: working.originalGateIndex[g]), basis: QPDBasis.gateCut(gates[g])!,
                            fragments: s.map { fragmentOf[$0] }, localQubits: s.map { localQubit[$0] }))
        }
        for cut in resolution.wireCuts.sorted(by: { ($0.position, $0.wire) < ($1.position, $1.wire) }) {
            let up = segments.upstreamSegment(wire: cut.wire, position: cut.position)
            wireCutsAtPosition[cut.position, default: []].append(cuts.count)
            cuts.append(Cut(location: .wire(cut.location), basis: QPDBasis.wireCut(options.wireCutForm),
                            fragments: [fragmentOf[up], fragmentOf[up + 1]], localQubits: [localQubit[up], localQubit[up + 1]]))
        }

        // Fragment templates: walk the gates once, emitting cut sides where they happen.
        var cutSidesOf = Array(repeating: [CutSide](), count: fragmentCount)
        for (c, cut) in cuts.enumerated() {
            for side in 0..<2 { cutSidesOf[cut.fragments[side]].append(CutSide(cut: c, side: side)) }
        }
        for f in 0..<fragmentCount { cutSidesOf[f].sort { ($0.cut, $0.side) < ($1.cut, $1.side) } }
        var templates = Array(repeating: [FragmentStep](), count: fragmentCount)
        func emitSides(ofCut c: Int) {
            for side in 0..<2 {
                let f = cuts[c].fragments[side]
                let digit = cutSidesOf[f].firstIndex(of: CutSide(cut: c, side: side))!
                templates[f].append(.cutSide(digit: digit))
            }
        }
        for g in 0...gates.count {
            for c in wireCutsAtPosition[g] ?? [] { emitSides(ofCut: c) }
            guard g < gates.count else { break }
            if let c = cutAtGate[g] {
                emitSides(ofCut: c)
            } else {
                let s = segmentsOf(g)
                var local = gates[g]
                local.qubits = s.map { localQubit[$0] }
                templates[fragmentOf[s[0]]].append(.gate(local))
            }
        }

        // The observable: Pauli on wire w is measured on w's last segment.
        var fragmentObservables = Array(repeating: [Observable](), count: fragmentCount)
        for term in observable.terms {
            var qubits = Array(repeating: [Int](), count: fragmentCount)
            var paulis = Array(repeating: [Pauli](), count: fragmentCount)
            for (w, p) in zip(term.qubits, term.paulis) {
                let s = segments.lastSegment(wire: w)
                qubits[fragmentOf[s]].append(localQubit[s])
                paulis[fragmentOf[s]].append(p)
            }
            var indices: [Int] = []
            for f in 0..<fragmentCount {
                let local = Observable(qubitCount: wiresOf[f].count,
                                       terms: [PauliString(coefficient: 1, qubits: qubits[f], paulis: paulis[f])])
                if let i = fragmentObservables[f].firstIndex(of: local) {
                    indices.append(i)
                } else {
                    indices.append(fragmentObservables[f].count)
                    fragmentObservables[f].append(local)
                }
            }
            observableTerms.append(ObservableTerm(coefficient: term.coefficient, fragmentObservables: indices))
        }
        if observable.terms.isEmpty {
            // The zero observable: keep one identity per fragment so the contraction is defined.
            for f in 0..<fragmentCount {
                fragmentObservables[f] = [Observable(qubitCount: wiresOf[f].count, terms: [PauliString(qubits: [], paulis: [])])]
            }
            observableTerms = [ObservableTerm(coefficient: 0, fragmentObservables: Array(repeating: 0, count: fragmentCount))]
        }

        for f in 0..<fragmentCount {
            let radices = cutSidesOf[f].map { cuts[$0.cut].basis.sideOperations[$0.side].count }
            let sideOperations = cutSidesOf[f].map { side in
                cuts[side.cut].basis.sideOperations[side.side].map { op in
                    op.map { gate in
                        var local = gate
                        local.qubits = [cuts[side.cut].localQubits[side.side]]
                        return local
                    }
                }
            }
            let fragment = Fragment(wires: wiresOf[f], cutSides: cutSidesOf[f], radices: radices, template: templates[f],
                                    sideOperations: sideOperations, parameterCount: original.parameterCount,
                                    inputCount: original.inputCount, observables: fragmentObservables[f])
            guard fragment.settingCount <= options.maxSettingsPerFragment else {
                throw CuttingError.tooManySettings(call: call, fragment: f, settings: fragment.settingCount,
                                                   limit: options.maxSettingsPerFragment)
            }
            fragments.append(fragment)
        }
    }
}
