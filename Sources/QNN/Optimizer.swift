/// Gradient-descent optimisers with explicit, checkpointable state: SGD (with optional
/// momentum) and Adam (Kingma & Ba 2015, bias-corrected).
#if canImport(Glibc)
import Glibc
#endif

public struct OptimizerState: Sendable, Codable, Equatable {
    /// Updates applied so far.
    public var t: Int
    /// SGD: velocity; Adam: first moment.
    public var m: [Double]
    /// Adam: second moment (empty for SGD).
    public var v: [Double]

    public init(t: Int, m: [Double], v: [Double]) {
        self.t = t
        self.m = m
        self.v = v
    }
}

public struct Optimizer: Sendable {
    /// The YAML spellings of `training.optimizer`.
    public enum Kind: String, Sendable, Codable, CaseIterable { case adam, sgd }
    public var kind: Kind
    public var learningRate: Double
    public var momentum: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var state: OptimizerState

    public init(_ config: TrainingConfig.TrainingSection, parameterCount p: Int) {
        kind = config.optimizer
        learningRate = config.learningRate
        momentum = config.momentum
        beta1 = config.beta1
        beta2 = config.beta2
        epsilon = config.epsilon
        state = OptimizerState(t: 0, m: Array(repeating: 0, count: p), v: kind == .adam ? Array(repeating: 0, count: p) : [])
    }

    /// θ ← θ − step(g).
    public mutating func update(_ theta: inout [Double], gradient g: [Double]) {
        precondition(g.count == theta.count && state.m.count == theta.count, "Optimizer.update: sizes differ")
        state.t += 1
        switch kind {
        case .sgd:
            for i in theta.indices {
                state.m[i] = momentum * state.m[i] + g[i]
                theta[i] -= learningRate * state.m[i]
            }
        case .adam:
            let c1 = 1 - pow(beta1, Double(state.t)), c2 = 1 - pow(beta2, Double(state.t))
            for i in theta.indices {
                state.m[i] = beta1 * state.m[i] + (1 - beta1) * g[i]
                state.v[i] = beta2 * state.v[i] + (1 - beta2) * g[i] * g[i]
                theta[i] -= learningRate * (state.m[i] / c1) / ((state.v[i] / c2).squareRoot() + epsilon)
            }
        }
    }
}
