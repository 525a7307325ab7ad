/// The reconstruction budget (issue 4): contracting fragment values must cost ≤ 5 % of a query on
/// the QNN benchmark (n = 8, L = 4) at k = 3 and 4 cuts, gradients included. Timing is only
/// meaningful in release builds, so this runs when CUTTING_BENCH is set:
/// `CUTTING_BENCH=1 swift test -c release --scratch-path .build-cut-rel --filter ReconstructionCostBenchmark`
import Testing
import Foundation
import Circuits
import Simulator
@testable import Cutting
import Support

@Suite(.serialized) struct ReconstructionCostBenchmark {
    static let enabled = ProcessInfo.processInfo.environment["CUTTING_BENCH"] != nil

    @Test(.enabled(if: enabled), arguments: [3, 4])
    func reconstructionIsAtMostFivePercentOfAQuery(k: Int) throws {
        let n = 8, layers = 4, batch = 16
        let circuit = ReferenceQNN.circuit(qubits: n, layers: layers, crossingLayers: k)
        let observable = Observable(qubitCount: n, terms: [PauliString(qubits: [n - 1], paulis: [.z])])
        let partitionStart = Date()
        let plan = try CutPlan(circuit: circuit, observable: observable, cuts: .automatic(maxFragmentQubits: 4))
        let partition = Date().timeIntervalSince(partitionStart)
        var rng = Xoshiro256(seed: 1)
        let theta = (0..<circuit.parameterCount).map { _ in rng.uniform() * 6 - 3 }
        let inputs = (0..<batch).map { _ in (0..<n).map { _ in rng.uniform() * 3 } }
        for gradients in [false, true] {
            // One warm-up round, then the fastest of five (the machine is shared: minima are the
            // least disturbed measurement of each stage).
            var execute = Double.infinity, reconstruct = Double.infinity
            var result: CutEstimate?
            for round in 0..<6 {
                let t0 = Date()
                var table = FragmentValueTable(plan: plan, sampleCount: batch, gradients: gradients)
                plan.evaluate(units: plan.workUnits.indices, theta: theta, inputs: inputs, into: &table)
                let t1 = Date()
                result = try plan.reconstruct(table, theta: theta, inputs: inputs)
                let t2 = Date()
                if round > 0 {
                    execute = min(execute, t1.timeIntervalSince(t0))
                    reconstruct = min(reconstruct, t2.timeIntervalSince(t1))
                }
            }
            let share = reconstruct / (execute + reconstruct)
            // Table size against rows of 1 + P + X for every unit (what each rank would reduce).
            let tableMB = Double(FragmentValueTable(plan: plan, sampleCount: batch, gradients: gradients).storage.count) * 8 / 1e6
            let fullRowsMB = Double(plan.workUnits.count * batch * (gradients ? 1 + circuit.parameterCount + circuit.inputCount : 1)) * 8 / 1e6
            print(String(format: "k=%d gradients=%@ B=%d units=%d partition %.1f ms  execute %.2f ms  reconstruct %.3f ms per batch  share %.2f %%  table %.2f MB (full rows %.2f MB)",
                         k, gradients ? "yes" : "no", batch, plan.workUnits.count, partition * 1e3,
                         execute * 1e3, reconstruct * 1e3, share * 100, tableMB, fullRowsMB))
            #expect(share <= 0.05)
            let uncut = Simulator.evaluate(circuit, observable: observable, theta: theta, inputs: inputs, gradients: gradients)
            for b in 0..<batch { #expect(abs(result!.values[b] - uncut.values[b]) < 1e-10) }
        }
    }
}
