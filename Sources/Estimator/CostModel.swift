/// What a unit costs, as the schedules see it: the plan's model (`CutPlan.unitCosts`) scaled per
/// fragment by what the ranks measured in earlier rounds.
///
/// Why per fragment: the model's constants cannot be right for every machine and circuit (a
/// small fragment's units are dominated by per-gate overhead, a wide one's by the state), but
/// within a fragment units differ only in their cut sides' operations, which the model ranks
/// well. Each rank reports, per fragment, the seconds its units took and their model cost; rank 0
/// sums them, and the factor seconds ÷ model (normalised to a mean of 1, smoothed with weight
/// `alpha` on the newest round) travels with the next round's header, so every rank builds the
/// same schedule. The first round — and a one-round `qnncut estimate` — uses the model alone.
import Cutting

struct CostModel {
    static let alpha = 0.5
    /// The plan's model cost of every unit.
    let model: [Double]
    /// The fragment of every unit.
    let fragmentOfUnit: [Int]
    /// Calibration factor of every fragment (1 until measured).
    private(set) var factors: [Double]
    private var measured: [Bool]

    init(plan: CutPlan) {
        model = plan.unitCosts()
        var owner = [Int](repeating: 0, count: plan.workUnits.count)
        for f in plan.fragments.indices { for u in plan.workUnits.range(fragment: f) { owner[u] = f } }
        fragmentOfUnit = owner
        factors = Array(repeating: 1, count: plan.fragments.count)
        measured = Array(repeating: false, count: plan.fragments.count)
    }

    /// Unit costs under calibration `factors` (one per fragment, as received in the header).
    func costs(factors: [Double]) -> [Double] {
        guard factors.count == self.factors.count, factors.contains(where: { $0 != 1 }) else { return model }
        return model.indices.map { model[$0] * factors[fragmentOfUnit[$0]] }
    }

    /// Rank 0: fold in one round's per-fragment seconds and model costs from every rank.
    mutating func update(_ rows: [RankTimes]) {
        let count = factors.count
        var seconds = [Double](repeating: 0, count: count), cost = [Double](repeating: 0, count: count)
        for row in rows where row.fragmentSeconds.count == count && row.fragmentModelCost.count == count {
            for f in 0..<count { seconds[f] += row.fragmentSeconds[f]; cost[f] += row.fragmentModelCost[f] }
        }
        let observed = (0..<count).filter { seconds[$0] > 0 && cost[$0] > 0 }
        guard !observed.isEmpty else { return }
        // Seconds per model unit, normalised so the factors average 1 over the measured fragments.
        let raw = observed.map { seconds[$0] / cost[$0] }
        let mean = raw.reduce(0, +) / Double(raw.count)
        for (k, f) in observed.enumerated() {
            let factor = raw[k] / mean
            factors[f] = measured[f] ? Self.alpha * factor + (1 - Self.alpha) * factors[f] : factor
            measured[f] = true
        }
    }
}
