/// The distributed estimator: the MPI shape of DESIGN §4, end to end, and the one object a run
/// talks to (the CLI's `estimate` and `bench`, and the trainer).
///
/// * `init`: rank 0 partitions the circuit and generates the plan (`makePlan`), then broadcasts
///   it — once per run; parameters are rebound, never re-partitioned.
/// * `evaluate` (rank 0) / `serve` (every other rank): one collective round per batch of
///   queries. Rank 0 broadcasts the round header (θ, the batch, how to differentiate); every rank
///   simulates its share of work units (fragment settings, each for the whole batch) into a
///   fragment-value table that is zero where it did no work; `MPI_Reduce(SUM)` — a tree
///   reduction — stitches the tables (Stitching.swift), and rank 0 gets E (and ∂E). Gradient
///   rounds carry adjoint derivatives, or with `.parameterShift` the values of each unit's
///   shifted circuits (run by the rank that owns the unit), for shot-mode gradients at rank 0
///   (ShotMode.swift). `stop` (rank 0) ends every rank's `serve` with the same broadcast.
///   Every unit is counted exactly once under every policy, and since each table entry is one
///   rank's number plus zeros, the result is bit-identical for any rank count and policy.
import Circuits
import Cutting
import MPI
import Simulator
#if canImport(Glibc)
import Glibc
#endif

/// How a run distributes its work.
public struct EstimatorOptions: Hashable, Sendable, Codable {
    public var policy: SchedulePolicy
    /// Units per chunk for the dynamic policies; 0 = automatic.
    public var chunkSize: Int
    public var straggler: StragglerInjection
    /// How the reconstruct stage combines the ranks' results (see `Stitching`).
    public var stitching: Stitching

    public init(policy: SchedulePolicy = .adaptive, chunkSize: Int = 0, straggler: StragglerInjection = .none,
                stitching: Stitching = .automatic) {
        self.policy = policy
        self.chunkSize = chunkSize
        self.straggler = straggler
        self.stitching = stitching
    }
}

public final class DistributedEstimator {
    public let world: Communicator
    public let plan: CutPlan
    public let options: EstimatorOptions
    public let setup: SetupTimes
    public private(set) var round = 0
    /// Each work unit's fragment circuit compiled for the simulator, on first use by this rank
    /// (constant gate matrices, op list, branch structure), then reused every round.
    /// (Also the parameter-shift forms, for shot-mode gradient rounds.) Memory-bounded.
    var circuits = PreparedCircuitCache()
    /// Rank 0's measured choice between the stitchings (`Stitching.automatic`).
    private var stitchingChooser = StitchingChooser()
    /// Learned rank speeds (adaptive policy; rank 0 keeps them and sends them with the header).
    public private(set) var speeds: RankSpeeds
    /// What units cost (static and adaptive schedules balance it), calibrated across rounds at
    /// rank 0 (CostModel.swift).
    lazy var costModel = CostModel(plan: plan)
    /// Rank 0's CPU seconds per kind of round.
    public private(set) var cpuTimes = RoundCPUTimes()
    /// Called on every rank as each round begins, with the round's number (from 1): where the
    /// CLI's failure-injection test instruments hook in. A throw fails this rank's round.
    public var roundWillBegin: ((Int) throws -> Void)?
    /// What runs the work units instead of the built-in noiseless simulator (an external
    /// executor, the noise model); nil: the simulator. Set on every rank alike before a round.
    public var executor: FragmentExecutor?

    /// Collective. `makePlan` runs on rank 0 only; its decision (or its error, raised on every
    /// rank as an `AgreedFailure`) reaches every rank as a `PlanBlueprint`, from which each rank
    /// derives the plan itself; the ranks then prove they hold the same plan (digest).
    public init(world: Communicator, options: EstimatorOptions, makePlan: () throws -> CutPlan) throws {
        self.world = world
        self.options = options
        var times = SetupTimes()
        let t0 = MPI.wallTime()
        var built: CutPlan?
        let blueprint = try world.rootDecidesBytes {
            let plan = try makePlan()
            times.planBuild = MPI.wallTime() - t0
            built = plan
            return plan.blueprint.encoded()
        }
        let t1 = MPI.wallTime()
        times.planBroadcast = t1 - t0 - times.planBuild
        times.blueprintBytes = blueprint.count
        if let built {
            plan = built
        } else {
            // Same inputs, same code: a failure here is a broken installation, not a user error.
            plan = try CutPlan(blueprint: PlanBlueprint(decoding: blueprint))
        }
        let t2 = MPI.wallTime()
        let derive = try world.allreduce([t2 - t1], op: .max)
        times.planDerive = derive[0]
        guard try world.allAgree(on: plan.digest) else {
            throw AgreedFailure("the ranks derived different cut plans from rank 0's blueprint (plan digests differ): mixed qnncut builds in one job?")
        }
        times.planAgree = MPI.wallTime() - t2
        setup = times
        speeds = RankSpeeds(ranks: world.size)
    }

    /// Seconds this rank has spent compiling unit circuits (first use of each; a one-off per run
    /// while the cache budget holds them).
    public var compileSeconds: Double { circuits.compileSeconds }

    /// Rank 0: one round for a batch of queries sharing θ (one input vector per query), with
    /// adjoint gradients or none, exact or in shot mode. The other ranks take part in `serve`.
    public func evaluate(theta: [Double], inputs: [[Double]], gradients: Bool,
                         sampling: Sampling = .exact) throws -> BatchResult {
        try evaluate(theta: theta, inputs: inputs, method: gradients ? .adjoint : .none, sampling: sampling)
    }

    /// Rank 0: one round for a batch of queries sharing θ. Shot mode (`sampling: .shots`) needs
    /// `.none` or a parameter-shift method: adjoint derivatives of exact values have no shots.
    public func evaluate(theta: [Double], inputs: [[Double]], method: GradientMethod,
                         sampling: Sampling = .exact) throws -> BatchResult {
        // Callers validate user data first; these are programming errors.
        precondition(world.isRoot, "DistributedEstimator.evaluate runs on rank 0; other ranks call serve()")
        precondition(inputs.allSatisfy { $0.count == inputs.first?.count }, "input vectors differ in length")
        precondition(sampling.isExact || method != .adjoint, "shot mode differentiates by parameter shift, not adjoint")
        let cpuStart = Self.threadCPUSeconds()
        let balanced = options.policy == .static || options.policy == .adaptive
        let header = RoundHeader(method: method, theta: theta,
                                 speeds: options.policy == .adaptive ? speeds.values : [],
                                 costFactors: balanced ? costModel.factors : [],
                                 stitching: sampling.isExact ? stitching(for: method, chooser: &stitchingChooser) : .fullTable,
                                 inputs: inputs)
        guard case .result(var result) = try round(header.encoded()) else { preconditionFailure("rank 0 receives every round's result") }
        if case .shots(let mode, let seeds) = sampling {
            try mode.sample(&result, plan: plan, theta: theta, inputs: inputs, seeds: seeds,
                            source: executor?.shotSource ?? .emulated)
        }
        let cpu = Self.threadCPUSeconds() - cpuStart
        if method == .none {
            cpuTimes.forwardSeconds += cpu
            cpuTimes.forwardQueries += inputs.count
        } else {
            cpuTimes.gradientSeconds += cpu
            cpuTimes.gradientQueries += inputs.count
        }
        return result
    }

    /// Ranks other than 0: take part in rounds until rank 0 calls `stop`.
    public func serve() throws {
        precondition(!world.isRoot, "rank 0 drives the rounds; other ranks serve")
        while case .served = try round(nil) {}
    }

    /// Rank 0: end every other rank's `serve` (one broadcast). A no-op on one rank.
    public func stop() throws {
        precondition(world.isRoot, "rank 0 stops the rounds")
        guard world.size > 1 else { return }
        var header = RoundHeader.stop
        try world.broadcast(&header, root: 0)
    }

    private enum RoundOutcome {
        case stopped
        case served
        case result(BatchResult)
    }

    /// Collective: one round. Rank 0 passes the encoded header; the others receive it.
    private func round(_ encoded: [Double]?) throws -> RoundOutcome {
        let roundStart = MPI.wallTime()
        var times = RankTimes(rank: world.rank)

        // Generate (per query): θ, the batch (and the learned rank speeds) reach every rank in
        // one broadcast.
        var header = encoded ?? []
        try times.communicating { try world.broadcast(&header, root: 0) }
        guard let received = RoundHeader.decode(header) else { return .stopped }
        round += 1
        try roundWillBegin?(round)
        let (batchTheta, batchInputs, batchMethod) = (received.theta, received.inputs, received.method)
        let generated = MPI.wallTime()

        // Execute: this rank's share of the work units, into a table that is zero elsewhere.
        let executeStart = MPI.wallTime()
        var executed = try execute(received, times: &times)
        let executeSeconds = MPI.wallTime() - executeStart

        // Wait: until every rank has finished executing. Timed apart from the reduction, so that
        // imbalance and stragglers are never booked as reconstruction.
        // Rank 0 of a dynamic round may already have waited inside its execute phase.
        let waitedInExecute = times.wait
        let waitStart = MPI.wallTime()
        try world.barrier()
        times.wait += MPI.wallTime() - waitStart

        // Reconstruct: stitch the ranks' tables (Stitching.swift).
        let reconstructStart = MPI.wallTime()
        let stitched = try stitch(&executed.table, theta: batchTheta, inputs: batchInputs, method: batchMethod,
                                  stitching: received.stitching, times: &times)
        if world.rank == 0 {
            stitchingChooser.record(received.stitching, method: batchMethod, seconds: MPI.wallTime() - reconstructStart)
        }
        let roundSeconds = MPI.wallTime() - roundStart
        times.idle = max(0, roundSeconds - times.busy - times.communication - times.injectedDelay - times.wait)

        // Trace rows travel to rank 0 (after the round: not part of its time).
        var row = times
        row.executeSeconds = executeSeconds - waitedInExecute
        row.compile = circuits.compileSeconds
        let fragments = plan.fragments.count
        let width = RankTimes.packedCount(fragments: fragments)
        let rows = try world.gather(row.packed(fragments: fragments), root: 0).map { all in
            (0..<world.size).map { RankTimes(packed: all[$0 * width ..< ($0 + 1) * width], fragments: fragments) }
        }
        guard let estimate = stitched.estimate, let rows else { return .served }
        speeds.update(rows)
        costModel.update(rows)
        let generate = generated - roundStart
        return .result(BatchResult(
            round: round, estimate: estimate,
            stages: StageTimes(generate: generate, execute: executeSeconds - waitedInExecute, wait: times.wait,
                               reconstruct: roundSeconds - generate - (executeSeconds - waitedInExecute) - times.wait),
            reduceSeconds: stitched.reduceSeconds, contractSeconds: stitched.contractSeconds, ranks: rows,
            chunkCount: executed.chunkCount, table: stitched.table,
            slowestExecute: rows.map(\.executeSeconds).max() ?? executeSeconds - waitedInExecute))
    }

    /// CPU seconds this thread has used. The corresponding C function is `clock_gettime`.
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
