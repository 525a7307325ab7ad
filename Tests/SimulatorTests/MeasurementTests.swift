/// Signed mid-circuit measurements 𝓜_P(ρ) = Π⁺ρΠ⁺ − Π⁻ρΠ⁻ (branching) and prepare operations.

import Testing
import Circuits
@testable import Simulator

/// Re⟨a|O|b⟩ from expectation values only (polarisation; O Hermitian).
func realMatrixElement(_ a: StateVector, _ o: Observable, _ b: StateVector) -> Double {
    let plus = StateVector(amplitudes: zip(a.amplitudes, b.amplitudes).map { $0 + $1 })
    let minus = StateVector(amplitudes: zip(a.amplitudes, b.amplitudes).map { $0 - $1 })
    return (plus.expectation(o) - minus.expectation(o)) / 4
}

func pauliGate(_ p: Pauli) -> GateKind { p == .x ? .x : p == .y ? .y : .z }
func measureGate(_ p: Pauli) -> GateKind { p == .x ? .measureX : p == .y ? .measureY : .measureZ }

@Suite struct MeasurementTests {
    @Test func handCheckedCases() {
        let n = 1
        func value(_ gates: [Gate], _ o: Observable) -> Double {
            Simulator.evaluate(Circuit(qubitCount: n, gates: gates), observable: o, theta: [], inputs: [[]],
                               gradients: false).values[0]
        }
        let x = Observable(qubitCount: 1, terms: [PauliString(qubits: [0], paulis: [.x])])
        let z = Observable.z(0, qubitCount: 1)
        let identity = Observable(qubitCount: 1, terms: [PauliString(qubits: [], paulis: [])])
        // measureZ on |+⟩ destroys the coherence: ⟨X⟩ = 0 (without it ⟨X⟩ = 1).
        #expect(abs(value([Gate(.h, [0]), Gate(.measureZ, [0])], x)) < 1e-15)
        #expect(abs(value([Gate(.h, [0])], x) - 1) < 1e-15)
        // measureZ on |0⟩ then Z: (+1)·1 − (−1 branch is empty) = 1.
        #expect(abs(value([Gate(.measureZ, [0])], z) - 1) < 1e-15)
        // The signed trace of 𝓜_P(ρ) is ⟨P⟩: measureX on |−⟩ with O = I gives −1.
        #expect(abs(value([Gate(.prepareXMinus, [0]), Gate(.measureX, [0])], identity) + 1) < 1e-15)
        // measureY on |+i⟩ then Z: branches Π±|+i⟩ = |+i⟩, 0 → ⟨Z⟩ of |+i⟩ = 0; with O = I: +1.
        #expect(abs(value([Gate(.prepareYPlus, [0]), Gate(.measureY, [0])], identity) - 1) < 1e-15)
        // measureZ on |1⟩ then Z: −(−1) = +1; on |1⟩ with O = I: −1.
        #expect(abs(value([Gate(.x, [0]), Gate(.measureZ, [0])], z) - 1) < 1e-15)
        #expect(abs(value([Gate(.x, [0]), Gate(.measureZ, [0])], identity) + 1) < 1e-15)
    }

    @Test func prepareOperationsGiveTheEigenstates() {
        let cases: [(GateKind, Pauli, Double)] = [
            (.prepareZPlus, .z, 1), (.prepareZMinus, .z, -1), (.prepareXPlus, .x, 1),
            (.prepareXMinus, .x, -1), (.prepareYPlus, .y, 1), (.prepareYMinus, .y, -1),
        ]
        for (kind, p, expected) in cases {
            var s = StateVector(qubitCount: 2)
            s.apply(Gate(kind, [1]))
            let o = Observable(qubitCount: 2, terms: [PauliString(qubits: [1], paulis: [p])])
            #expect(abs(s.expectation(o) - expected) < 1e-14, "\(kind)")
            #expect(abs(s.normSquared - 1) < 1e-14)
        }
    }

    /// Tr(O·B𝓜_P(ρ)B†) = ½Tr(B†OB(Pρ + ρP)) = Re⟨Bψ|O|BPψ⟩ for a random state ψ = A|0⟩, random
    /// later gates B and a random observable O.
    @Test(arguments: [Pauli.x, .y, .z])
    func signedMeasurementIdentityOnRandomStates(pauli: Pauli) {
        var rng = SeededRNG(seed: UInt64(pauli.rawValue) + 100)
        let n = 4
        for _ in 0..<3 {
            let before = randomCircuit(qubits: n, gates: 20, parameters: 1, inputs: 1, rng: &rng)
            let after = randomCircuit(qubits: n, gates: 10, parameters: 1, inputs: 1, rng: &rng)
            let q = Int.random(in: 0..<n, using: &rng)
            let o = randomObservable(qubits: n, terms: 3, rng: &rng)
            let theta = [0.4], x = [-0.9]
            var whole = before
            whole.append(Gate(measureGate(pauli), [q]))
            for g in after.gates { whole.append(g) }
            let got = Simulator.evaluate(whole, observable: o, theta: theta, inputs: [x], gradients: false).values[0]
            var a = StateVector(qubitCount: n)
            a.apply(before, theta: theta, input: x)
            var b = a
            b.apply(Gate(pauliGate(pauli), [q]))
            a.apply(after, theta: theta, input: x)
            b.apply(after, theta: theta, input: x)
            let expected = realMatrixElement(a, o, b)
            #expect(abs(got - expected) < 1e-12)
            // and the measurement matters: it differs from the unmeasured circuit.
            var plain = before
            for g in after.gates { plain.append(g) }
            let unmeasured = Simulator.evaluate(plain, observable: o, theta: theta, inputs: [x], gradients: false).values[0]
            #expect(abs(unmeasured - expected) > 1e-6)
        }
    }

    @Test func twoMeasurementsGiveFourSignedBranches() {
        var rng = SeededRNG(seed: 9)
        let n = 3
        let a = randomCircuit(qubits: n, gates: 12, parameters: 1, inputs: 1, rng: &rng)
        let b = randomCircuit(qubits: n, gates: 12, parameters: 1, inputs: 1, rng: &rng)
        let o = randomObservable(qubits: n, terms: 2, rng: &rng)
        var whole = a
        whole.append(Gate(.measureX, [0]))
        for g in b.gates { whole.append(g) }
        whole.append(Gate(.measureZ, [2]))
        let got = Simulator.evaluate(whole, observable: o, theta: [0.1], inputs: [[0.2]], gradients: false).values[0]
        var expected = 0.0
        for s1 in [true, false] {
            for s2 in [true, false] {
                var psi = StateVector(qubitCount: n)
                psi.apply(a, theta: [0.1], input: [0.2])
                psi.project(qubit: 0, pauli: .x, positive: s1)
                psi.apply(b, theta: [0.1], input: [0.2])
                psi.project(qubit: 2, pauli: .z, positive: s2)
                expected += (s1 == s2 ? 1 : -1) * psi.expectation(o)
            }
        }
        #expect(abs(got - expected) < 1e-12)
    }

    @Test(arguments: [UInt64(21), 22, 23])
    func gradientsThroughMeasurementsMatchFiniteDifferences(seed: UInt64) {
        var rng = SeededRNG(seed: seed)
        let n = 3
        let c = randomCircuit(qubits: n, gates: 30, parameters: 5, inputs: 2, measurements: 2, rng: &rng)
        #expect(c.gates.contains { $0.kind.measuredPauli != nil })
        let o = randomObservable(qubits: n, terms: 2, rng: &rng)
        let theta = (0..<5).map { _ in Double.random(in: -3...3, using: &rng) }
        let inputs = randomInputs(2, features: 2, rng: &rng)
        let e = Simulator.evaluate(c, observable: o, theta: theta, inputs: inputs, gradients: true)
        let fd = finiteDifferences(c, o, theta: theta, inputs: inputs)
        #expect(maxDifference(e.thetaGradients, fd.theta) < 1e-6)
        #expect(maxDifference(e.inputGradients, fd.input) < 1e-6)
        #expect(e.thetaGradients.flatMap { $0 }.map(abs).max()! > 1e-3)
    }
}
