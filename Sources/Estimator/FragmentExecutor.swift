/// What runs a work unit in the execute stage, when it is not the built-in noiseless state-vector
/// simulator: the one seam between the estimator's rounds (scheduling, stragglers, reduce, trace —
/// unchanged) and where fragment values come from. `RoundExecution` calls `execute` for every unit
/// the rank owns, inside the unit's timed `execute` stage.
import Circuits
import Cutting
import Simulator

public protocol FragmentExecutor: AnyObject {
    /// Fill `table`'s rows of `unit` for every sample of the round (`inputs[b]` is sample b).
    func execute(unit: Int, plan: CutPlan, theta: [Double], inputs: [[Double]], table: inout FragmentValueTable) throws
    /// What the values it stores are: exact (shots are emulated from them) or measured means.
    var shotSource: ShotSource { get }
    /// The units this rank is about to execute (a chunk of any schedule, before its first unit
    /// runs), so that an executor can run them in a few large batches instead of unit by unit;
    /// `method` is the round's (`table.method` in `execute`). Optional.
    func prepare(units: [Int], plan: CutPlan, theta: [Double], inputs: [[Double]], method: GradientMethod) throws
}

extension FragmentExecutor {
    public func prepare(units: [Int], plan: CutPlan, theta: [Double], inputs: [[Double]], method: GradientMethod) throws {}
}

public struct FragmentExecutorError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The built-in noise model (`NoiseModel`): every unit's exact noisy value per sample, by density
/// matrix on the lowered sub-experiment (`SubExperiment`, the same gates an executor is sent).
/// Shot mode draws shots from these values as from noiseless ones.
public final class NoisySimulatorExecutor: FragmentExecutor {
    public let noise: NoiseModel
    public var shotSource: ShotSource { .emulated }

    public init(noise: NoiseModel) { self.noise = noise }

    public func execute(unit: Int, plan: CutPlan, theta: [Double], inputs: [[Double]], table: inout FragmentValueTable) throws {
        switch table.method {
        case .none:
            let values = inputs.map { plan.subExperiment(unit: unit, theta: theta, input: $0).noisyValue(noise) }
            table.store(values: values, shifted: [], unit: unit)
        case .parameterShift, .parameterShiftWithInputs:
            // Shot-mode gradients: every shifted circuit's noisy value, as the simulator would give.
            let (values, shifted) = plan.noisyShiftedValues(unit: unit, theta: theta, inputs: inputs,
                                                            shiftInputs: table.method.shifts.inputs, noise: noise)
            table.store(values: values, shifted: shifted, unit: unit)
        case .adjoint:
            // Exact gradients of the noisy values (no adjoint through a channel here): the shift
            // rule over θ and x, evaluated exactly, in the adjoint table's layout.
            let (values, shifted) = plan.noisyShiftedValues(unit: unit, theta: theta, inputs: inputs, shiftInputs: true, noise: noise)
            let u = plan.workUnits[unit]
            let rule = ShiftedCircuit(plan.fragments[u.fragment].circuit(setting: u.setting), inputs: true)
            let p = theta.count, slots = p + (inputs.first?.count ?? 0)
            let gradients = inputs.indices.map { b in rule.derivatives(shifted: shifted.map { $0[b] }, slotCount: slots) }
            table.store(Evaluation(values: values, thetaGradients: gradients.map { Array($0[..<p]) },
                                   inputGradients: gradients.map { Array($0[p...]) }), unit: unit)
        }
    }

    /// Refuse plans whose widest fragment the density matrix cannot hold.
    public static func check(_ plan: CutPlan) throws {
        let widest = plan.fragments.map(\.width).max() ?? 0
        if widest > DensityMatrixSimulator.maximumQubits {
            throw FragmentExecutorError("the noise model simulates fragments of at most \(DensityMatrixSimulator.maximumQubits) qubits by density matrix; this plan has a fragment of \(widest) (cut narrower)")
        }
    }
}
