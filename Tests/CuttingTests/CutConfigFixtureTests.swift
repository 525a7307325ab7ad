/// Gate cutting of the QNN benchmark family against qiskit-addon-cutting (cut_configs.json):
/// same term count and coefficients (in the library's order), settings deduplicated to ≤ 5^k per
/// side, and exact reconstruction equal to the uncut value.
import Testing
import Circuits
import Simulator
@testable import Cutting

@Suite struct CutConfigFixtureTests {
    static let configs = (try? Fixtures.load("cut_configs.json", as: Fixtures.CutConfigFile.self).configs) ?? []
    static let qnn = (try? Fixtures.load("qnn_circuits.json", as: Fixtures.QNNFile.self).circuits) ?? []

    @Test func fixturesLoad() {
        #expect(Self.configs.count == 10)
        #expect(Self.qnn.count == 20)
    }

    @Test(arguments: configs.map(\.id))
    func partitionMatchesQiskit(id: String) throws {
        let config = try #require(Self.configs.first { $0.id == id })
        let n = config.num_qubits
        let circuit = ReferenceQNN.circuit(qubits: n, layers: config.layers, crossingLayers: config.crossing_layers)
        let observable = config.observable.observable(qubitCount: n)
        let plan = try CutPlan(circuit: circuit, observable: observable, cuts: .partition(labels: config.partition_labels))
        let k = config.num_cuts

        #expect(plan.cuts.count == k)
        #expect(plan.fragments.count == 2)
        #expect(plan.termCount == config.num_terms)
        // The cut gates are the boundary CNOTs the fixture lists, in circuit order.
        for (cut, expected) in zip(plan.cuts, config.cut_gates) {
            guard case let .gate(index) = cut.location else { Issue.record("\(id): expected a gate cut"); continue }
            #expect(circuit.gates[index].qubits == [expected.control, expected.target])
        }
        // Coefficients in the library's order (lexicographic map ids, last cut fastest).
        for (t, expected) in config.terms.enumerated() {
            let term = plan.qpdTerm(t)
            #expect(term == expected.map_ids)
            #expect(abs(plan.coefficient(ofTerm: term, theta: [], input: []) - expected.coefficient) < 1e-12)
        }
        #expect(abs(plan.gamma(theta: [], input: []) - config.sum_abs_coefficients) < 1e-12 * config.sum_abs_coefficients)
        for fragment in plan.fragments {
            #expect(fragment.settingCount <= Int(pow5(k)))
            #expect(fragment.width == n / 2)
        }
        // Qiskit runs 6^k circuits per partition; we run 5^k.
        #expect(plan.uniqueSettingCount == 2 * pow5(k))
        #expect(config.num_subexperiments.total == 2 * config.num_terms)

        // Exact reconstruction, with the fixture's parameters when qnn_circuits.json has them.
        guard let params = Self.qnn.first(where: { $0.num_qubits == n && $0.layers == config.layers && $0.seed == config.seed })
        else { return }
        let estimate = try plan.estimate(theta: params.flatTheta, inputs: [params.x], gradients: false)
        #expect(abs(estimate.values[0] - config.exact_expval) < 1e-10, "\(id): \(estimate.values[0]) vs \(config.exact_expval)")
        let uncut = Simulator.evaluate(circuit, observable: observable, theta: params.flatTheta, inputs: [params.x], gradients: false)
        #expect(abs(estimate.values[0] - uncut.values[0]) < 1e-10)
    }

    /// Only cut09 (n = 12) has no parameters in qnn_circuits.json; every other config's
    /// exact_expval is checked above.
    @Test func parametersExistForAllButTheTwelveQubitConfig() {
        let missing = Self.configs.filter { c in
            !Self.qnn.contains { $0.num_qubits == c.num_qubits && $0.layers == c.layers && $0.seed == c.seed }
        }.map(\.id)
        #expect(missing == ["cut09"])
    }

    func pow5(_ k: Int) -> Int { (0..<k).reduce(1) { r, _ in r * 5 } }
}
