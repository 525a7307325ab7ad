/// The reader against Qiskit's own output: every fixture circuit, in both qelib1 flavours.

import Testing
@testable import Circuits

@Suite struct QASMFixtureTests {
    /// Qiskit gate names as the fixture lists them → the GateKind the reader must produce.
    static let kindForQiskitName: [String: GateKind] = [
        "u": .u3, "p": .p, "h": .h, "x": .x, "y": .y, "z": .z, "s": .s, "sdg": .sdg, "t": .t,
        "tdg": .tdg, "sx": .sx, "rx": .rx, "ry": .ry, "rz": .rz, "cx": .cx, "cz": .cz, "swap": .swap,
        "rzz": .rzz, "crx": .crx,
    ]

    @Test func randomCircuitsParseInQiskitFlavourWithExactGates() throws {
        #expect(Fixtures.random.count == 40)
        for fixture in Fixtures.random {
            let circuit = try QASM.parse(fixture.qasm2, fileName: fixture.id)
            #expect(circuit.qubitCount == fixture.num_qubits, "\(fixture.id)")
            #expect(circuit.parameterCount == 0 && circuit.inputCount == 0)
            try #require(circuit.gates.count == fixture.gates.count, "\(fixture.id)")
            for (k, (gate, expected)) in zip(circuit.gates, fixture.gates).enumerated() {
                let context = "\(fixture.id) gate \(k) \(expected.name)"
                #expect(gate.kind == Self.kindForQiskitName[expected.name], "\(context)")
                #expect(gate.qubits == expected.qubits, "\(context)")
                try #require(gate.angles.count == expected.params.count, "\(context)")
                for (angle, value) in zip(gate.angles, expected.params) {
                    #expect(angle.isConstant)
                    #expect(abs(angle.constant - value) <= 1e-12, "\(context): \(angle.constant) vs \(value)")
                }
            }
        }
    }

    @Test func randomCircuitsParseInPaperFlavour() throws {
        for fixture in Fixtures.random {
            let circuit = try QASM.parse(fixture.qasm2_paper_qelib1, fileName: fixture.id + "-paper")
            #expect(circuit.qubitCount == fixture.num_qubits, "\(fixture.id)")
            // The paper flavour rewrites sx as 3 gates, swap and rzz as 3, crx as 5.
            let extra = fixture.gates.reduce(0) { n, g in
                n + ["sx": 2, "swap": 2, "rzz": 2, "crx": 4][g.name, default: 0]
            }
            #expect(circuit.gates.count == fixture.gates.count + extra, "\(fixture.id)")
            let allowed: Set<GateKind> = [.h, .x, .y, .z, .s, .sdg, .t, .tdg, .rx, .ry, .rz, .p, .u3, .cx, .cz]
            #expect(circuit.gates.allSatisfy { allowed.contains($0.kind) }, "\(fixture.id)")
        }
    }

    @Test func qnnCircuitsParseToTheReferenceFamily() throws {
        #expect(Fixtures.qnn.count == 20)
        for fixture in Fixtures.qnn {
            let n = fixture.num_qubits
            let circuit = try QASM.parse(fixture.qasm2, fileName: fixture.id)
            #expect(circuit.qubitCount == n, "\(fixture.id)")
            var expected: [Gate] = (0..<n).map { Gate(.ry, [$0], [.constant(fixture.x[$0])]) }
            for l in 0..<fixture.layers {
                for q in 0..<n {
                    expected.append(Gate(.ry, [q], [.constant(fixture.theta[l][q][0])]))
                    expected.append(Gate(.rz, [q], [.constant(fixture.theta[l][q][1])]))
                }
                for q in 0..<(n - 1) where q != n / 2 - 1 || l < fixture.crossing_layers {
                    expected.append(Gate(.cx, [q, q + 1]))
                }
            }
            // Compare count first so that a mismatch does not print two whole circuits.
            try #require(circuit.gates.count == expected.count, "\(fixture.id)")
            for (k, (gate, want)) in zip(circuit.gates, expected).enumerated() {
                #expect(gate == want, "\(fixture.id) gate \(k)")
            }
        }
    }

    @Test func fixtureObservableLabelsParseToTheirPaulis() throws {
        let letters: [String: Pauli] = ["X": .x, "Y": .y, "Z": .z]
        var checked = 0
        for (n, fixture) in Fixtures.allObservables {
            let observable = try Observable.parse(fixture.label, qubitCount: n)
            try #require(observable.terms.count == 1, "\(fixture.label)")
            let term = observable.terms[0]
            #expect(term.coefficient == 1)
            #expect(term.qubits == fixture.paulis.map(\.qubit), "\(fixture.label)")
            #expect(term.paulis == fixture.paulis.map { letters[$0.letter] }, "\(fixture.label)")
            // The explicit form prints back and re-parses to the same observable.
            #expect(try Observable.parse(observable.description, qubitCount: n) == observable)
            checked += 1
        }
        #expect(checked > 200)
    }
}
