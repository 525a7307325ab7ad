/// The allocation-free reconstruction kernel against two oracles, on random fragment-value
/// tables (no simulation, so any table entry is exercised): the explicit sum over QPD terms
/// E = Σ_o a_o Σ_t c_t Π_f v_f[s_f(t)] (and its derivative, term by term) to 1e-12 of the summed
/// magnitudes, and the array-building implementation it replaced (`LegacyReconstruction.swift`)
/// bit for bit, because the product promises bit-identical results across rank counts.
import Testing
import Circuits
@testable import Cutting
import Support

@Suite struct ReconstructionKernelTests {
    /// Random plans of 2–4 fragments (gate and wire cuts, angle-dependent coefficients in θ and
    /// x, one or two Pauli terms) with at most `maxTerms` QPD terms, plus the sampling plan
    /// (8-term wire cut, RZZ(θ) cut, two observable terms) and the reference QNN (n = 6, L = 2,
    /// k = 2: fragment supports of more than 8 slots, so the gradient fold runs whole vectors).
    static func plans(maxTerms: Int) throws -> [CutPlan] {
        let qnn = ReferenceQNN.circuit(qubits: 6, layers: 2, crossingLayers: 2)
        var plans = [try SampledEstimationTests.plan().0,
                     try CutPlan(circuit: qnn, observable: Observable.z(5, qubitCount: 6),
                                 cuts: .partition(labels: ReferenceQNN.halvesPartition(qubits: 6)))]
        #expect(plans[1].contraction.fragmentSupport.allSatisfy { $0.count > 8 })
        var seed: UInt64 = 100
        while plans.count < 16 && seed < 5_000 {
            seed += 1
            let c = RandomCutTests.makeCase(seed: seed)
            guard let plan = try RandomCutTests.planUnlessHuge(c, CutPlanOptions(maxSettingsPerFragment: 400)),
                  plan.termCount <= maxTerms else { continue }
            plans.append(plan)
        }
        return plans
    }

    /// A table of the plan's shape filled with uniform values in [−1, 1], and θ and inputs.
    static func randomQuery(_ plan: CutPlan, gradients: Bool, samples: Int, seed: UInt64)
        -> (table: FragmentValueTable, theta: [Double], inputs: [[Double]]) {
        var rng = Xoshiro256(seed: seed)
        var table = FragmentValueTable(plan: plan, sampleCount: samples, gradients: gradients)
        for i in table.storage.indices { table.storage[i] = rng.uniform() * 2 - 1 }
        let theta = (0..<plan.circuit.parameterCount).map { _ in rng.uniform() * 6 - 3 }
        let inputs = (0..<samples).map { _ in (0..<plan.circuit.inputCount).map { _ in rng.uniform() * 6 - 3 } }
        return (table, theta, inputs)
    }

    /// E and ∂E/∂slot of one sample as the explicit sum over observable terms and QPD terms,
    /// with the sums of the magnitudes of what was added (the scale of the rounding error).
    static func termSum(_ plan: CutPlan, _ table: FragmentValueTable, theta: [Double], input: [Double], sample b: Int)
        -> (value: Double, valueScale: Double, gradient: [Double], gradientScale: [Double]) {
        let p = plan.circuit.parameterCount, width = p + plan.circuit.inputCount
        let gradients = table.carriesGradients
        var value = 0.0, valueScale = 0.0
        var gradient = [Double](repeating: 0, count: gradients ? width : 0), gradientScale = gradient
        for observable in plan.observableTerms where observable.coefficient != 0 {
            for t in 0..<plan.termCount {
                let ids = plan.qpdTerm(t)
                let units = plan.settings(ofTerm: ids).enumerated().map { f, s in
                    plan.workUnitIndex(fragment: f, setting: s, observable: observable.fragmentObservables[f])
                }
                let terms = zip(plan.cuts, ids).map { $0.basis.terms[$1] }
                let c = terms.map { $0.coefficient.value(theta: theta, input: input) }
                let v = units.map { table.value(unit: $0, sample: b) }
                let a = observable.coefficient, ct = c.reduce(1, *), product = v.reduce(1, *)
                value += a * ct * product
                valueScale += abs(a * ct * product)
                guard gradients else { continue }
                for slot in 0..<width {
                    // ∂c_t/∂slot: one cut's coefficient differentiated, the others as they are.
                    var dc = 0.0, dcScale = 0.0
                    for (j, term) in terms.enumerated() {
                        guard let angle = term.coefficient.angle else { continue }
                        var dPhi = 0.0
                        if angle.thetaIndex == slot { dPhi += angle.thetaScale }
                        if let x = angle.inputIndex, p + x == slot { dPhi += angle.inputScale }
                        let phi = angle.value(theta: theta, input: input)
                        let others = c.indices.filter { $0 != j }.reduce(1.0) { $0 * c[$1] }
                        dc += term.coefficient.valueAndDerivative(phi: phi).dPhi * dPhi * others
                        dcScale += abs(term.coefficient.valueAndDerivative(phi: phi).dPhi * dPhi * others)
                    }
                    // ∂Π_f v_f/∂slot: one fragment's value differentiated.
                    var dv = 0.0, dvScale = 0.0
                    for f in units.indices {
                        let others = v.indices.filter { $0 != f }.reduce(1.0) { $0 * v[$1] }
                        let d = table.derivative(unit: units[f], sample: b, slot: slot)
                        dv += d * others
                        dvScale += abs(d * others)
                    }
                    gradient[slot] += a * (dc * product + ct * dv)
                    gradientScale[slot] += abs(a) * (dcScale * abs(product) + abs(ct) * dvScale)
                }
            }
        }
        return (value, valueScale, gradient, gradientScale)
    }

    @Test(arguments: [false, true])
    func kernelEqualsTheExplicitTermSum(gradients: Bool) throws {
        var fragmentCounts = Set<Int>(), angleCoefficients = 0
        for (i, plan) in try Self.plans(maxTerms: 1500).enumerated() {
            fragmentCounts.insert(plan.fragments.count)
            if plan.cuts.contains(where: { $0.basis.terms.contains { $0.coefficient.angle != nil } }) { angleCoefficients += 1 }
            let (table, theta, inputs) = Self.randomQuery(plan, gradients: gradients, samples: 2, seed: UInt64(i) + 1)
            let estimate = try plan.reconstruct(table, theta: theta, inputs: inputs)
            for b in inputs.indices {
                let expected = Self.termSum(plan, table, theta: theta, input: inputs[b], sample: b)
                #expect(abs(estimate.values[b] - expected.value) <= 1e-12 * max(1, expected.valueScale),
                        "plan \(i) sample \(b): \(estimate.values[b]) vs \(expected.value)")
                guard gradients else { continue }
                let got = estimate.thetaGradients[b] + estimate.inputGradients[b]
                #expect(got.count == expected.gradient.count)
                for slot in expected.gradient.indices {
                    #expect(abs(got[slot] - expected.gradient[slot]) <= 1e-12 * max(1, expected.gradientScale[slot]),
                            "plan \(i) sample \(b) slot \(slot): \(got[slot]) vs \(expected.gradient[slot])")
                }
            }
        }
        #expect(fragmentCounts.isSuperset(of: [2, 3, 4]), "fragment counts \(fragmentCounts)")
        #expect(angleCoefficients > 0)
    }

    /// 11 samples: one full chunk of `ContractionLanes.width` lanes and one partial.
    @Test(arguments: [false, true])
    func kernelIsBitIdenticalToTheArrayVersion(gradients: Bool) throws {
        for (i, plan) in try Self.plans(maxTerms: 50_000).enumerated() {
            let (table, theta, inputs) = Self.randomQuery(plan, gradients: gradients, samples: 11, seed: UInt64(i) + 50)
            let new = try plan.reconstruct(table, theta: theta, inputs: inputs)
            let old = plan.legacyReconstruct(table, theta: theta, inputs: inputs)
            #expect(new.values.map(\.bitPattern) == old.values.map(\.bitPattern), "plan \(i)")
            #expect(new.thetaGradients.map { $0.map(\.bitPattern) } == old.thetaGradients.map { $0.map(\.bitPattern) }, "plan \(i)")
            #expect(new.inputGradients.map { $0.map(\.bitPattern) } == old.inputGradients.map { $0.map(\.bitPattern) }, "plan \(i)")
        }
    }
}
