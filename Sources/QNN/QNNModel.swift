/// The model a config names: the circuit (the reference QNN family, or a parameterised
/// OpenQASM 2 file), the readout observable, and how it is cut. The prediction is
/// p = (1 + ⟨O⟩)/2 for class 1.
import Circuits
import Cutting
import Foundation
import Support

public struct QNNModel: Sendable, Codable {
    public var circuit: Circuit
    public var observable: Observable
    public var readoutText: String
    /// How the estimator cuts (no cuts for the uncut baseline).
    public var cutSpecification: CutSpecification

    public var parameterCount: Int { circuit.parameterCount }
    public var inputCount: Int { circuit.inputCount }

    public init(circuit: Circuit, observable: Observable, readoutText: String, cutSpecification: CutSpecification) {
        self.circuit = circuit
        self.observable = observable
        self.readoutText = readoutText
        self.cutSpecification = cutSpecification
    }

    /// Build from the model and estimator sections.
    public init(config: TrainingConfig) throws {
        let m = config.model
        let source = config.source
        let labels: String
        if let path = m.circuit {
            let program: QASMProgram
            do { program = try QASM.read(contentsOf: path, parameters: m.parameters ?? QASMParameterNames()) } catch {
                throw ConfigError("\(source): model.circuit: \(error)")
            }
            circuit = program.circuit
            if program.version == 2 && m.parameters != nil {
                throw ConfigError("\(source): model.parameters: \(path) is OpenQASM 2, whose parameters are written theta[i] and x[j]; model.parameters names OpenQASM 3 input parameters")
            }
            let inputs = program.version == 3 ? "input parameters (model.parameters.inputs, default x)" : "input x[j]"
            guard circuit.parameterCount > 0 else { throw ConfigError("\(source): model.circuit \(path) has no trainable \(program.version == 3 ? "parameter" : "theta[i]")") }
            guard circuit.inputCount > 0 else { throw ConfigError("\(source): model.circuit \(path) has no \(inputs)") }
            labels = m.partition ?? ""
            if !labels.isEmpty && labels.count != circuit.qubitCount {
                throw ConfigError("\(source): model.partition '\(labels)' has \(labels.count) label(s); the circuit has \(circuit.qubitCount) qubit(s)")
            }
        } else if let family = m.blockFamily {
            circuit = family.circuit
            labels = family.partitionLabels
        } else {
            circuit = ReferenceQNN.circuit(qubits: m.qubits, layers: m.layers, crossingLayers: m.cuts)
            labels = m.partition ?? ReferenceQNN.halvesPartition(qubits: m.qubits)
        }
        let n = circuit.qubitCount
        switch m.readout {
        case .last: readoutText = "Z\(n - 1)"
        case .parity: readoutText = (0..<n).map { "Z\($0)" }.joined(separator: " ")
        case .meanZ, .parityBlocks:
            guard let qubits = Self.blockReadoutQubits(labels: labels, qubitCount: n) else {
                throw ConfigError("\(source): model.readout \(m.readout) needs blocks: model.fragments, the two-half family, or model.partition with model.circuit")
            }
            readoutText = m.readout == .parityBlocks ? qubits.map { "Z\($0)" }.joined(separator: " ")
                : qubits.map { "\(1.0 / Double(qubits.count))*Z\($0)" }.joined(separator: " + ")
        case .observable(let text): readoutText = text
        }
        do { observable = try Observable.parse(readoutText, qubitCount: n) } catch {
            throw ConfigError("\(source): model.readout '\(m.readout)': \(error)")
        }
        let γ = observable.terms.reduce(0) { $0 + abs($1.coefficient) }
        guard γ.isFinite else {
            throw ConfigError("\(source): model.readout: the sum of |coefficients| overflows to \(γ)")
        }
        // Decimal weights such as 0.1 + 0.2 + 0.7 sum to 1 only up to rounding: a relative
        // tolerance of 1e-9 accepts them and still refuses any real excess.
        guard γ <= 1 + 1e-9 else {
            throw ConfigError("\(source): model.readout '\(m.readout)': Σ|coefficients| = \(γ) > 1, so (1 + ⟨O⟩)/2 is not a probability")
        }
        if config.estimator.uncut || labels.isEmpty {
            cutSpecification = .explicit(gateCuts: [], wireCuts: [])
        } else {
            cutSpecification = .partition(labels: labels)
        }
    }

    /// The readout qubit of every block: the highest qubit carrying each partition label (for the
    /// model families, the end of the block's CNOT chain), in block order; nil without labels.
    static func blockReadoutQubits(labels: String, qubitCount: Int) -> [Int]? {
        let characters = Array(labels)
        guard characters.count == qubitCount, qubitCount > 0 else { return nil }
        var last: [Character: Int] = [:]
        for (q, c) in characters.enumerated() { last[c] = q }
        return last.values.sorted()
    }

    /// Trainable parameters the readout cannot see (`LightCone`): their gradient is always 0.
    public var deadParameters: [Int] {
        LightCone.deadParameters(circuit: circuit, readoutQubits: LightCone.support(of: observable))
    }

    /// The one warning line training prints when some parameters are dead, or nil.
    public var lightConeWarning: String? {
        let dead = deadParameters.count
        guard dead > 0 else { return nil }
        let shown = readoutText.count > 60 ? String(readoutText.prefix(57)) + "..." : readoutText
        return "\(dead) of \(parameterCount) trainable parameters are dead: model.readout '\(shown)' cannot see them (outside its backward light cone their gradient is always 0); a readout such as mean_z reaches every block"
    }

    /// θ ~ Uniform(−scale, scale) from the run seed.
    public func initialTheta(seed: UInt64, scale: Double) -> [Double] {
        var rng = Seeds.generator(seed, .initialTheta)
        return (0..<parameterCount).map { _ in (2 * rng.uniform() - 1) * scale }
    }
}

extension QNNModel {
    /// The model's cut plan, built once at rank 0 (`DistributedEstimator.init`'s `makePlan`);
    /// errors name `source` (the config or checkpoint) and the model's cuts, not the Swift call.
    public func cutPlan(source: String) throws -> CutPlan {
        do { return try CutPlan(circuit: circuit, observable: observable, cuts: cutSpecification) } catch let error as CuttingError {
            throw PlanError(description: "\(source): the model's cut plan: \(error.reason)")
        }
    }
}

/// A model whose cuts cannot be planned.
public struct PlanError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
