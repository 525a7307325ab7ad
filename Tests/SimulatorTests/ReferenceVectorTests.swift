/// The simulator against Qiskit's reference vectors (Tests/Fixtures): 40 random circuits
/// (expectation values and n ≤ 4 state vectors) and 20 reference QNN circuits.

import Testing
import Circuits
@testable import Simulator

@Suite struct ReferenceVectorTests {
    @Test func randomCircuitsMatchQiskitExpectationValues() throws {
        let file = "random_circuits.json"
        let circuits = try loadFixtureCircuits(file)
        #expect(circuits.count == 40)
        var checked = 0
        for entry in circuits {
            let id = entry["id"] as! String, n = entry["num_qubits"] as! Int
            let c = try circuit(fromGates: entry["gates"] as! [[String: Any]], qubits: n, file: file)
            for obs in entry["observables"] as! [[String: Any]] {
                let o = observable(fromPaulis: obs["paulis"] as! [[Any]], qubits: n)
                let expected = obs["expval"] as! Double
                let got = Simulator.evaluate(c, observable: o, theta: [], inputs: [[]], gradients: false).values[0]
                #expect(abs(got - expected) < 1e-10, "\(id) \(obs["label"]!): \(got) vs \(expected)")
                var state = StateVector(qubitCount: n)
                state.apply(c)
                #expect(abs(state.expectation(o) - expected) < 1e-10, "\(id) StateVector \(obs["label"]!)")
                checked += 1
            }
        }
        #expect(checked > 200)
    }

    @Test func smallRandomCircuitsMatchQiskitStateVectorsUpToGlobalPhase() throws {
        let file = "random_circuits.json"
        var checked = 0
        for entry in try loadFixtureCircuits(file) {
            guard let sv = entry["statevector"] as? [[Double]] else { continue }
            let id = entry["id"] as! String, n = entry["num_qubits"] as! Int
            let c = try circuit(fromGates: entry["gates"] as! [[String: Any]], qubits: n, file: file)
            var state = StateVector(qubitCount: n)
            state.apply(c)
            let got = state.amplitudes
            let expected = sv.map { Complex($0[0], $0[1]) }
            // Global phase from the largest reference amplitude.
            let k = expected.indices.max { expected[$0].magnitudeSquared < expected[$1].magnitudeSquared }!
            let ratio = expected[k] * got[k].conjugate
            let phase = (1 / ratio.magnitudeSquared.squareRoot()) * ratio
            let worst = zip(got, expected).map { (phase * $0 - $1).magnitudeSquared.squareRoot() }.max()!
            #expect(worst < 1e-10, "\(id): amplitude error \(worst)")
            checked += 1
        }
        #expect(checked >= 10)
    }

    @Test func qnnCircuitsMatchExactZ0AndZall() throws {
        let circuits = try loadFixtureCircuits("qnn_circuits.json")
        #expect(circuits.count == 20)
        for entry in circuits {
            let id = entry["id"] as! String
            let n = entry["num_qubits"] as! Int, layers = entry["layers"] as! Int
            let crossing = entry["crossing_layers"] as! Int
            let x = entry["x"] as! [Double]
            let nested = entry["theta"] as! [[[Double]]]
            var theta = Array(repeating: 0.0, count: 2 * n * layers)
            for l in 0..<layers { for q in 0..<n { for k in 0..<2 {
                theta[ReferenceQNN.thetaIndex(layer: l, qubit: q, k: k, qubits: n)] = nested[l][q][k]
            } } }
            let c = ReferenceQNN.circuit(qubits: n, layers: layers, crossingLayers: crossing)
            let z0 = Observable.z(0, qubitCount: n)
            let zall = Observable(qubitCount: n, terms: [PauliString(qubits: Array(0..<n), paulis: Array(repeating: .z, count: n))])
            let v0 = Simulator.evaluate(c, observable: z0, theta: theta, inputs: [x], gradients: false).values[0]
            let vall = Simulator.evaluate(c, observable: zall, theta: theta, inputs: [x], gradients: true).values[0]
            #expect(abs(v0 - (entry["exact_z0"] as! Double)) < 1e-10, "\(id) Z0")
            #expect(abs(vall - (entry["exact_zall"] as! Double)) < 1e-10, "\(id) Zall")
        }
    }
}
