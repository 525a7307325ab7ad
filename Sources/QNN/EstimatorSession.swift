/// The collective rhythm of training: rank 0 drives, every other rank serves. Before each round
/// rank 0 broadcasts one command word (evaluate or stop), so the workers need no copy of the
/// training loop, the data or the config — they only simulate their share of each round.
import Cutting
import Estimator
import MPI
#if canImport(Glibc)
import Glibc
#endif

public final class EstimatorSession {
    public let estimator: DistributedEstimator
    var world: Communicator { estimator.world }
    /// CPU seconds of rank 0's thread in forward and in gradient rounds, for the gradient-cost
    /// ratio. CPU time, not wall time, because a shared, oversubscribed machine preempts long
    /// rounds more often than short ones; run with one rank to count all the compute (with more
    /// ranks, rank 0's share plus its MPI polling).
    public private(set) var forwardSeconds = 0.0, forwardQueries = 0
    public private(set) var gradientSeconds = 0.0, gradientQueries = 0

    /// Test instrument (`qnncut train --inject-failure-rank`): this rank fails when round `round`
    /// begins — with a Swift error (`error`), an immediate MPI_Abort (`abort`) or SIGKILL (`kill`).
    public var injectedFailure: (round: Int, kind: String)?
    private var rounds = 0

    /// Collective: rank 0 builds the plan for `model` (others pass nil), runs `check` on it (the
    /// resource guard: a refusal reaches every rank before anything is simulated) and broadcasts it.
    /// - Parameter source: what errors name as the origin of the model (the config file).
    public init(world: Communicator, model: QNNModel?, options: EstimatorOptions, source: String = "model",
                check: (CutPlan) throws -> Void = { _ in }) throws {
        estimator = try DistributedEstimator(world: world, options: options) {
            guard let model else { preconditionFailure("rank 0 must pass the model") }
            let plan: CutPlan
            do { plan = try CutPlan(circuit: model.circuit, observable: model.observable, cuts: model.cutSpecification) } catch let error as CuttingError {
                // Say what the user wrote (the model's cuts), not the Swift call.
                throw PlanError(description: "\(source): the model's cut plan: \(error.reason)")
            }
            try check(plan)
            return plan
        }
    }

    /// Rank 0: one round for a batch of inputs sharing θ, with adjoint gradients or none.
    public func evaluate(theta: [Double], inputs: [[Double]], gradients: Bool) throws -> BatchResult {
        try evaluate(theta: theta, inputs: inputs, method: gradients ? .adjoint : .none)
    }

    /// Rank 0: one round for a batch of inputs sharing θ.
    public func evaluate(theta: [Double], inputs: [[Double]], method: GradientMethod) throws -> BatchResult {
        precondition(world.isRoot, "EstimatorSession.evaluate runs on rank 0; other ranks call serve()")
        var command: [Double] = [1]
        try world.broadcast(&command, root: 0)
        try failIfInjected()
        let cpuStart = Self.threadCPUSeconds()
        guard let result = try estimator.evaluate(theta: theta, inputs: inputs, method: method) else {
            preconditionFailure("rank 0 receives every round's result")
        }
        let compute = Self.threadCPUSeconds() - cpuStart
        if method != .none {
            gradientSeconds += compute
            gradientQueries += inputs.count
        } else {
            forwardSeconds += compute
            forwardQueries += inputs.count
        }
        return result
    }

    /// Rank 0: release the workers.
    public func stop() throws {
        guard world.isRoot, world.size > 1 else { return }
        var command: [Double] = [0]
        try world.broadcast(&command, root: 0)
    }

    /// Ranks other than 0: take part in rounds until rank 0 stops.
    public func serve() throws {
        precondition(!world.isRoot, "rank 0 drives the session")
        while true {
            var command: [Double] = []
            try world.broadcast(&command, root: 0)
            if command.first != 1 { return }
            try failIfInjected()
            _ = try estimator.evaluate(theta: nil, inputs: nil, gradients: false)
        }
    }
}

/// A model whose cuts cannot be planned.
public struct PlanError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// The error an injected `error` failure throws.
public struct InjectedFailure: Error, CustomStringConvertible, Sendable {
    public var description: String
}

extension EstimatorSession {
    func failIfInjected() throws {
        rounds += 1
        guard let injected = injectedFailure, injected.round == rounds else { return }
        let cause = "injected failure (\(injected.kind)) in round \(rounds)"
        switch injected.kind {
        case "abort":
            let line = "qnncut: error: rank \(world.rank): \(cause)\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
            MPI.abort(exitCode: 3)
        case "kill":
            kill(getpid(), SIGKILL)
        default:
            throw InjectedFailure(description: cause)
        }
    }

    /// CPU seconds this thread has used. The corresponding C function is `clock_gettime`.
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
