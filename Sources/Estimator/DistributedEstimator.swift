/// The distributed estimator: the MPI shape of DESIGN §4, end to end.
///
/// * `init`: rank 0 partitions the circuit and generates the plan (`makePlan`), then broadcasts
///   it — once per run; parameters are rebound, never re-partitioned.
/// * `evaluate`: one collective round per batch of queries. Rank 0 broadcasts θ and the batch;
///   every rank simulates its share of work units (fragment settings, each for the whole batch)
///   into a fragment-value table that is zero where it did no work; `MPI_Reduce(SUM)` — a tree
///   reduction — stitches the tables at rank 0, which contracts them into E (and ∂E). Gradient
///   rounds carry adjoint derivatives, or with `.parameterShift` the values of each unit's
///   shifted circuits (run by the rank that owns the unit), for shot-mode gradients at rank 0.
///   Every unit is counted exactly once under every policy, and since each table entry is one
///   rank's number plus zeros, the result is bit-identical for any rank count and policy.
import Circuits
import Cutting
import MPI
import Simulator

/// How a run distributes its work.
public struct EstimatorOptions: Hashable, Sendable, Codable {
    public var policy: SchedulePolicy
    /// Units per chunk for the dynamic policies; 0 = automatic.
    public var chunkSize: Int
    public var straggler: StragglerInjection

    public init(policy: SchedulePolicy = .static, chunkSize: Int = 0, straggler: StragglerInjection = .none) {
        self.policy = policy
        self.chunkSize = chunkSize
        self.straggler = straggler
    }
}

/// Seconds per stage. For a batch these are wall-clock seconds of the round at rank 0 and they
/// add up to its total; `execute` is the slowest rank's execute phase.
public struct StageTimes: Hashable, Sendable, Codable {
    public var partition = 0.0
    public var generate = 0.0
    public var execute = 0.0
    public var reconstruct = 0.0
    public var total: Double { partition + generate + execute + reconstruct }

    public init(partition: Double = 0, generate: Double = 0, execute: Double = 0, reconstruct: Double = 0) {
        self.partition = partition
        self.generate = generate
        self.execute = execute
        self.reconstruct = reconstruct
    }

    /// The same times divided by `count` (per query of a batch).
    public func divided(by count: Int) -> StageTimes {
        let d = Double(max(count, 1))
        return StageTimes(partition: partition / d, generate: generate / d, execute: execute / d, reconstruct: reconstruct / d)
    }
}

/// The one-off costs of a run: building the plan at rank 0 and broadcasting it.
public struct SetupTimes: Hashable, Sendable, Codable {
    /// Cut finding, fragment circuits and settings (rank 0).
    public var planBuild = 0.0
    /// Broadcasting the plan to every rank.
    public var planBroadcast = 0.0
}

/// What rank 0 learns from one round.
public struct BatchResult: Sendable {
    public var round: Int
    public var estimate: CutEstimate
    /// Stage seconds of the whole batch (partition is 0: it is a one-off, see `SetupTimes`).
    public var stages: StageTimes
    /// Inside `stages.reconstruct`: the reduction (including waiting for the slowest rank's
    /// arrival beyond `execute`) and the contraction at rank 0.
    public var reduceSeconds: Double
    public var contractSeconds: Double
    public var ranks: [RankTimes]
    public var chunkCount: Int
    /// The stitched fragment values (for sampled estimates drawn from exact values).
    public var table: FragmentValueTable
}

public final class DistributedEstimator {
    public let world: Communicator
    public let plan: CutPlan
    public let options: EstimatorOptions
    public let setup: SetupTimes
    public private(set) var round = 0
    /// Each work unit's fragment circuit compiled for the simulator, on first use by this rank
    /// (constant gate matrices, op list, branch structure), then reused every round.
    private var prepared: [PreparedCircuit?]
    /// The same for the parameter-shift form of each unit's circuit (shot-mode gradient rounds):
    /// `preparedShifted[0]` shifts θ-dependent angles, `[1]` input-dependent ones too.
    private var preparedShifted: [[(shifted: ShiftedCircuit, prepared: PreparedCircuit)?]]

    /// Collective. `makePlan` runs on rank 0 only; its plan (or its error, raised on every rank as
    /// an `AgreedFailure`) reaches every rank.
    public init(world: Communicator, options: EstimatorOptions, makePlan: () throws -> CutPlan) throws {
        self.world = world
        self.options = options
        let t0 = MPI.wallTime()
        var planBuild = 0.0
        plan = try world.rootDecides {
            let built = try makePlan()
            planBuild = MPI.wallTime() - t0
            return built
        }
        setup = SetupTimes(planBuild: planBuild, planBroadcast: MPI.wallTime() - t0 - planBuild)
        prepared = Array(repeating: nil, count: plan.workUnits.count)
        preparedShifted = Array(repeating: Array(repeating: nil, count: plan.workUnits.count), count: 2)
    }

    /// The compiled circuit of a work unit.
    func preparedCircuit(_ unit: Int) -> PreparedCircuit {
        if let done = prepared[unit] { return done }
        let compiled = plan.preparedCircuit(unit: unit)
        prepared[unit] = compiled
        return compiled
    }

    /// The compiled parameter-shift form of a work unit's circuit.
    func shiftedCircuit(_ unit: Int, inputs: Bool) -> (shifted: ShiftedCircuit, prepared: PreparedCircuit) {
        let variant = inputs ? 1 : 0
        if let done = preparedShifted[variant][unit] { return done }
        let compiled = plan.shiftedCircuit(unit: unit, inputs: inputs)
        preparedShifted[variant][unit] = compiled
        return compiled
    }

    /// Collective: one round with adjoint gradients or none (see `evaluate(theta:inputs:method:)`).
    public func evaluate(theta: [Double]?, inputs: [[Double]]?, gradients: Bool) throws -> BatchResult? {
        try evaluate(theta: theta, inputs: inputs, method: gradients ? .adjoint : .none)
    }

    /// Collective: one round for a batch of queries sharing θ. Rank 0 passes θ and the inputs
    /// (one vector per query) and how to differentiate; other ranks pass nil (the method reaches
    /// them with θ). Returns the result on rank 0, nil elsewhere.
    public func evaluate(theta: [Double]?, inputs: [[Double]]?, method: GradientMethod) throws -> BatchResult? {
        round += 1
        let roundStart = MPI.wallTime()
        var times = RankTimes(rank: world.rank)

        // Generate (per query): θ and the batch reach every rank in one broadcast.
        var header: [Double] = []
        if world.rank == 0 {
            // Callers validate user data first; these are programming errors.
            guard let theta, let inputs else { preconditionFailure("rank 0 must pass θ and the inputs") }
            precondition(inputs.allSatisfy { $0.count == inputs[0].count }, "input vectors differ in length")
            header = [Double(method.rawValue), Double(inputs.count), Double(theta.count)] + theta + inputs.flatMap { $0 }
        }
        try times.communicating { try world.broadcast(&header, root: 0) }
        let (batchTheta, batchInputs, batchMethod) = Self.decodeHeader(header)
        let generated = MPI.wallTime()

        // Execute: this rank's share of the work units, into a table that is zero elsewhere.
        let executeStart = MPI.wallTime()
        var table = FragmentValueTable(plan: plan, sampleCount: batchInputs.count, method: batchMethod)
        let schedule = Schedule(policy: options.policy, unitCount: plan.workUnits.count, ranks: world.size,
                                chunkSize: options.chunkSize)
        var touched: [Int] = []
        let evaluateUnit: (Int) throws -> Double = { unit in
            let t0 = MPI.wallTime()
            table.evaluate(unit: unit, circuit: self.preparedCircuit(unit), theta: batchTheta, inputs: batchInputs) {
                self.shiftedCircuit(unit, inputs: $0)
            }
            touched.append(unit)
            return MPI.wallTime() - t0
        }
        if options.policy.isDynamic {
            let scheduler = DynamicScheduler(world: world, schedule: schedule, round: round,
                                             epoch: DynamicScheduler.nextEpoch(),
                                             straggler: options.straggler, evaluate: evaluateUnit)
            let winners = try scheduler.run(times: &times)
            // First result wins: forget what this rank computed for chunks another rank won.
            var chunkOfUnit = [Int](repeating: 0, count: plan.workUnits.count)
            for (c, units) in schedule.chunks.enumerated() { for u in units { chunkOfUnit[u] = c } }
            for unit in touched where winners[chunkOfUnit[unit]] != world.rank { table.clear(unit: unit) }
        } else {
            for chunk in schedule.ownedChunks(rank: world.rank) {
                for unit in schedule.chunks[chunk] {
                    let elapsed = try evaluateUnit(unit)
                    times.busy += elapsed
                    times.units += 1
                    let pause = options.straggler.delay(rank: world.rank, round: round, unit: unit, elapsed: elapsed)
                    if pause > 0 { times.injectedDelay += Self.sleep(pause) }
                }
                times.chunks += 1
            }
        }
        let executeSeconds = MPI.wallTime() - executeStart

        // Reconstruct: tree reduction of the tables to rank 0, then the contraction there.
        let reduceStart = MPI.wallTime()
        let reduced = try times.communicating { try world.reduce(table.storage, op: .sum, root: 0) }
        let reduceSeconds = MPI.wallTime() - reduceStart
        var estimate: CutEstimate?
        var contractSeconds = 0.0
        if let reduced {
            table.storage = reduced
            let t0 = MPI.wallTime()
            estimate = try plan.reconstruct(table, theta: batchTheta, inputs: batchInputs)
            contractSeconds = MPI.wallTime() - t0
        }
        let roundSeconds = MPI.wallTime() - roundStart
        times.idle = max(0, roundSeconds - times.busy - times.communication - times.injectedDelay)

        // Trace rows travel to rank 0 (after the round: not part of its time).
        var row = times
        row.executeSeconds = executeSeconds
        let rows = try world.gather(row, root: 0)
        guard let estimate, let rows else { return nil }
        let generate = generated - roundStart
        let execute = min(rows.map(\.executeSeconds).max() ?? executeSeconds, roundSeconds - generate)
        return BatchResult(
            round: round, estimate: estimate,
            stages: StageTimes(generate: generate, execute: execute, reconstruct: roundSeconds - generate - execute),
            reduceSeconds: reduceSeconds, contractSeconds: contractSeconds, ranks: rows,
            chunkCount: schedule.chunks.count, table: table)
    }

    static func decodeHeader(_ header: [Double]) -> (theta: [Double], inputs: [[Double]], method: GradientMethod) {
        let method = GradientMethod(rawValue: Int(header[0])) ?? .none
        let batch = Int(header[1]), p = Int(header[2])
        let theta = Array(header[3 ..< 3 + p])
        let flat = header[(3 + p)...]
        let width = batch > 0 ? flat.count / batch : 0
        let inputs = (0 ..< batch).map { b in Array(flat[flat.startIndex + b * width ..< flat.startIndex + (b + 1) * width]) }
        return (theta, inputs, method)
    }

    /// Injected delay for the static policies (nobody to answer meanwhile): sleep for the bulk,
    /// spin for the last millisecond, so short delays are as long as asked (see
    /// `DynamicScheduler.wait`).
    static func sleep(_ seconds: Double) -> Double {
        let t0 = MPI.wallTime()
        while seconds - (MPI.wallTime() - t0) > 2e-3 {
            usleep(UInt32(min(seconds - (MPI.wallTime() - t0) - 1e-3, 1) * 1e6))
        }
        while MPI.wallTime() - t0 < seconds {}
        return MPI.wallTime() - t0
    }
}

#if canImport(Glibc)
import Glibc
#endif
