/// Execute and reconstruct: evaluate work units with the Simulator into a flat value table (which
/// an MPI layer can sum-reduce: ranks fill the units they own, zeros elsewhere), then contract the
/// full table into E and ∂E/∂θ, ∂E/∂x for a batch of samples.
import Circuits
import Simulator

/// Fragment values (and gradients) of every work unit for a batch of samples.
///
/// Layout: `storage[(unit·sampleCount + sample)·stride + k]`, stride = 1 + P + X when gradients
/// are carried (k = 0 the value, then ∂/∂θ_0…θ_{P−1}, then ∂/∂x_0…x_{X−1}), 1 otherwise.
public struct FragmentValueTable: Sendable {
    public let unitCount: Int
    public let sampleCount: Int
    public let parameterCount: Int
    public let inputCount: Int
    public let carriesGradients: Bool
    public var storage: [Double]

    public var stride: Int { carriesGradients ? 1 + parameterCount + inputCount : 1 }

    /// A zero table for `plan` and `sampleCount` samples.
    public init(plan: CutPlan, sampleCount: Int, gradients: Bool) {
        unitCount = plan.workUnits.count
        self.sampleCount = sampleCount
        parameterCount = plan.circuit.parameterCount
        inputCount = plan.circuit.inputCount
        carriesGradients = gradients
        storage = []
        storage = Array(repeating: 0, count: unitCount * sampleCount * stride)
    }

    /// Store a Simulator result for one work unit.
    public mutating func store(_ evaluation: Evaluation, unit: Int) {
        for b in 0..<sampleCount {
            let base = (unit * sampleCount + b) * stride
            storage[base] = evaluation.values[b]
            if carriesGradients {
                for i in 0..<parameterCount { storage[base + 1 + i] = evaluation.thetaGradients[b][i] }
                for j in 0..<inputCount { storage[base + 1 + parameterCount + j] = evaluation.inputGradients[b][j] }
            }
        }
    }

    /// The value of a work unit for a sample.
    public func value(unit: Int, sample: Int) -> Double { storage[(unit * sampleCount + sample) * stride] }

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
}

extension CutPlan {
    /// Simulate one work unit for a batch of samples (the "execute" stage of one unit).
    public func evaluate(unit: Int, theta: [Double], inputs: [[Double]], gradients: Bool) -> Evaluation {
        let u = workUnits[unit]
        let fragment = fragments[u.fragment]
        return Simulator.evaluate(fragment.circuits[u.setting], observable: fragment.observables[u.observable],
                                  theta: theta, inputs: inputs, gradients: gradients)
    }

    /// Simulate the given work units into `table`.
    public func evaluate(units: some Sequence<Int>, theta: [Double], inputs: [[Double]],
                         into table: inout FragmentValueTable) {
        for unit in units {
            table.store(evaluate(unit: unit, theta: theta, inputs: inputs, gradients: table.carriesGradients), unit: unit)
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
        guard theta.count >= circuit.parameterCount, inputs.allSatisfy({ $0.count >= circuit.inputCount }) else {
            throw CuttingError.invalidValues(call: call, reason: "θ needs \(circuit.parameterCount) value(s) and every input \(circuit.inputCount)")
        }
        let gradients = table.carriesGradients
        let p = circuit.parameterCount
        let width = p + circuit.inputCount
        let f = fragments.count
        var result = CutEstimate(values: [], thetaGradients: [], inputGradients: [])
        for (b, x) in inputs.enumerated() {
            let cutTensors = cuts.indices.map { cutTensor($0, theta: theta, input: x) }
            var value = 0.0
            var gradient = Array(repeating: 0.0, count: gradients ? width : 0)
            for term in observableTerms where term.coefficient != 0 {
                var tensors = fragments.indices.map { fragmentTensor($0, observable: term.fragmentObservables[$0], sample: b, table: table) }
                    + cutTensors.map(\.values)
                contraction.forward(&tensors)
                value += term.coefficient * tensors[tensors.count - 1][0]
                guard gradients else { continue }
                let adjoints = contraction.backward(tensors)
                // ∂E/∂slot = Σ_f ⟨V̄_f, ∂V_f/∂slot⟩ + Σ_j ⟨C̄_j, ∂C_j/∂slot⟩.
                table.storage.withUnsafeBufferPointer { storage in
                    gradient.withUnsafeMutableBufferPointer { gradient in
                        for g in 0..<f {
                            let support = contraction.fragmentSupport[g]
                            let adjoint = adjoints[g]
                            // Work unit of (g, s, o) is offset + s·observableCount + o.
                            let unitStride = fragments[g].observables.count
                            let firstUnit = unitOffsets[g] + term.fragmentObservables[g]
                            let rowStride = unitStride * table.sampleCount * table.stride
                            var base = (firstUnit * table.sampleCount + b) * table.stride + 1
                            for s in 0..<adjoint.count {
                                defer { base += rowStride }
                                if adjoint[s] == 0 { continue }
                                let weight = term.coefficient * adjoint[s]
                                for slot in support { gradient[slot] += weight * storage[base + slot] }
                            }
                        }
                    }
                }
                for (j, tensor) in cutTensors.enumerated() {
                    for (e, entry) in tensor.derivatives.enumerated() {
                        for (slot, d) in entry { gradient[slot] += term.coefficient * adjoints[f + j][e] * d }
                    }
                }
            }
            result.values.append(value)
            if gradients {
                result.thetaGradients.append(Array(gradient[..<p]))
                result.inputGradients.append(Array(gradient[p...]))
            }
        }
        return result
    }

    /// Execute every work unit locally and reconstruct: the whole query on one process.
    public func estimate(theta: [Double], inputs: [[Double]], gradients: Bool) throws -> CutEstimate {
        var table = FragmentValueTable(plan: self, sampleCount: inputs.count, gradients: gradients)
        evaluate(units: workUnits.indices, theta: theta, inputs: inputs, into: &table)
        return try reconstruct(table, theta: theta, inputs: inputs)
    }

    /// Fragment f's tensor over its settings for one observable restriction and sample.
    func fragmentTensor(_ f: Int, observable o: Int, sample b: Int, table: FragmentValueTable) -> [Double] {
        (0..<fragments[f].settingCount).map { s in
            table.value(unit: workUnitIndex(fragment: f, setting: s, observable: o), sample: b)
        }
    }

    /// Cut j's coefficient matrix C[a, b] for one sample, and for each entry its derivatives
    /// (slot, ∂C/∂slot) with respect to θ_i (slot i) and x_j (slot P + j).
    func cutTensor(_ j: Int, theta: [Double], input: [Double]) -> (values: [Double], derivatives: [[(Int, Double)]]) {
        let basis = cuts[j].basis
        let n1 = basis.sideOperations[1].count
        var values = [Double](repeating: 0, count: basis.sideOperations[0].count * n1)
        var derivatives = [[(Int, Double)]](repeating: [], count: values.count)
        for term in basis.terms {
            let e = term.operations[0] * n1 + term.operations[1]
            let phi = term.coefficient.angle?.value(theta: theta, input: input) ?? 0
            let (c, dc) = term.coefficient.valueAndDerivative(phi: phi)
            values[e] += c
            guard let angle = term.coefficient.angle else { continue }
            // dc/dslot = dc/dφ · dφ/dslot, φ affine in θ_i and x_j.
            if let i = angle.thetaIndex { derivatives[e].append((i, dc * angle.thetaScale)) }
            if let xj = angle.inputIndex { derivatives[e].append((circuit.parameterCount + xj, dc * angle.inputScale)) }
        }
        return (values, derivatives)
    }
}
