/// Automatic cutting: the QNN benchmark family is cut at exactly its k boundary CNOTs, and
/// automatically cut random circuits (random_circuits.json) reconstruct their Qiskit values.
import Testing
import Foundation
import Circuits
import Simulator
@testable import Cutting

@Suite struct AutomaticCuttingTests {
    @Test(arguments: 0...4)
    func qnnBenchmarkNeedsExactlyKCuts(k: Int) throws {
        let circuit = ReferenceQNN.circuit(qubits: 8, layers: 4, crossingLayers: k)
        let observable = Observable(qubitCount: 8, terms: [PauliString(qubits: Array(0..<8), paulis: Array(repeating: .z, count: 8))])
        let plan = try CutPlan(circuit: circuit, observable: observable, cuts: .automatic(maxFragmentQubits: 4))
        #expect(plan.cuts.count == k)
        #expect(plan.cuts.allSatisfy { if case .gate = $0.location { return true } else { return false } })
        let overhead = plan.planningGamma * plan.planningGamma
        #expect(abs(overhead - pow(9, Double(k))) < 1e-9 * overhead)
        #expect(plan.fragments.map(\.width).sorted() == [4, 4])
        #expect(plan.uniqueSettingCount <= 2 * Int(pow(5, Double(k))))
    }

    /// A width that fits the circuit needs no cut; a constant (identity) observable term survives.
    @Test func wideEnoughMeansNoCut() throws {
        let circuit = ReferenceQNN.circuit(qubits: 6, layers: 2)
        let observable = Observable(qubitCount: 6, terms: [PauliString(coefficient: 0.25, qubits: [], paulis: []),
                                                           PauliString(qubits: [5], paulis: [.z])])
        let plan = try CutPlan(circuit: circuit, observable: observable, cuts: .automatic(maxFragmentQubits: 6))
        #expect(plan.cuts.isEmpty && plan.fragments.count == 1 && plan.uniqueSettingCount == 1)
        let theta = (0..<circuit.parameterCount).map { 0.1 * Double($0) }, x = (0..<6).map { 0.3 * Double($0) }
        let cut = try plan.estimate(theta: theta, inputs: [x], gradients: true)
        let uncut = Simulator.evaluate(circuit, observable: observable, theta: theta, inputs: [x], gradients: true)
        #expect(abs(cut.values[0] - uncut.values[0]) < 1e-12)
        #expect(zip(cut.thetaGradients[0], uncut.thetaGradients[0]).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    /// Width n−1 forces cuts; plans whose exact enumeration is small enough for a debug test are
    /// reconstructed and compared with Qiskit's expectation values.
    @Test func randomFixtureCircuitsReconstruct() throws {
        let entries = try Fixtures.load("random_circuits.json", as: Fixtures.RandomFile.self).circuits
        var verified = 0, withWireCuts = 0
        for entry in entries where entry.num_qubits >= 3 {
            let circuit = entry.circuit
            let observables = entry.observables.map { $0.observable(qubitCount: entry.num_qubits) }
            let sum = Observable(qubitCount: entry.num_qubits, terms: observables.flatMap(\.terms))
            let plan: CutPlan
            do {
                plan = try CutPlan(circuit: circuit, observable: sum, cuts: .automatic(maxFragmentQubits: entry.num_qubits - 1),
                                   options: CutPlanOptions(maxSettingsPerFragment: 200))
            } catch let error as CuttingError {
                if case .tooManySettings = error { continue }
                throw error
            }
            #expect(plan.fragments.allSatisfy { $0.width <= entry.num_qubits - 1 })
            #expect(!plan.cuts.isEmpty)
            // One Pauli sum term per fixture observable, each reconstructed separately.
            let cutValue = try plan.estimate(theta: [], inputs: [[]], gradients: false).values[0]
            let expected = entry.observables.reduce(0) { $0 + $1.expval! }
            #expect(abs(cutValue - expected) < 1e-10, "\(entry.id): \(cutValue) vs \(expected)")
            for (o, single) in observables.enumerated() where o < 2 {
                let p = try CutPlan(circuit: circuit, observable: single, cuts: .automatic(maxFragmentQubits: entry.num_qubits - 1))
                let v = try p.estimate(theta: [], inputs: [[]], gradients: false).values[0]
                #expect(abs(v - entry.observables[o].expval!) < 1e-10, "\(entry.id) observable \(o)")
            }
            verified += 1
            if plan.cuts.contains(where: { if case .wire = $0.location { return true } else { return false } }) { withWireCuts += 1 }
        }
        #expect(verified >= 12, "only \(verified) fixture circuits had small enough plans")
        #expect(withWireCuts >= 1, "the search never chose a wire cut")
    }
}

@Suite struct AutomaticCuttingScaleTests {
    /// Beyond the exact-search limit the heuristic still finds the k boundary cuts.
    @Test(arguments: [(12, 6, 2), (16, 8, 3), (20, 10, 1)])
    func heuristicFindsTheBoundary(n: Int, width: Int, k: Int) throws {
        let circuit = ReferenceQNN.circuit(qubits: n, layers: 4, crossingLayers: k)
        let plan = try CutPlan(circuit: circuit, observable: .z(n - 1, qubitCount: n), cuts: .automatic(maxFragmentQubits: width))
        #expect(plan.cuts.count == k)
        #expect(plan.fragments.map(\.width).sorted() == [width, width])
    }
}

@Suite struct AutomaticWireCutTests {
    /// Qubit 2 talks to {0, 1} first and to {3, 4} afterwards: one wire cut (γ² = 16) beats the
    /// three CX cuts (γ² = 729) that a fixed qubit partition would need under width 3.
    @Test func wireCutBeatsGateCuts() throws {
        var c = Circuit(qubitCount: 5)
        for q in 0..<5 { c.append(Gate(.ry, [q], [.theta(q)])) }
        for _ in 0..<3 { c.append(Gate(.cx, [0, 2])); c.append(Gate(.cx, [2, 1])); c.append(Gate(.rx, [2], [.theta(5)])) }
        for _ in 0..<3 { c.append(Gate(.cx, [2, 3])); c.append(Gate(.crz, [4, 2], [.theta(6)])); c.append(Gate(.ry, [3], [.theta(7)])) }
        let observable = Observable(qubitCount: 5, terms: [PauliString(qubits: [0, 2, 4], paulis: [.z, .x, .z])])
        let plan = try CutPlan(circuit: c, observable: observable, cuts: .automatic(maxFragmentQubits: 3))
        #expect(plan.wireCutCount == 1 && plan.gateCutCount == 0, "\(plan)")
        #expect(plan.fragments.map(\.width).sorted() == [3, 3])
        let theta = (0..<8).map { 0.3 * Double($0) - 1 }
        let cut = try plan.estimate(theta: theta, inputs: [[]], gradients: true)
        let uncut = Simulator.evaluate(c, observable: observable, theta: theta, inputs: [[]], gradients: true)
        #expect(abs(cut.values[0] - uncut.values[0]) < 1e-10)
        for i in theta.indices { #expect(abs(cut.thetaGradients[0][i] - uncut.thetaGradients[0][i]) < 1e-10) }
        // Without wire cuts the search must pay for gate cuts.
        let gateOnly = try CutPlan(circuit: c, observable: observable, cuts: .automatic(maxFragmentQubits: 3),
                                   options: CutPlanOptions(allowWireCuts: false))
        #expect(gateOnly.wireCutCount == 0 && gateOnly.gateCutCount >= 3)
    }
}
