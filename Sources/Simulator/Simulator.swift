/// The public entry point: ⟨O⟩ for a batch of samples sharing θ, with optional adjoint gradients.

import Circuits

/// Results of `Simulator.evaluate`.
public struct Evaluation: Sendable {
    public var values: [Double]          // one per sample
    public var thetaGradients: [[Double]] // [sample][parameter], empty when not requested
    public var inputGradients: [[Double]] // [sample][feature], empty when not requested

    public init(values: [Double], thetaGradients: [[Double]], inputGradients: [[Double]]) {
        self.values = values
        self.thetaGradients = thetaGradients
        self.inputGradients = inputGradients
    }
}

public enum Simulator {
    /// Working-set target for one chunk of the batch (one state buffer): about 1 MiB keeps a
    /// chunk in L2 while every gate sweeps it.
    public static let chunkBytes = 1 << 20

    /// ⟨O⟩ for each input vector (a batch of samples sharing θ), optionally with ∂/∂θ and ∂/∂x.
    ///
    /// Signed measurements (`measureX/Y/Z`) split the state into branches; the value is
    /// Σ_branches sign·⟨O⟩_branch (DESIGN §3). `theta` must cover `circuit.parameterCount` and
    /// every input `circuit.inputCount` (all inputs the same length); gradients have the lengths
    /// of `theta` and of the inputs.
    /// A circuit without inputs takes `inputs: [[]]` for one sample.
    ///
    /// Prepares the circuit on every call: to evaluate one circuit many times, `prepare` it once
    /// and call `PreparedCircuit.evaluate`.
    public static func evaluate(_ circuit: Circuit, observable: Observable, theta: [Double],
                                inputs: [[Double]], gradients: Bool) -> Evaluation {
        prepare(circuit, observable: observable).evaluate(theta: theta, inputs: inputs, gradients: gradients)
    }
}
