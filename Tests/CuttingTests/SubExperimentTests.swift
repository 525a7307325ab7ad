/// Sub-experiments as a device runs them (`SubExperiment`) and the density-matrix noise model:
/// without noise, the lowered circuit's signed expectation equals the state-vector value of every
/// unit (gate cuts, 8-term and 4-preparation wire cuts, X/Y/Z observables); with noise, analytic
/// shrink factors; the QASM text reads back with our own parser; measured means go through the
/// sampled estimator unchanged.
import Testing
import Foundation
import Circuits
import Simulator
@testable import Cutting

@Suite struct SubExperimentTests {
    @Test(arguments: [WireCutForm.eightTerms, .fourPreparations])
    func noiselessDensityMatrixEqualsStateVectorForEveryUnit(form: WireCutForm) throws {
        let (base, theta, input) = try SampledEstimationTests.plan()
        let plan = try CutPlan(circuit: base.circuit, observable: base.observable,
                               cuts: .explicit(gateCuts: [6, 8], wireCuts: [WireCut(qubit: 3, beforeGate: 10)]),
                               options: CutPlanOptions(wireCutForm: form))
        var table = FragmentValueTable(plan: plan, sampleCount: 1, gradients: false)
        plan.evaluate(units: plan.workUnits.indices, theta: theta, inputs: [input], into: &table)
        var measuring = 0
        for unit in plan.workUnits.indices {
            let experiment = plan.subExperiment(unit: unit, theta: theta, input: input)
            if experiment.operations.contains(where: { if case .measure = $0 { return true } else { return false } }) { measuring += 1 }
            let value = experiment.noisyValue(NoiseModel())
            #expect(abs(value - table.value(unit: unit, sample: 0)) < 1e-12, "unit \(unit): \(value) vs \(table.value(unit: unit, sample: 0))")
            // The QASM text is a circuit our reader accepts, with one measure per classical bit.
            let text = experiment.qasm
            #expect(text.components(separatedBy: "measure ").count - 1 == experiment.bitCount)
            let unitary = text.split(separator: "\n").filter { !$0.hasPrefix("measure") && !$0.hasPrefix("creg") }.joined(separator: "\n")
            let parsed = try QASM.parse(unitary)
            #expect(parsed.qubitCount == experiment.qubitCount)
        }
        #expect(measuring > 0)
    }

    @Test func literalsReadBackExactly() throws {
        for x in [0.1, -2.5e-7, 1e20, 3.0, -0.0, Double.pi, 1.0 / 3.0] {
            let text = SubExperiment.literal(x)
            #expect(text.contains("."))
            let c = try QASM.parse("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\nrz(\(text)) q[0];\n")
            #expect(c.gates[0].angles[0].constant == x)
        }
    }

    /// ry(a) then ⟨Z⟩ = cos a; one depolarizing gate shrinks it by 1 − λ₁, readout by 1 − 2r.
    @Test func depolarizingShrinksZByTheKnownFactor() {
        let a = 0.7, l1 = 0.13, r = 0.04
        let ops: [NoisyOperation] = [.gate(.ry, qubits: [0], angles: [a]), .measure(qubit: 0)]
        let noisy = DensityMatrixSimulator.signedExpectation(qubitCount: 1, operations: ops,
                                                             noise: NoiseModel(depolarizing1: l1, readout: r))
        #expect(abs(noisy - (1 - l1) * (1 - 2 * r) * cos(a)) < 1e-14)
        // Three gates: (1 − λ₁)³.
        let three: [NoisyOperation] = [.gate(.ry, qubits: [0], angles: [a]), .gate(.id, qubits: [0], angles: []),
                                       .gate(.id, qubits: [0], angles: []), .measure(qubit: 0)]
        let v3 = DensityMatrixSimulator.signedExpectation(qubitCount: 1, operations: three, noise: NoiseModel(depolarizing1: l1))
        #expect(abs(v3 - pow(1 - l1, 3) * cos(a)) < 1e-14)
    }

    /// Bell pair measured in X⊗X (lowered: h on each qubit): ⟨XX⟩ = 1 noiselessly; the H before
    /// the CX and each basis-change H shrink it by 1 − λ₁, the CX by 1 − λ₂, each readout by 1 − 2r.
    @Test func bellPairUnderTwoQubitNoise() {
        var c = Circuit(qubitCount: 3)
        c.append(Gate(.h, [0]))
        c.append(Gate(.cx, [0, 2]))
        let xx = PauliString(qubits: [0, 2], paulis: [.x, .x])
        let experiment = SubExperiment(circuit: c, observable: xx, theta: [], input: [])
        #expect(experiment.bitCount == 2 && experiment.measuredQubits == [0, 2])
        #expect(abs(experiment.noisyValue(NoiseModel()) - 1) < 1e-14)
        let (l1, l2, r) = (0.02, 0.09, 0.03)
        let v = experiment.noisyValue(NoiseModel(depolarizing1: l1, depolarizing2: l2, readout: r))
        #expect(abs(v - pow(1 - l1, 3) * (1 - l2) * pow(1 - 2 * r, 2)) < 1e-14, "\(v)")
    }

    /// Under noise the parameter-shift rule still gives the gradient of the noisy value: compare
    /// with central differences of the noisy value for every θ and x slot of a unit that measures.
    @Test func noisyParameterShiftEqualsFiniteDifferences() throws {
        let (plan, theta, input) = try SampledEstimationTests.plan()
        let noise = NoiseModel(depolarizing1: 0.03, depolarizing2: 0.08, readout: 0.05)
        var checked = 0
        for unit in plan.workUnits.indices where checked < 6 {
            let experiment = plan.subExperiment(unit: unit, theta: theta, input: input)
            guard experiment.bitCount > 1 else { continue }
            let u = plan.workUnits[unit]
            let rule = ShiftedCircuit(plan.fragments[u.fragment].circuit(setting: u.setting), inputs: true)
            guard !rule.terms.isEmpty else { continue }
            let (values, shifted) = plan.noisyShiftedValues(unit: unit, theta: theta, inputs: [input], shiftInputs: true, noise: noise)
            #expect(abs(values[0] - experiment.noisyValue(noise)) < 1e-15)
            let p = theta.count
            let gradient = rule.derivatives(shifted: shifted.map { $0[0] }, slotCount: p + input.count)
            let h = 1e-5
            for slot in 0..<(p + input.count) {
                var tp = theta, tm = theta, xp = input, xm = input
                if slot < p { tp[slot] += h; tm[slot] -= h } else { xp[slot - p] += h; xm[slot - p] -= h }
                let fd = (plan.subExperiment(unit: unit, theta: tp, input: xp).noisyValue(noise)
                          - plan.subExperiment(unit: unit, theta: tm, input: xm).noisyValue(noise)) / (2 * h)
                #expect(abs(fd - gradient[slot]) < 1e-7, "unit \(unit) slot \(slot): shift \(gradient[slot]), finite difference \(fd)")
            }
            checked += 1
        }
        #expect(checked == 6)
    }

    /// Measured means in the table give the estimate an emulated draw with the same outcomes gives.
    @Test func measuredShotsUseTheSameEstimator() throws {
        let (plan, theta, input) = try SampledEstimationTests.plan()
        var exact = FragmentValueTable(plan: plan, sampleCount: 1, gradients: false)
        plan.evaluate(units: plan.workUnits.indices, theta: theta, inputs: [input], into: &exact)
        let options = SamplingOptions(termSamples: 0, exactThreshold: 0, shots: 50_000, seed: 9)
        let shots = try plan.shotAllocation(theta: theta, input: input, options: options)
        // Draw the same outcomes the emulated path would (same generator, same unit order).
        let selection = try plan.selectTerms(theta: theta, input: input, options: options)
        var rng = selection.rng
        var measured = exact
        for u in shots.keys.sorted() {
            measured.storage[measured.rowStart(unit: u, sample: 0)] = rng.shotEstimate(of: exact.value(unit: u, sample: 0), shots: shots[u]!)
        }
        let emulated = try plan.sampledEstimate(exact, sample: 0, theta: theta, input: input, options: options)
        let fromCounts = try plan.sampledEstimate(measured, sample: 0, theta: theta, input: input, options: options, shots: .measured)
        #expect(emulated.value == fromCounts.value)
        #expect(emulated.standardError == fromCounts.standardError)
        #expect(emulated.shotsUsed == shots.values.reduce(0, +))
    }
}
