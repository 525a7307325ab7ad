/// A circuit and observable prepared once for many evaluations: the gate list flattened into
/// kernel operations, constant matrices packed, the binding area and branch buffers planned.
///
/// Why: a fragment of a cut QNN has 16 amplitudes and ~50 gates, and is evaluated once per query
/// for every work unit. Per call, `Simulator.evaluate` used to build every gate's matrices with
/// heap-allocated arrays and dense 4×4 arithmetic, which cost ~25× the kernels themselves. A
/// prepared circuit binds only the angles that depend on θ or x (direct formulas, written into one
/// scratch buffer) and runs the branches in buffers allocated once per call.
///
/// `evaluate(theta:inputs:gradients:)` gives the values of `Simulator.evaluate` (the same kernels
/// in the same order; matrices with the same entries). A `PreparedCircuit` is immutable and
/// `Sendable`: share one across threads; each call uses its own scratch memory.

import Circuits

public final class PreparedCircuit: Sendable {
    public let qubitCount: Int
    /// θ must have at least this many values.
    public let parameterCount: Int
    /// Every input must have at least this many values.
    public let inputCount: Int

    /// One per gate that does something (id and prepareZPlus are dropped), in circuit order.
    let operations: [PreparedOperation]
    /// `operations` with one-qubit runs fused (GateFusion.swift): what forward passes run.
    let forwardOperations: [PreparedOperation]
    /// Indices into `operations` of each fused operation's members.
    let fusedMembers: [Int]
    /// Every operation's angles, in order (see `PreparedOperation.angleStart`).
    let angles: [Angle]
    /// Packed forward and inverse matrices of the constant operations.
    let constants: [Double]
    /// O's Pauli strings, and the same with negated coefficients (a leaf's branch sign is ±1).
    let observable: [PauliMasks]
    let negatedObservable: [PauliMasks]
    /// First operation with a derivative (operations.count if none): the backward sweep stops here.
    let firstTrainable: Int
    /// Signed measurements: the branch recursion is this deep, one state buffer per level.
    let measurementCount: Int
    /// The binding area has `bindingShared + bindingPerSample·B` Doubles for a chunk of B.
    let bindingShared: Int
    let bindingPerSample: Int

    /// Approximate heap bytes this object holds (for caches with a memory budget).
    public var approximateBytes: Int {
        (operations.count + forwardOperations.count) * MemoryLayout<PreparedOperation>.stride
            + fusedMembers.count * 8 + angles.count * MemoryLayout<Angle>.stride + constants.count * 8
            + (observable.count + negatedObservable.count) * MemoryLayout<PauliMasks>.stride + 256
    }

    /// Prepare `circuit` for evaluating ⟨`observable`⟩. The observable must act on the circuit's
    /// qubits.
    public init(_ circuit: Circuit, observable: Observable) {
        for t in observable.terms {
            precondition(t.qubits.allSatisfy { $0 >= 0 && $0 < circuit.qubitCount },
                         "Simulator.prepare: observable acts on qubits \(t.qubits), circuit has \(circuit.qubitCount)")
        }
        qubitCount = circuit.qubitCount
        parameterCount = circuit.parameterCount
        inputCount = circuit.inputCount
        var operations: [PreparedOperation] = []
        var angles: [Angle] = []
        var constants: [Double] = []
        var shared = 0, perSample = 0
        // Gates are read in place (no copies of their arrays): preparing is a per-call cost for
        // callers of `Simulator.evaluate`.
        circuit.gates.withUnsafeBufferPointer { gates in
            operations.reserveCapacity(gates.count)
            angles.reserveCapacity(gates.reduce(0) { $0 + $1.angles.count })
            for g in gates.indices {
                guard let operation = Operation(gates[g]) else { continue }
                let kind = gates[g].kind
                let angleStart = angles.count
                var isBound = false, dependsOnInput = false, derivativeCount = 0
                var constantValues = AngleValues()
                for (a, angle) in gates[g].angles.enumerated() {
                    angles.append(angle)
                    isBound = isBound || !angle.isConstant
                    dependsOnInput = dependsOnInput || angle.inputIndex != nil
                    if !angle.isConstant { derivativeCount += 1 }
                    constantValues[a] = angle.constant
                }
                var op = PreparedOperation(
                    operation: operation, kind: kind, angleStart: angleStart, angleCount: angles.count - angleStart,
                    dependsOnInput: dependsOnInput, isBound: isBound, derivativeCount: derivativeCount,
                    sharedOffset: 0, perSampleOffset: 0)
                if isBound {
                    // Prefix sums of the binding area (see PreparedOperation.swift).
                    op.sharedOffset = shared
                    op.perSampleOffset = perSample
                    if dependsOnInput { perSample += op.boundCount } else { shared += op.boundCount }
                } else if op.packedCount > 0 {
                    op.sharedOffset = constants.count
                    constants.append(contentsOf: ConstantMatrixCache.packed(kind: kind, angles: constantValues,
                                                                            operation: operation, packedCount: op.packedCount))
                }
                operations.append(op)
            }
        }
        (forwardOperations, fusedMembers) = PreparedCircuit.fuse(operations, qubitCount: circuit.qubitCount,
                                                                 shared: &shared, perSample: &perSample,
                                                                 constants: &constants)
        self.operations = operations
        self.angles = angles
        self.constants = constants
        self.observable = observable.terms.map(PauliMasks.init)
        negatedObservable = self.observable.map { var t = $0; t.coefficient = -t.coefficient; return t }
        firstTrainable = operations.firstIndex { $0.isBound } ?? operations.count
        measurementCount = operations.count(where: { $0.isMeasurement })
        bindingShared = shared
        bindingPerSample = perSample
    }

    /// ⟨O⟩ for each input vector (samples sharing θ), optionally with ∂/∂θ and ∂/∂x: the same
    /// contract and results as `Simulator.evaluate`. `theta` must cover `parameterCount`, every
    /// input `inputCount` (all inputs the same length); gradients have the lengths of `theta` and
    /// of the inputs. A circuit without inputs takes `inputs: [[]]` for one sample.
    public func evaluate(theta: [Double], inputs: [[Double]], gradients: Bool) -> Evaluation {
        precondition(theta.count >= parameterCount,
                     "PreparedCircuit.evaluate: theta has \(theta.count) values, circuit needs \(parameterCount)")
        for (b, x) in inputs.enumerated() {
            precondition(x.count >= inputCount,
                         "PreparedCircuit.evaluate: inputs[\(b)] has \(x.count) values, circuit needs \(inputCount)")
            precondition(x.count == inputs[0].count,
                         "PreparedCircuit.evaluate: inputs[\(b)] has \(x.count) values, inputs[0] has \(inputs[0].count)")
        }
        var result = Evaluation(values: [], thetaGradients: [], inputGradients: [])
        result.values.reserveCapacity(inputs.count)
        if gradients {
            result.thetaGradients.reserveCapacity(inputs.count)
            result.inputGradients.reserveCapacity(inputs.count)
        }
        let chunk = max(1, Simulator.chunkBytes / (16 << qubitCount))
        var start = 0
        while start < inputs.count {
            let end = min(start + chunk, inputs.count)
            evaluateChunk(theta: theta, inputs: inputs, range: start..<end, gradients: gradients, into: &result)
            start = end
        }
        return result
    }

    /// One chunk: all scratch memory in one temporary allocation (on the stack when small).
    private func evaluateChunk(theta: [Double], inputs: [[Double]], range: Range<Int>, gradients: Bool,
                               into result: inout Evaluation) {
        let b = range.count
        let shape = Shape(dimension: 1 << qubitCount, batch: b)
        let thetaCount = theta.count, featureCount = inputs[range.lowerBound].count
        let stateDoubles = 2 * shape.count
        let levels = measurementCount + 1
        let bindingDoubles = bindingShared + bindingPerSample * b
        let gradientDoubles = gradients ? b * (thetaCount + featureCount) : 0
        let total = stateDoubles * levels * (gradients ? 2 : 1) + bindingDoubles + 2 * b + gradientDoubles
        withUnsafeTemporaryAllocation(of: Double.self, capacity: total) { buffer in
            let base = buffer.baseAddress!
            let states = base
            let binding = states + stateDoubles * levels * (gradients ? 2 : 1)
            let values = binding + bindingDoubles
            let scratch = values + b
            let thetaGradients = scratch + b
            let inputGradients = thetaGradients + b * thetaCount
            values.initialize(repeating: 0, count: b)
            thetaGradients.initialize(repeating: 0, count: gradientDoubles)
            bind(theta: theta, inputs: inputs, range: range, gradients: gradients, into: binding)
            let psi = states
            psi.initialize(repeating: 0, count: stateDoubles)
            for k in 0..<b { psi[2 * k] = 1 }
            operations.withUnsafeBufferPointer { ops in
                forwardOperations.withUnsafeBufferPointer { forward in
                    angles.withUnsafeBufferPointer { angles in
                        constants.withUnsafeBufferPointer { pool in
                            let constants = pool.baseAddress ?? UnsafePointer(bitPattern: 8)!
                            bindFused(batch: b, binding: binding, constants: constants)
                            var run = PreparedRun(
                                circuit: self, ops: ops, forward: forward, angles: angles, constants: constants,
                                binding: binding, shape: shape, gradients: gradients, states: states,
                                stateDoubles: stateDoubles, lambdas: states + stateDoubles * levels, values: values,
                                scratch: scratch, thetaGradients: thetaGradients, thetaCount: thetaCount,
                                inputGradients: inputGradients, inputCount: featureCount)
                            _ = run.branch(from: 0, forwardFrom: 0, depth: 0, sign: 1)
                        }
                    }
                }
            }
            result.values.append(contentsOf: UnsafeBufferPointer(start: values, count: b))
            if gradients {
                for k in 0..<b {
                    result.thetaGradients.append(Array(UnsafeBufferPointer(start: thetaGradients + k * thetaCount, count: thetaCount)))
                    result.inputGradients.append(Array(UnsafeBufferPointer(start: inputGradients + k * featureCount, count: featureCount)))
                }
            }
        }
    }

    /// Bind every operation whose angles depend on θ or x for the samples `range`.
    private func bind(theta: [Double], inputs: [[Double]], range: Range<Int>, gradients: Bool,
                      into binding: UnsafeMutablePointer<Double>) {
        let b = range.count
        // Raw buffers: this loop runs for every bound gate of every call, and array accesses
        // (retains, bounds checks) cost more here than the matrices themselves.
        theta.withUnsafeBufferPointer { theta in
            operations.withUnsafeBufferPointer { ops in
                angles.withUnsafeBufferPointer { angles in
                    for i in ops.indices where ops[i].isBound {
                        let op = ops[i]
                        let copies = op.perSample(batch: b) ? b : 1
                        let block = binding + op.bindingOffset(batch: b)
                        for k in 0..<copies {
                            if op.dependsOnInput {
                                inputs[range.lowerBound + k].withUnsafeBufferPointer { x in
                                    bind(op, copy: k, of: copies, block: block, angles: angles, theta: theta, input: x,
                                         gradients: gradients)
                                }
                            } else {
                                bind(op, copy: k, of: copies, block: block, angles: angles, theta: theta,
                                     input: UnsafeBufferPointer(start: nil, count: 0), gradients: gradients)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Copy `k` of `copies` of one operation's forward, inverse (and derivative) matrices.
    @inline(__always)
    private func bind(_ op: PreparedOperation, copy k: Int, of copies: Int, block: UnsafeMutablePointer<Double>,
                      angles: UnsafeBufferPointer<Angle>, theta: UnsafeBufferPointer<Double>,
                      input: UnsafeBufferPointer<Double>, gradients: Bool) {
        let packed = op.packedCount, dense = op.denseCount
        let forward = block + k * packed, inverse = block + (copies + k) * packed
        let derivatives = block + 2 * copies * packed + k * dense   // slot j at + j·copies·dense
        if op.angleCount == 1,
           MatrixBinding.writeOneAngle(op.kind, angles[op.angleStart].value(theta: theta, input: input), forward: forward,
                                       inverse: gradients ? inverse : nil,
                                       derivative: gradients && op.rotation == nil ? derivatives : nil) {
            return
        }
        var v = AngleValues()
        for a in 0..<op.angleCount { v[a] = angles[op.angleStart + a].value(theta: theta, input: input) }
        MatrixBinding.writeDense(op.kind, op.operation, v, forward: forward, inverse: inverse)
        guard gradients else { return }
        var slot = 0
        for a in 0..<op.angleCount where !angles[op.angleStart + a].isConstant {
            MatrixBinding.writeDenseDerivative(op.kind, v, index: a, to: derivatives + slot * copies * dense)
            slot += 1
        }
    }
}

extension Angle {
    /// `value(theta:input:)` on raw buffers, with the same operations in the same order.
    @inline(__always)
    func value(theta: UnsafeBufferPointer<Double>, input: UnsafeBufferPointer<Double>) -> Double {
        var v = constant
        if let i = thetaIndex { v += thetaScale * theta[i] }
        if let j = inputIndex { v += inputScale * input[j] }
        return v
    }
}

extension Simulator {
    /// Prepare `circuit` and `observable` once for many `evaluate(theta:inputs:gradients:)` calls
    /// (each much cheaper than `Simulator.evaluate`, which prepares on every call).
    public static func prepare(_ circuit: Circuit, observable: Observable) -> PreparedCircuit {
        PreparedCircuit(circuit, observable: observable)
    }
}
