/// The fragment-value table keeps, per work unit, only the derivatives its fragment can have
/// (its θ/x support): the dropped columns are exactly the Simulator's zeros, the table is much
/// smaller than 1 + P + X per row, and per-unit clearing and summing still partition the work.
import Testing
import Circuits
import Simulator
@testable import Cutting

@Suite struct FragmentValueTableTests {
    @Test func rowsHoldTheSupportAndTheDroppedColumnsAreZero() throws {
        let (plan, theta, input) = try SampledEstimationTests.plan()
        let inputs = [input, input.map { -0.7 * $0 }]
        var table = FragmentValueTable(plan: plan, sampleCount: inputs.count, gradients: true)
        plan.evaluate(units: plan.workUnits.indices, theta: theta, inputs: inputs, into: &table)
        let p = plan.circuit.parameterCount, slots = p + plan.circuit.inputCount
        var nonzeroDerivatives = 0
        for unit in plan.workUnits.indices {
            #expect(table.rowWidth(unit: unit) == 1 + table.columns(unit: unit).count)
            #expect(table.storageRange(unit: unit).count == inputs.count * table.rowWidth(unit: unit))
            let full = plan.evaluate(unit: unit, theta: theta, inputs: inputs, gradients: true)
            for b in inputs.indices {
                #expect(table.value(unit: unit, sample: b) == full.values[b])
                for slot in 0..<slots {
                    let expected = slot < p ? full.thetaGradients[b][slot] : full.inputGradients[b][slot - p]
                    #expect(table.derivative(unit: unit, sample: b, slot: slot) == expected, "unit \(unit) sample \(b) slot \(slot)")
                    if table.columns(unit: unit).contains(slot) && expected != 0 { nonzeroDerivatives += 1 }
                }
            }
        }
        #expect(nonzeroDerivatives > 0)
        // Every fragment misses some slot here, so every row is narrower than 1 + P + X.
        #expect(plan.workUnits.indices.allSatisfy { table.rowWidth(unit: $0) < 1 + slots })
        let forward = FragmentValueTable(plan: plan, sampleCount: inputs.count, gradients: false)
        #expect(forward.storage.count == plan.workUnits.count * inputs.count)
    }

    @Test func qnnTableIsAboutTwiceNarrowerThanFullRows() throws {
        let n = 8
        let circuit = ReferenceQNN.circuit(qubits: n, layers: 4, crossingLayers: 2)
        let observable = Observable(qubitCount: n, terms: [PauliString(qubits: [n - 1], paulis: [.z])])
        let plan = try CutPlan(circuit: circuit, observable: observable, cuts: .automatic(maxFragmentQubits: 4))
        let table = FragmentValueTable(plan: plan, sampleCount: 3, gradients: true)
        let fullRows = plan.workUnits.count * 3 * (1 + circuit.parameterCount + circuit.inputCount)
        // k = 2 here; the k = 3, 4 tables of the benchmark shrink a little more (docs/performance.md).
        #expect(Double(table.storage.count) * 1.9 <= Double(fullRows), "\(table.storage.count) of \(fullRows) doubles")
    }

    @Test func clearingAndAddingWorkPerUnit() throws {
        let (plan, theta, input) = try SampledEstimationTests.plan()
        var whole = FragmentValueTable(plan: plan, sampleCount: 1, gradients: true)
        plan.evaluate(units: plan.workUnits.indices, theta: theta, inputs: [input], into: &whole)
        // A "rank" that computed everything but owns only the even units clears the rest.
        var even = whole
        for unit in plan.workUnits.indices where unit % 2 == 1 { even.clear(unit: unit) }
        for unit in plan.workUnits.indices {
            let range = whole.storageRange(unit: unit)
            let expected = unit % 2 == 0 ? Array(whole.storage[range]) : Array(repeating: 0, count: range.count)
            #expect(Array(even.storage[range]) == expected)
        }
        var odd = FragmentValueTable(plan: plan, sampleCount: 1, gradients: true)
        plan.evaluate(units: plan.workUnits.indices.filter { $0 % 2 == 1 }, theta: theta, inputs: [input], into: &odd)
        even.add(odd)
        #expect(even.storage == whole.storage)
    }
}
