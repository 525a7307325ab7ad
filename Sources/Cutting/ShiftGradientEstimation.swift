/// Shot-mode gradients through cuts by per-fragment parameter shift (rank 0, after the round).
///
/// The round filled a `.parameterShift` table: every unit's exact value and the exact values of
/// its shifted circuits. Here each of those circuits is "run" with shots — a Binomial draw from
/// its exact value, as in `SampledEstimation` — giving v̂_u and ∂̂v_u/∂θ_i = Σ_terms weight·v̂_shifted.
/// These go into an adjoint-layout table that the ordinary contraction (`reconstruct`) turns
/// into ∂Ê/∂θ = Σ_t [∂c_t·Π_f v̂_f + c_t·Σ_f ∂̂v_f·Π_{g≠f} v̂_g]: angle-dependent coefficients are
/// differentiated classically, and every product multiplies estimates of different circuits, so
/// the gradient is unbiased. Every QPD term is enumerated; each unit (and each of its shifted
/// circuits) gets the shots the matched-budget split gives it (∝ the |weight| it carries).
import Circuits
import Support

/// Parameter-shift gradients of a batch.
public struct ShiftGradientEstimate: Sendable {
    /// [sample][parameter].
    public var thetaGradients: [[Double]]
    /// [sample][feature]; empty unless the table shifted input angles too
    /// (`.parameterShiftWithInputs`).
    public var inputGradients: [[Double]]
    /// Per sample: shots spent on the unshifted and shifted circuits (0 when exact).
    public var shotsUsed: [Int]
}

extension CutPlan {
    /// ∂E/∂θ per sample from a table filled with `.parameterShift`. `shots` is the budget of one
    /// query, spent again on each shifted circuit; nil uses the exact values (the parameter-shift
    /// rule is exact, so this equals the adjoint gradient — the check that the table, the rules
    /// and the contraction agree). `seeds[b]` seeds sample b's draws.
    public func parameterShiftGradients(_ table: FragmentValueTable, theta: [Double], inputs: [[Double]],
                                        shots: Int?, seeds: [UInt64]) throws -> ShiftGradientEstimate {
        let measured = try measureShiftedCircuits(table, theta: theta, inputs: inputs, shots: shots, seeds: seeds)
        let contracted = try reconstruct(measured.table, theta: theta, inputs: inputs)
        // Without shifted input angles the x columns hold only the QPD coefficients' share.
        return ShiftGradientEstimate(thetaGradients: contracted.thetaGradients,
                                     inputGradients: table.method.shifts.inputs ? contracted.inputGradients : [],
                                     shotsUsed: measured.shotsUsed)
    }

    /// The first half of `parameterShiftGradients`, which callers time apart from the contraction
    /// because it stands in for a device's measurements: an adjoint-layout table of v̂ and ∂̂v/∂θ
    /// (and ∂̂v/∂x when input angles were shifted; else zeros), and the shots spent per sample.
    ///
    /// `source` says what the table holds. `.emulated`: exact values, from which every circuit's
    /// shots are drawn here. `.measured`: an executor already ran every shifted circuit with the
    /// shots `gradientShotAllocation` gives its unit, and the table holds the measured means; the
    /// unit's unshifted mean is the one its value was measured with (shared, so the shots spent
    /// here are those of the shifted circuits only), and nothing is drawn.
    public func measureShiftedCircuits(_ table: FragmentValueTable, theta: [Double], inputs: [[Double]],
                                       shots: Int?, seeds: [UInt64], source: ShotSource = .emulated)
        throws -> (table: FragmentValueTable, shotsUsed: [Int]) {
        let call = "CutPlan.parameterShiftGradients"
        guard table.method.shifts.any, table.unitCount == workUnits.count, table.sampleCount == inputs.count,
              shots == nil || seeds.count == inputs.count else {
            throw CuttingError.invalidValues(call: call, reason: "needs a parameter-shift table of \(workUnits.count) unit(s) × \(inputs.count) sample(s) and a seed per sample")
        }
        if let shots, shots < 1 {
            throw CuttingError.invalidValues(call: call, reason: "shots must be at least 1, got \(shots)")
        }
        // The shift terms of every (fragment, setting) circuit; units differ only in observable.
        var termsOfSetting: [[Int: [ShiftTerm]]] = fragments.map { _ in [:] }
        func terms(_ unit: WorkUnit) -> [ShiftTerm] {
            if let known = termsOfSetting[unit.fragment][unit.setting] { return known }
            let made = ShiftedCircuit(fragments[unit.fragment].circuit(setting: unit.setting), inputs: table.method.shifts.inputs).terms
            termsOfSetting[unit.fragment][unit.setting] = made
            return made
        }
        let slots = circuit.parameterCount + circuit.inputCount
        var estimated = FragmentValueTable(plan: self, sampleCount: inputs.count, method: .adjoint)
        var shotsUsed = [Int](repeating: 0, count: inputs.count)
        for (b, x) in inputs.enumerated() {
            // Which units are run, and with how many shots (nil: exactly).
            var allocation: [Int: Int?] = [:]
            if let shots {
                allocation = try gradientShotAllocation(theta: theta, input: x, shots: shots).mapValues { $0 }
            } else {
                for u in workUnits.indices { allocation[u] = .some(nil) }
            }
            var rng = Xoshiro256(seed: shots == nil ? 0 : seeds[b])
            for u in allocation.keys.sorted() {
                let n = allocation[u]!
                let unitTerms = terms(workUnits[u])
                func measure(_ value: Double) -> Double {
                    source == .measured ? value : n.map { rng.shotEstimate(of: value, shots: $0) } ?? value
                }
                let value = measure(table.value(unit: u, sample: b))
                var derivative = [Double](repeating: 0, count: slots)
                for (k, term) in unitTerms.enumerated() {
                    let shifted = measure(table.shiftedValue(unit: u, sample: b, term: k))
                    for c in term.contributions { derivative[c.slot] += c.weight * shifted }
                }
                shotsUsed[b] += (n ?? 0) * ((source == .measured ? 0 : 1) + unitTerms.count)
                let row = estimated.rowStart(unit: u, sample: b)
                estimated.storage[row] = value
                for (k, slot) in estimated.columns(unit: u).enumerated() {
                    estimated.storage[row + 1 + k] = derivative[slot]
                }
            }
        }
        return (estimated, shotsUsed)
    }

    /// The shots each unit's circuits get in one query's parameter-shift gradient (unit → shots;
    /// units absent carry no weight): every QPD term enumerated, the budget `shots` split ∝ the
    /// |weight| each unit carries (at least one). The unshifted circuit and every shifted one of
    /// a unit get this many shots each. Deterministic in (plan, θ, x, shots), so an executor on
    /// any rank sends exactly the shots the gradient estimator here assumes.
    public func gradientShotAllocation(theta: [Double], input: [Double], shots: Int) throws -> [Int: Int] {
        // Seed 0: with every term enumerated nothing is drawn, so the seed does not matter.
        let all = SamplingOptions(termSamples: 0, exactThreshold: 0, shots: shots, seed: 0)
        let selection = try selectTerms(theta: theta, input: input, options: all)
        let weighted = selection.weights.sorted { $0.key.units.lexicographicallyPrecedes($1.key.units) }
        return Self.shotAllocation(weighted, budget: shots)
    }
}
