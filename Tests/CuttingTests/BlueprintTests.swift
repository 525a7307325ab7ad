/// The plan blueprint ranks exchange instead of the plan: it rebuilds the same plan (digest,
/// units, values), it is small, and a damaged buffer is refused with an error, never a trap.
import Circuits
@testable import Cutting
import Testing

struct BlueprintTests {
    /// A 9-qubit circuit whose two blocks are joined by `k` CNOTs (5^k settings per side).
    static func boundaryCircuit(k: Int) -> Circuit {
        var c = Circuit(qubitCount: 9, parameterCount: 0, inputCount: 0)
        for layer in 0..<k {
            for q in 0..<9 { c.append(Gate(.ry, [q], [.constant(0.3 + Double(q * 7 + layer) * 0.11)])) }
            for q in 0..<5 { c.append(Gate(.cx, [q, q + 1])) }
            for q in 6..<8 { c.append(Gate(.cx, [q, q + 1])) }
            c.append(Gate(.cx, [layer % 6, 6 + layer % 3]))
        }
        return c
    }

    @Test("a blueprint rebuilds the same plan: digest, units, fragments and value")
    func roundTrip() throws {
        let circuit = Self.boundaryCircuit(k: 3)
        let observable = Observable(qubitCount: 9, terms: [PauliString(qubits: [0, 8], paulis: [.z, .x])])
        for spec in [CutSpecification.partition(labels: "AAAAAABBB"), .automatic(maxFragmentQubits: 6)] {
            let plan = try CutPlan(circuit: circuit, observable: observable, cuts: spec)
            let bytes = plan.blueprint.encoded()
            let rebuilt = try CutPlan(blueprint: PlanBlueprint(decoding: bytes))
            #expect(rebuilt.digest == plan.digest)
            #expect(Array(rebuilt.workUnits) == Array(plan.workUnits))
            #expect(rebuilt.fragments == plan.fragments)
            let a = try plan.estimate(theta: [], inputs: [[]], gradients: false).values
            let b = try rebuilt.estimate(theta: [], inputs: [[]], gradients: false).values
            #expect(a == b)
            // O(circuit + cuts): a few bytes per gate, not per sub-experiment.
            #expect(bytes.count < 64 * circuit.gates.count + 1024, "\(bytes.count) bytes for \(plan.workUnits.count) units")
        }
    }

    @Test("units are addressed by index: fragment by fragment, setting by setting, observable by observable")
    func unitsByIndex() throws {
        let circuit = Self.boundaryCircuit(k: 2)
        let observable = Observable(qubitCount: 9, terms: [PauliString(qubits: [0], paulis: [.z]),
                                                            PauliString(qubits: [8], paulis: [.x])])
        let plan = try CutPlan(circuit: circuit, observable: observable, cuts: .partition(labels: "AAAAAABBB"))
        var expected: [WorkUnit] = []
        for (f, fragment) in plan.fragments.enumerated() {
            for s in 0..<fragment.settingCount {
                for o in fragment.observables.indices { expected.append(WorkUnit(fragment: f, setting: s, observable: o)) }
            }
        }
        #expect(Array(plan.workUnits) == expected)
        for (i, u) in expected.enumerated() {
            #expect(plan.workUnitIndex(fragment: u.fragment, setting: u.setting, observable: u.observable) == i)
        }
    }

    @Test("every truncation, a wrong magic and a newer version are refused with an error")
    func damagedBuffers() throws {
        let plan = try CutPlan(circuit: Self.boundaryCircuit(k: 2), observable: .z(0, qubitCount: 9),
                               cuts: .partition(labels: "AAAAAABBB"))
        let bytes = plan.blueprint.encoded()
        for n in 0..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { try PlanBlueprint(decoding: Array(bytes[..<n])) }
        }
        var wrong = bytes
        wrong[0] ^= 0xFF
        #expect(throws: BinaryDecodingError.self) { try PlanBlueprint(decoding: wrong) }
        var newer = bytes
        newer[4] = PlanBlueprint.version + 1
        #expect(throws: BinaryDecodingError.self) { try PlanBlueprint(decoding: newer) }
        #expect(throws: BinaryDecodingError.self) { try PlanBlueprint(decoding: bytes + [0]) }
    }
}
