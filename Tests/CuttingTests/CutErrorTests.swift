/// Requests the cutter must refuse, each with a one-line message naming the call and the cause.
import Testing
import Circuits
import Simulator
@testable import Cutting

@Suite struct CutErrorTests {
    func ccxCircuit() -> Circuit {
        var c = Circuit(qubitCount: 4)
        c.append(Gate(.h, [0]))
        c.append(Gate(.cx, [0, 1]))
        c.append(Gate(.ccx, [1, 2, 3]))
        return c
    }

    func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return "\(error)" }
        return nil
    }

    @Test func widthLimitThatCannotBeMet() throws {
        let c = ccxCircuit()
        let text = message { _ = try CutPlan(circuit: c, observable: .z(0, qubitCount: 4), cuts: .automatic(maxFragmentQubits: 2)) }
        #expect(text?.contains("no cut set gives fragments of at most 2 qubit(s)") == true, "\(text ?? "no error")")
        #expect(text?.contains("3-qubit gate") == true)
        #expect(text?.contains("\n") == false)
        let zero = message { _ = try CutPlan(circuit: c, observable: .z(0, qubitCount: 4), cuts: .automatic(maxFragmentQubits: 0)) }
        #expect(zero?.contains("at least 1") == true)
        // Width 3 is reachable: the ccx stays whole, the cx is cut.
        let plan = try CutPlan(circuit: c, observable: .z(0, qubitCount: 4), cuts: .automatic(maxFragmentQubits: 3))
        #expect(plan.cuts.count == 1)
    }

    @Test func threeQubitGateAcrossPartitions() {
        let text = message { _ = try CutPlan(circuit: ccxCircuit(), observable: .z(0, qubitCount: 4), cuts: .partition(labels: "AABB")) }
        #expect(text == "CutPlan(circuit:observable:cuts:): gate 2 (ccx on qubits [1, 2, 3]) spans fragments but has no gate-cut decomposition; keep its qubits in one fragment or cut its wires")
    }

    @Test func observableOnMissingQubit() {
        let observable = Observable(qubitCount: 6, terms: [PauliString(qubits: [5], paulis: [.z])])
        let text = message { _ = try CutPlan(circuit: ccxCircuit(), observable: observable, cuts: .partition(labels: "AAAA")) }
        #expect(text == "CutPlan(circuit:observable:cuts:): the observable acts on qubit 5 but the circuit has 4 qubit(s)")
    }

    @Test func malformedExplicitCuts() {
        let c = ccxCircuit(), z = Observable.z(0, qubitCount: 4)
        #expect(message { _ = try CutPlan(circuit: c, observable: z, cuts: .partition(labels: "AAB")) }?
            .contains("3 character(s) for 4 qubit(s)") == true)
        #expect(message { _ = try CutPlan(circuit: c, observable: z, cuts: .explicit(gateCuts: [7], wireCuts: [])) }?
            .contains("gate cut index 7 is out of range 0..<3") == true)
        #expect(message { _ = try CutPlan(circuit: c, observable: z, cuts: .explicit(gateCuts: [0], wireCuts: [])) }?
            .contains("gate 0 (h on qubits [0])") == true)
        #expect(message { _ = try CutPlan(circuit: c, observable: z, cuts: .explicit(gateCuts: [1, 1], wireCuts: [])) }?
            .contains("gate 1 is cut twice") == true)
        #expect(message { _ = try CutPlan(circuit: c, observable: z, cuts: .explicit(gateCuts: [], wireCuts: [WireCut(qubit: 9, beforeGate: 1)])) }?
            .contains("wire cut on qubit 9") == true)
        // Cutting the cx leaves the ccx whole: fine.
        #expect(message { _ = try CutPlan(circuit: c, observable: z, cuts: .explicit(gateCuts: [1], wireCuts: [])) } == nil)
    }

    @Test func wrongTableShape() throws {
        let plan = try CutPlan(circuit: ccxCircuit(), observable: .z(0, qubitCount: 4), cuts: .explicit(gateCuts: [1], wireCuts: []))
        let table = FragmentValueTable(plan: plan, sampleCount: 2, gradients: false)
        let text = message { _ = try plan.reconstruct(table, theta: [], inputs: [[]]) }
        #expect(text?.hasPrefix("CutPlan.reconstruct: table has") == true)
    }
}
