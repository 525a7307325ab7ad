/// Execute and reconstruct: evaluate work units with the Simulator into a flat value table (which
/// an MPI layer can sum-reduce: ranks fill the units they own, zeros elsewhere), then contract the
/// full table into E and ∂E/∂θ, ∂E/∂x for a batch of samples.
import Circuits
import Simulator

/// Fragment values (and gradients) of every work unit for a batch of samples.
///
/// A fragment's circuits depend only on the θ/x slots in its support (θ_i is slot i, x_j slot
/// P + j), so with adjoint gradients a unit's row holds its value and then ∂/∂slot for those
/// slots only (`columns(unit:)`, ascending): 1 + |support(f)| doubles, 1 without gradients. With
/// parameter shift it holds the value and then the value of every shifted circuit of its
/// `ShiftedCircuit` (`shiftCount(unit:)`). Units lie one after another, each with one row per
/// sample: unit u's row for sample b starts at `unitStart[u] + b·rowWidth(u)`. `storage` stays
/// one flat array, so `MPI_Reduce(SUM)` of it (or `add`) still combines tables filled by
/// different ranks.
public struct FragmentValueTable: Sendable {
    public let unitCount: Int
    public let sampleCount: Int
    public let parameterCount: Int
    public let inputCount: Int
    public let method: GradientMethod
    /// True for adjoint derivative columns.
    public var carriesGradients: Bool { method == .adjoint }
    /// `fragmentColumns[f]`: the θ/x slots whose derivatives follow the value in fragment f's
    /// rows (empty unless adjoint).
    public let fragmentColumns: [[Int]]
    /// The fragment of every unit.
    let unitFragment: [Int]
    /// Shifted values after each unit's value (parameter shift only, else 0), and the room
    /// each fragment's rows leave for them.
    let unitShifts: [Int]
    let fragmentShiftWidth: [Int]
    /// Where each unit's rows begin in `storage`; `unitStart[unitCount]` is the storage size.
    let unitStart: [Int]
    public var storage: [Double]

    /// A zero table for `plan` and `sampleCount` samples.
    public init(plan: CutPlan, sampleCount: Int, method: GradientMethod) {
        unitCount = plan.workUnits.count
        self.sampleCount = sampleCount
        parameterCount = plan.circuit.parameterCount
        inputCount = plan.circuit.inputCount
        self.method = method
        fragmentColumns = method == .adjoint ? plan.contraction.fragmentSupport : plan.fragments.map { _ in [] }
        unitFragment = plan.workUnits.map(\.fragment)
        if method.shifts.any {
            let inputs = method.shifts.inputs
            let shifts = plan.workUnits.map { plan.fragments[$0.fragment].shiftTermCount(setting: $0.setting, inputs: inputs) }
            unitShifts = shifts
            // Rows of one fragment share a width (the contraction steps over settings with one
            // stride); settings differ only in constant operations, so their counts agree anyway.
            fragmentShiftWidth = plan.fragments.indices.map { f in plan.workUnits.range(fragment: f).map { shifts[$0] }.max() ?? 0 }
        } else {
            unitShifts = Array(repeating: 0, count: unitCount)
            fragmentShiftWidth = plan.fragments.map { _ in 0 }
        }
        var starts: [Int] = []
        starts.reserveCapacity(unitCount + 1)
        var next = 0
        for f in unitFragment {
            starts.append(next)
            next += sampleCount * (1 + fragmentColumns[f].count + fragmentShiftWidth[f])
        }
        starts.append(next)
        unitStart = starts
        storage = Array(repeating: 0, count: next)
    }

    /// A zero table with adjoint gradients or none.
    public init(plan: CutPlan, sampleCount: Int, gradients: Bool) {
        self.init(plan: plan, sampleCount: sampleCount, method: gradients ? .adjoint : .none)
    }

    /// Doubles per sample of a unit: the value, then one derivative per column or one value per
    /// shifted circuit.
    public func rowWidth(unit: Int) -> Int {
        1 + fragmentColumns[unitFragment[unit]].count + fragmentShiftWidth[unitFragment[unit]]
    }

    /// The number of shifted values after a unit's value (parameter shift; else 0).
    public func shiftCount(unit: Int) -> Int { unitShifts[unit] }

    /// The θ/x slots of a unit's derivative columns.
    public func columns(unit: Int) -> [Int] { fragmentColumns[unitFragment[unit]] }

    /// The part of `storage` holding a unit's rows for every sample.
    public func storageRange(unit: Int) -> Range<Int> { unitStart[unit] ..< unitStart[unit + 1] }

    /// Store a Simulator result for one work unit (its derivatives for the unit's columns only:
    /// the others are zero because the fragment's circuits do not depend on them).
    public mutating func store(_ evaluation: Evaluation, unit: Int) {
        let columns = self.columns(unit: unit)
        let width = 1 + columns.count
        let p = parameterCount
        for b in 0..<sampleCount {
            let base = unitStart[unit] + b * width
            storage[base] = evaluation.values[b]
            for (k, slot) in columns.enumerated() {
                storage[base + 1 + k] = slot < p ? evaluation.thetaGradients[b][slot] : evaluation.inputGradients[b][slot - p]
            }
        }
    }

    /// Store a unit's values and its shifted values (`shifted[term][sample]`, parameter shift).
    public mutating func store(values: [Double], shifted: [[Double]], unit: Int) {
        precondition(shifted.count == unitShifts[unit], "FragmentValueTable.store: \(shifted.count) shifted circuits, the table has \(unitShifts[unit])")
        let width = rowWidth(unit: unit)
        for b in 0..<sampleCount {
            let base = unitStart[unit] + b * width
            storage[base] = values[b]
            for k in shifted.indices { storage[base + 1 + k] = shifted[k][b] }
        }
    }

    /// Simulate one unit for every sample with the table's method and store it: `circuit` is the
    /// unit's prepared circuit, `shiftedForm(inputs)` its parameter-shift form (asked for only
    /// when the method shifts). The one place that maps a method onto simulator calls.
    public mutating func evaluate(unit: Int, circuit: PreparedCircuit, theta: [Double], inputs: [[Double]],
                                  shiftedForm: (_ inputs: Bool) -> (shifted: ShiftedCircuit, prepared: PreparedCircuit)) {
        switch method {
        case .none, .adjoint:
            store(circuit.evaluate(theta: theta, inputs: inputs, gradients: method == .adjoint), unit: unit)
        case .parameterShift, .parameterShiftWithInputs:
            let (shifted, prepared) = shiftedForm(method.shifts.inputs)
            store(values: circuit.evaluate(theta: theta, inputs: inputs, gradients: false).values,
                  shifted: shifted.shiftedValues(prepared, theta: theta, inputs: inputs), unit: unit)
        }
    }

    /// The value of a unit's k-th shifted circuit for a sample (parameter shift).
    public func shiftedValue(unit: Int, sample: Int, term k: Int) -> Double {
        storage[rowStart(unit: unit, sample: sample) + 1 + k]
    }

    /// Where a unit's row for a sample begins in `storage` (its value; the derivatives follow).
    public func rowStart(unit: Int, sample: Int) -> Int { unitStart[unit] + sample * rowWidth(unit: unit) }

    /// The value of a work unit for a sample.
    public func value(unit: Int, sample: Int) -> Double { storage[rowStart(unit: unit, sample: sample)] }

    /// ∂(value of a work unit)/∂slot for a sample (θ_i is slot i, x_j slot P + j): zero outside
    /// the unit's columns. Requires a table that carries gradients.
    public func derivative(unit: Int, sample: Int, slot: Int) -> Double {
        precondition(carriesGradients, "FragmentValueTable.derivative(unit:sample:slot:): the table carries no gradients")
        guard let k = columns(unit: unit).firstIndex(of: slot) else { return 0 }
        return storage[rowStart(unit: unit, sample: sample) + 1 + k]
    }

    /// Zero one unit's values (and gradients) for every sample: the unit is someone else's.
    public mutating func clear(unit: Int) {
        for i in storageRange(unit: unit) { storage[i] = 0 }
    }

    /// Doubles one sample occupies across every unit (the table holds `sampleCount` of them).
    public var sampleStride: Int { sampleCount > 0 ? storage.count / sampleCount : 0 }

    /// The storage reordered sample by sample (each sample's rows of every unit, in unit order):
    /// the layout in which `MPI_Reduce_scatter` hands each rank whole samples.
    public func sampleMajor() -> [Double] {
        var out = [Double](repeating: 0, count: storage.count)
        var next = 0
        storage.withUnsafeBufferPointer { from in
            out.withUnsafeMutableBufferPointer { to in
                for b in 0..<sampleCount {
                    for u in 0..<unitCount {
                        let width = rowWidth(unit: u), start = unitStart[u] + b * width
                        for k in 0..<width { to[next + k] = from[start + k] }
                        next += width
                    }
                }
            }
        }
        return out
    }

    /// A table of this plan's shape for the samples whose sample-major rows are `rows`
    /// (consecutive whole samples, as `sampleMajor()` lays them out).
    public init(plan: CutPlan, method: GradientMethod, sampleMajorRows rows: [Double]) {
        let probe = FragmentValueTable(plan: plan, sampleCount: 1, method: method)
        let count = probe.sampleStride > 0 ? rows.count / probe.sampleStride : 0
        self.init(plan: plan, sampleCount: count, method: method)
        var next = 0
        for b in 0..<count {
            for u in 0..<unitCount {
                let width = rowWidth(unit: u), start = unitStart[u] + b * width
                for k in 0..<width { storage[start + k] = rows[next + k] }
                next += width
            }
        }
    }

    /// Add another table of the same shape (what `MPI_Reduce(SUM)` does to the storage).
    public mutating func add(_ other: FragmentValueTable) {
        precondition(other.storage.count == storage.count, "FragmentValueTable.add: shapes differ")
        for i in storage.indices { storage[i] += other.storage[i] }
    }
}

/// Reconstructed expectation values for a batch, with gradients when requested.
public struct CutEstimate: Sendable {
    public var values: [Double]
    /// [sample][parameter], empty without gradients.
    public var thetaGradients: [[Double]]
    /// [sample][feature], empty without gradients.
    public var inputGradients: [[Double]]

    public init(values: [Double], thetaGradients: [[Double]], inputGradients: [[Double]]) {
        self.values = values
        self.thetaGradients = thetaGradients
        self.inputGradients = inputGradients
    }
}

extension CutPlan {
    /// Simulate one work unit for a batch of samples (the "execute" stage of one unit).
    public func evaluate(unit: Int, theta: [Double], inputs: [[Double]], gradients: Bool) -> Evaluation {
        let u = workUnits[unit]
        let fragment = fragments[u.fragment]
        return Simulator.evaluate(fragment.circuit(setting: u.setting), observable: fragment.observables[u.observable],
                                  theta: theta, inputs: inputs, gradients: gradients)
    }

    /// The parameter-shift form of a unit's circuit, prepared for the simulator (callers that
    /// evaluate a unit every round cache it).
    public func shiftedCircuit(unit: Int, inputs: Bool) -> (shifted: ShiftedCircuit, prepared: PreparedCircuit) {
        let u = workUnits[unit]
        let fragment = fragments[u.fragment]
        let shifted = ShiftedCircuit(fragment.circuit(setting: u.setting), inputs: inputs)
        return (shifted, Simulator.prepare(shifted.circuit, observable: fragment.observables[u.observable]))
    }

    /// The unit's circuit prepared for the simulator (callers that evaluate a unit every round
    /// cache it).
    public func preparedCircuit(unit: Int) -> PreparedCircuit {
        let u = workUnits[unit]
        let fragment = fragments[u.fragment]
        return Simulator.prepare(fragment.circuit(setting: u.setting), observable: fragment.observables[u.observable])
    }

    /// Simulate the given work units into `table`, with the table's gradient method.
    public func evaluate(units: some Sequence<Int>, theta: [Double], inputs: [[Double]],
                         into table: inout FragmentValueTable) {
        for unit in units {
            table.evaluate(unit: unit, circuit: preparedCircuit(unit: unit), theta: theta, inputs: inputs) {
                shiftedCircuit(unit: unit, inputs: $0)
            }
        }
    }

    /// Contract a complete table into E (and gradients, if the table carries them) per sample.
    /// Angle-dependent QPD coefficients are evaluated here for each sample's θ and x, and their
    /// derivatives join the fragment-value derivatives.
    public func reconstruct(_ table: FragmentValueTable, theta: [Double], inputs: [[Double]]) throws -> CutEstimate {
        let call = "CutPlan.reconstruct"
        guard table.unitCount == workUnits.count, table.sampleCount == inputs.count else {
            throw CuttingError.invalidValues(call: call, reason: "table has \(table.unitCount) unit(s) × \(table.sampleCount) sample(s), plan has \(workUnits.count) unit(s) and \(inputs.count) input(s)")
        }
        guard !table.carriesGradients || table.fragmentColumns == contraction.fragmentSupport else {
            throw CuttingError.invalidValues(call: call, reason: "table columns \(table.fragmentColumns) differ from the plan's fragment supports \(contraction.fragmentSupport)")
        }
        guard theta.count >= circuit.parameterCount, inputs.allSatisfy({ $0.count >= circuit.inputCount }) else {
            throw CuttingError.invalidValues(call: call, reason: "θ needs \(circuit.parameterCount) value(s) and every input \(circuit.inputCount)")
        }
        return contract(table, theta: theta, inputs: inputs)
    }

    /// Execute every work unit locally and reconstruct: the whole query on one process.
    public func estimate(theta: [Double], inputs: [[Double]], gradients: Bool) throws -> CutEstimate {
        var table = FragmentValueTable(plan: self, sampleCount: inputs.count, gradients: gradients)
        evaluate(units: workUnits.indices, theta: theta, inputs: inputs, into: &table)
        return try reconstruct(table, theta: theta, inputs: inputs)
    }
}
