/// Resolving a cut specification into working-circuit terms: gate cuts (by working index), wire
/// cuts (wire, position) and, for partitions and automatic search, the fragment of every segment.
import Circuits

/// A wire cut in the working (SWAP-free) circuit.
struct WorkingWireCut: Hashable, Sendable {
    var wire: Int
    var position: Int
    /// The same cut in the user's circuit.
    var location: WireCut
}

/// The cuts a specification asks for, in working-circuit terms.
struct CutResolution: Hashable, Sendable {
    var gateCuts: [Int] = []
    var wireCuts: [WorkingWireCut] = []
    /// Fragment of every segment, or nil for "connected components".
    var fragmentOfSegment: [Int]?

    init(gateCuts: [Int], wireCuts: [WorkingWireCut], fragmentOfSegment: [Int]?) {
        self.gateCuts = gateCuts
        self.wireCuts = wireCuts
        self.fragmentOfSegment = fragmentOfSegment
    }

    init(_ specification: CutSpecification, working: RelabelledCircuit, original: Circuit,
         observable: Observable, options: CutPlanOptions, call: String) throws {
        switch specification {
        case let .explicit(gateCuts, wireCuts):
            var seen = Set<Int>()
            for index in gateCuts {
                guard index >= 0 && index < original.gates.count else {
                    throw CuttingError.invalidSpecification(call: call, reason: "gate cut index \(index) is out of range 0..<\(original.gates.count)")
                }
                guard seen.insert(index).inserted else {
                    throw CuttingError.invalidSpecification(call: call, reason: "gate \(index) is cut twice")
                }
                let gate = original.gates[index]
                guard let w = working.workingGateIndex[index] else {
                    throw CuttingError.invalidSpecification(call: call, reason: "gate \(index) is a swap: SWAPs are relabelled away and never need a cut")
                }
                guard QPDBasis.gateCut(gate) != nil else {
                    throw CuttingError.uncuttableGate(call: call, gateIndex: index, kind: gate.kind, qubits: gate.qubits)
                }
                self.gateCuts.append(w)
            }
            self.gateCuts.sort()
            var places = Set<[Int]>()
            for cut in wireCuts {
                guard cut.qubit >= 0 && cut.qubit < original.qubitCount else {
                    throw CuttingError.invalidSpecification(call: call, reason: "wire cut on qubit \(cut.qubit), but the circuit has \(original.qubitCount) qubit(s)")
                }
                guard cut.beforeGate >= 0 && cut.beforeGate <= original.gates.count else {
                    throw CuttingError.invalidSpecification(call: call, reason: "wire cut before gate \(cut.beforeGate) is out of range 0...\(original.gates.count)")
                }
                let place = working.workingWireCut(qubit: cut.qubit, beforeGate: cut.beforeGate)
                guard places.insert([place.wire, place.position]).inserted else {
                    throw CuttingError.invalidSpecification(call: call, reason: "wire cut on qubit \(cut.qubit) before gate \(cut.beforeGate) duplicates another cut of the same wire")
                }
                self.wireCuts.append(WorkingWireCut(wire: place.wire, position: place.position, location: cut))
            }
            fragmentOfSegment = nil
        case let .partition(labels):
            let characters = Array(labels)
            guard characters.count == original.qubitCount else {
                throw CuttingError.invalidSpecification(call: call, reason: "partition labels \"\(labels)\" have \(characters.count) character(s) for \(original.qubitCount) qubit(s)")
            }
            var labelIndex: [Character: Int] = [:]
            let partOfWire = characters.map { c in
                if let i = labelIndex[c] { return i }
                labelIndex[c] = labelIndex.count
                return labelIndex.count - 1
            }
            for (w, gate) in working.circuit.gates.enumerated() where gate.kind.arity > 1 {
                guard Set(gate.qubits.map { partOfWire[$0] }).count > 1 else { continue }
                let index = working.originalGateIndex[w]
                guard gate.kind.arity == 2, QPDBasis.gateCut(gate) != nil else {
                    throw CuttingError.uncuttableGate(call: call, gateIndex: index, kind: gate.kind,
                                                      qubits: original.gates[index].qubits)
                }
                self.gateCuts.append(w)
            }
            fragmentOfSegment = partOfWire
        case let .automatic(maxFragmentQubits):
            self = try AutomaticCutFinder(circuit: working, observable: observable, maxFragmentQubits: maxFragmentQubits,
                                          options: options, call: call).solve()
        }
    }
}
