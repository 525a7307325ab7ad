/// The working form of a circuit for cutting: SWAP gates are removed by relabelling the wires
/// after them (a SWAP between fragments then costs nothing), and wire cuts split each wire into
/// *segments*; every segment becomes one local qubit of one fragment.
import Circuits

/// A circuit without SWAPs, plus the maps between its gate indices / wires and the original's.
struct RelabelledCircuit: Sendable {
    var circuit: Circuit
    /// `originalGateIndex[g]`: index in the user's circuit of working gate g.
    var originalGateIndex: [Int]
    /// `workingGateIndex[g]`: working index of original gate g, nil for a removed SWAP.
    var workingGateIndex: [Int?]
    /// `wireBefore[g][q]`: the wire that carries original qubit q just before original gate g
    /// (g = gate count: at the end).
    var wireBefore: [[Int]]

    init(_ original: Circuit) {
        var wire = Array(0..<original.qubitCount)
        var gates: [Gate] = []
        var originalIndex: [Int] = []
        var workingIndex: [Int?] = []
        var before: [[Int]] = []
        for (index, gate) in original.gates.enumerated() {
            before.append(wire)
            if gate.kind == .swap {
                wire.swapAt(gate.qubits[0], gate.qubits[1])
                workingIndex.append(nil)
                continue
            }
            var relabelled = gate
            relabelled.qubits = gate.qubits.map { wire[$0] }
            workingIndex.append(gates.count)
            originalIndex.append(index)
            gates.append(relabelled)
        }
        before.append(wire)
        circuit = Circuit(qubitCount: original.qubitCount, gates: gates,
                          parameterCount: original.parameterCount, inputCount: original.inputCount)
        originalGateIndex = originalIndex
        workingGateIndex = workingIndex
        wireBefore = before
    }

    /// The observable with every qubit replaced by the wire that carries it at the end.
    func relabel(_ observable: Observable) -> Observable {
        let final = wireBefore[wireBefore.count - 1]
        return Observable(qubitCount: observable.qubitCount, terms: observable.terms.map { term in
            PauliString(coefficient: term.coefficient, qubits: term.qubits.map { final[$0] }, paulis: term.paulis)
        })
    }

    /// The working (wire, position) of a wire cut on original qubit `qubit` before original gate
    /// `gate`: position = number of working gates before it.
    func workingWireCut(qubit: Int, beforeGate gate: Int) -> (wire: Int, position: Int) {
        let position = workingGateIndex[..<gate].reduce(0) { $0 + ($1 == nil ? 0 : 1) }
        return (wireBefore[gate][qubit], position)
    }
}

/// Wires split at cut positions. A cut at position p on wire w separates working gate p−1 from
/// working gate p; segments are numbered wire by wire, early to late.
struct Segmentation: Hashable, Sendable, Codable {
    /// `cutPositions[w]`, ascending.
    var cutPositions: [[Int]]
    /// First segment index of each wire.
    var offset: [Int]
    var count: Int

    init(wireCount: Int, cuts: [(wire: Int, position: Int)]) {
        var positions = Array(repeating: [Int](), count: wireCount)
        for cut in cuts { positions[cut.wire].append(cut.position) }
        cutPositions = positions.map { $0.sorted() }
        var next = 0
        offset = cutPositions.map { p in defer { next += p.count + 1 }; return next }
        count = next
    }

    /// The segment of wire `wire` that holds working gate `gate`.
    func segment(wire: Int, gate: Int) -> Int {
        offset[wire] + cutPositions[wire].reduce(0) { $0 + ($1 <= gate ? 1 : 0) }
    }

    /// The segment that ends at the cut at `position` on `wire` (the next one starts there).
    func upstreamSegment(wire: Int, position: Int) -> Int {
        offset[wire] + cutPositions[wire].reduce(0) { $0 + ($1 < position ? 1 : 0) }
    }

    /// The segment that reaches the end of the circuit (where the observable is measured).
    func lastSegment(wire: Int) -> Int { offset[wire] + cutPositions[wire].count }

    /// The wire a segment belongs to.
    func wire(of segment: Int) -> Int { offset.lastIndex { $0 <= segment }! }
}
