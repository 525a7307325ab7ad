/// The compiled circuits of the units a rank evaluates, kept across rounds under a memory budget.
///
/// Training evaluates the same units every round, so compiling each once pays; but a plan can
/// have hundreds of thousands of units (many cuts on one boundary), and one compiled 6-qubit
/// fragment circuit holds tens of kilobytes. The cache therefore keeps units only while their
/// summed size stays within `budgetBytes`; beyond it a unit is compiled for the call and dropped.
/// A unit is kept only from its *second* use on: a one-round job (`qnncut estimate`) would pay
/// for filling fresh memory it never reads again (measured: a third of the compile time at
/// 31,250 units), while a training run loses one extra compile per unit in round 2.
import Cutting
import Foundation
import Simulator

struct PreparedCircuitCache {
    /// Default budget per rank: 256 MiB, or `QNNCUT_CIRCUIT_CACHE_MB` from the environment.
    static var defaultBudget: Int {
        if let text = ProcessInfo.processInfo.environment["QNNCUT_CIRCUIT_CACHE_MB"], let mb = Int(text), mb >= 0 {
            return mb << 20
        }
        return 256 << 20
    }

    let budgetBytes: Int
    private(set) var usedBytes = 0
    /// Seconds spent compiling (cache misses): reported as setup, not as execution of a query.
    private(set) var compileSeconds = 0.0
    private var plain: [Int: PreparedCircuit] = [:]
    /// Units compiled once already (admitted to the cache on their next use).
    private var seen = Set<Int>()
    /// `shifted[0]`: parameter-shift forms shifting θ-dependent angles; `[1]`: inputs too.
    private var shifted: [[Int: (shifted: ShiftedCircuit, prepared: PreparedCircuit)]] = [[:], [:]]

    init(budgetBytes: Int = PreparedCircuitCache.defaultBudget) { self.budgetBytes = budgetBytes }

    /// The compiled circuit of a unit.
    mutating func circuit(unit: Int, plan: CutPlan) -> PreparedCircuit {
        if let done = plain[unit] { return done }
        let t0 = Date()
        let compiled = plan.preparedCircuit(unit: unit)
        compileSeconds += Date().timeIntervalSince(t0)
        if seen.insert(unit).inserted == false, admit(compiled.approximateBytes) { plain[unit] = compiled }
        return compiled
    }

    /// The compiled parameter-shift form of a unit's circuit.
    mutating func shiftedCircuit(unit: Int, inputs: Bool, plan: CutPlan) -> (shifted: ShiftedCircuit, prepared: PreparedCircuit) {
        let variant = inputs ? 1 : 0
        if let done = shifted[variant][unit] { return done }
        let t0 = Date()
        let compiled = plan.shiftedCircuit(unit: unit, inputs: inputs)
        compileSeconds += Date().timeIntervalSince(t0)
        if seen.contains(-1 - unit), admit(compiled.prepared.approximateBytes) {
            shifted[variant][unit] = compiled
        } else {
            seen.insert(-1 - unit)
        }
        return compiled
    }

    private mutating func admit(_ bytes: Int) -> Bool {
        guard usedBytes + bytes <= budgetBytes else { return false }
        usedBytes += bytes
        return true
    }
}
