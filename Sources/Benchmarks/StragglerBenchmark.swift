/// One slowed rank under each scheduling policy (`qnncut bench stragglers`): batch time against
/// the same policy without the straggler and against the ideal the remaining capacity allows
/// (total work ÷ summed rank speeds, each host's sum capped at its cores: Capacity.swift), the
/// no-straggler batch time against its own ideal (work ÷ the same capacity with every rank at
/// full speed). The work is one dedicated core's seconds for the round: rank 0 runs the same
/// rounds alone (`MPI_COMM_SELF`) while the others wait, so neither time-sharing of
/// oversubscribed cores nor a policy's bookkeeping inflates or shrinks it. Also reported: the summed time of all timed rounds (what a training run of that many steps
/// would take: the paper's figure) and, with a transient window or a straggler that is slow in
/// random rounds (`roundProbability`), every round's time against its ideal, so detection,
/// recovery and being misled show. Collective; needs ≥ 2 ranks.
import Circuits
import Cutting
import Estimator
import MPI
import Support
#if canImport(Glibc)
import Glibc
#endif

public struct StragglerBenchmark: Sendable {
    public var qubits: Int
    public var layers: Int
    public var cuts: Int
    public var batch: Int
    /// Timed rounds per configuration (after one warm-up round).
    public var rounds: Int
    public var stragglerRank: Int
    public var factor: Double
    /// Timed rounds in which the straggler is slow; nil: all of them.
    public var window: ClosedRange<Int>?
    /// Probability that the straggler is slow in a given timed round (the whole round, drawn per
    /// round from a fixed seed); nil: slow in every round (or in `window`).
    public var roundProbability: Double?
    public var gradients: Bool

    public init(qubits: Int, layers: Int, cuts: Int, batch: Int, rounds: Int, stragglerRank: Int, factor: Double,
                window: ClosedRange<Int>?, gradients: Bool, roundProbability: Double? = nil) {
        self.qubits = qubits
        self.layers = layers
        self.cuts = cuts
        self.batch = batch
        self.rounds = rounds
        self.stragglerRank = stragglerRank
        self.factor = factor
        self.window = window
        self.roundProbability = roundProbability
        self.gradients = gradients
    }

    public struct Row: Codable, Sendable {
        public var policy: String
        public var ranks: Int
        public var factor: Double
        /// Median batch seconds without and with the straggler.
        public var batchSecondsNoStraggler: Double
        public var batchSecondsStraggler: Double
        /// Time with straggler ÷ time without (the paper reports ~1.15 for one delayed worker).
        public var slowdown: Double
        /// Total work ÷ capacity (summed rank speeds, capped per host at its cores).
        public var idealSeconds: Double
        /// Time with straggler ÷ ideal (1 = perfect use of the remaining capacity). With a
        /// transient window or random rounds: the median over rounds of each round's time ÷ its
        /// own ideal (the straggler's capacity in its slow rounds, full capacity in the others).
        public var vsIdeal: Double
        public var backups: Int
        public var cancelled: Int
        /// Without the straggler: work ÷ capacity, and the batch time ÷ that.
        public var idealSecondsNoStraggler: Double
        public var vsIdealNoStraggler: Double
        /// Summed seconds of every timed round, without and with the straggler (a training run of
        /// that many steps), and their ratio.
        public var totalSecondsNoStraggler: Double
        public var totalSecondsStraggler: Double
        public var trainingSlowdown: Double
        /// With a transient window or random rounds: the straggler's slow timed rounds, and every
        /// timed round's time ÷ its ideal (the straggler's capacity in a slow round, full
        /// capacity otherwise).
        public var transientRounds: [Int]?
        public var perRoundVsIdeal: [Double]?
        /// With a transient window or random rounds: the straggler rank's share of each timed round's units (how
        /// quickly the schedule notices it, and forgives it).
        public var perRoundStragglerShare: [Double]?
        /// Cores the job's ranks may run on (summed over hosts), and the capacities (in cores)
        /// with and without the straggler.
        public var cores: Int
        public var capacity: Double
        public var capacityNoStraggler: Double
        /// The round's work: median seconds of one rank running every unit alone, measured
        /// before and after the policies' runs (`workSecondsMeasured`); the smaller is used.
        public var workSeconds: Double
        public var workSecondsMeasured: [Double]?
        /// Rank 0's stage times, each the median over the timed rounds, without and with the
        /// straggler: where the distance from the ideal goes (generate and reconstruct are the
        /// round's fixed cost; wait is imbalance and the barrier).
        public var stagesNoStraggler: StageTimes?
        public var stagesStraggler: StageTimes?

        /// The JSON report keeps its snake_case names.
        enum CodingKeys: String, CodingKey {
            case policy, ranks, factor, batchSecondsNoStraggler = "batch_s_no_straggler",
                 batchSecondsStraggler = "batch_s_straggler", slowdown, idealSeconds = "ideal_s", vsIdeal = "vs_ideal",
                 backups, cancelled, idealSecondsNoStraggler = "ideal_s_no_straggler",
                 vsIdealNoStraggler = "vs_ideal_no_straggler", totalSecondsNoStraggler = "total_s_no_straggler",
                 totalSecondsStraggler = "total_s_straggler", trainingSlowdown = "training_slowdown",
                 transientRounds = "transient_rounds", perRoundVsIdeal = "per_round_vs_ideal",
                 perRoundStragglerShare = "per_round_straggler_share", cores, capacity,
                 capacityNoStraggler = "capacity_no_straggler", workSeconds = "work_s", workSecondsMeasured = "work_s_before_after",
                 stagesNoStraggler = "stages_no_straggler", stagesStraggler = "stages_straggler"
        }
    }

    static let referenceDoneTag = 9201

    /// Every rank spins for a quarter of a second, then they meet. On the 2-core machine the first
    /// ~0.1 s of work after an idle spell runs up to twice as slowly (the reference round's work
    /// fell from 55 to 27 ms over its first rounds), which would land on whichever configuration
    /// happens to run first.
    static func warmCores(_ world: Communicator, seconds: Double = 0.25) throws {
        let start = MPI.wallTime()
        var x = 0.0
        while MPI.wallTime() - start < seconds { x += 1 }
        if x < 0 { print(x) }  // keeps the loop
        try world.barrier()
    }

    /// One policy's timed rounds (rank 0).
    public struct Measurement: Sendable {
        public struct Round: Sendable {
            public var time: Double, work: Double
            /// The straggler rank's share of the units evaluated (backups count twice).
            public var stragglerShare: Double
            public var stages: StageTimes
            public init(time: Double, work: Double, stragglerShare: Double = 0, stages: StageTimes = StageTimes()) {
                self.time = time
                self.work = work
                self.stragglerShare = stragglerShare
                self.stages = stages
            }
        }
        public var rounds: [Round]
        public var backups = 0, cancelled = 0
        public init(rounds: [Round], backups: Int = 0, cancelled: Int = 0) {
            self.rounds = rounds
            self.backups = backups
            self.cancelled = cancelled
        }
        /// Medians over rounds, and the summed time.
        public var time: Double { median(rounds.map(\.time)) }
        public var work: Double { median(rounds.map(\.work)) }
        public var total: Double { rounds.reduce(0) { $0 + $1.time } }
        public var stages: StageTimes {
            StageTimes(generate: median(rounds.map(\.stages.generate)), execute: median(rounds.map(\.stages.execute)),
                       wait: median(rounds.map(\.stages.wait)), reconstruct: median(rounds.map(\.stages.reconstruct)))
        }
    }

    /// Collective: every policy with and without the straggler; the rows on rank 0, [] elsewhere.
    public func run(world: Communicator, policies: [SchedulePolicy]) throws -> [Row] {
        precondition(world.size >= 2 && stragglerRank < world.size, "callers check the world against the straggler rank")
        let circuit = ReferenceQNN.circuit(qubits: qubits, layers: layers, crossingLayers: cuts)
        let observable = Observable.z(qubits - 1, qubitCount: qubits)
        var rng = Xoshiro256(seed: 11)
        let theta = (0 ..< circuit.parameterCount).map { _ in rng.uniform() * 2 * .pi }
        let inputs = (0 ..< batch).map { _ in (0 ..< qubits).map { _ in rng.uniform() * .pi } }
        let spec: CutSpecification = cuts == 0 ? .explicit(gateCuts: [], wireCuts: [])
            : .partition(labels: ReferenceQNN.halvesPartition(qubits: qubits))
        let slow = injection
        let placements = try world.gather(Placement.current(), root: 0)
        let capacity = placements.map { Capacity(placements: $0) }
        var measured: [(SchedulePolicy, Measurement, Measurement)] = []
        let before = try referenceWork(world, circuit, observable, spec, theta, inputs)
        for policy in policies {
            try Self.warmCores(world)
            let plain = try measure(world, EstimatorOptions(policy: policy), circuit, observable, spec, theta, inputs)
            let slowed = try measure(world, EstimatorOptions(policy: policy, straggler: slow), circuit, observable, spec,
                                     theta, inputs)
            if let plain, let slowed { measured.append((policy, plain, slowed)) }
        }
        let after = try referenceWork(world, circuit, observable, spec, theta, inputs)
        // Anything else on the machine only ever adds time to a reference: the smaller of the two
        // is the less disturbed one (and the ratios the more demanding ones).
        guard let capacity, let before, let after else { return [] }  // ranks other than 0
        let work = min(before, after)
        return measured.map { policy, plain, slowed in
            var row = row(policy: policy, capacity: capacity, work: work, ranks: world.size, plain: plain,
                          slowed: slowed)
            row.workSecondsMeasured = [before, after]
            return row
        }
    }

    /// The reference work (rank 0; nil elsewhere): the median seconds of a round run by rank 0
    /// alone on `MPI_COMM_SELF`. The others wait asleep, not in a barrier: a rank spinning in
    /// MPI's progress engine slows a working neighbour by 20–25 % on the 2-core machine
    /// (UnitRunner.pollInterval), which would inflate the reference.
    func referenceWork(_ world: Communicator, _ circuit: Circuit, _ observable: Observable, _ spec: CutSpecification,
                       _ theta: [Double], _ inputs: [[Double]]) throws -> Double? {
        try Self.warmCores(world)
        guard world.isRoot else {
            while try world.probeIfAvailable(from: 0, tag: Self.referenceDoneTag) == nil { usleep(2000) }
            _ = try world.receiveDoubles(from: 0, tag: Self.referenceDoneTag)
            return nil
        }
        let work = try measure(Communicator.selfOnly(), EstimatorOptions(policy: .static), circuit, observable, spec,
                               theta, inputs)?.work
        for rank in 1 ..< world.size { try world.send([1.0] as [Double], to: rank, tag: Self.referenceDoneTag) }
        return work
    }

    /// The straggler of the slowed runs. Estimator round 1 is the warm-up: timed round t is
    /// estimator round t + 1.
    var injection: StragglerInjection {
        let active = window.map { ($0.lowerBound + 1) ... ($0.upperBound + 1) } ?? 1 ... Int.max
        return StragglerInjection(ranks: [stragglerRank], factor: factor, seed: 7, rounds: active,
                                  roundProbability: roundProbability ?? 1)
    }

    /// The timed rounds in which the straggler is slow, when that is not all of them (a transient
    /// window or random rounds); nil otherwise.
    public var slowTimedRounds: [Int]? {
        guard window != nil || roundProbability != nil else { return nil }
        let slow = injection
        return (1 ... rounds).filter { slow.slows(rank: stragglerRank, round: $0 + 1) }
    }

    /// Medians of per-round ratios (timed round t at index t − 1) in three classes: rounds in
    /// which the straggler was slow, rounds right after a slow one that were not slow themselves
    /// (where a policy that learned the slowness would underload the recovered rank), and the
    /// rest. Nil for an empty class.
    public static func roundClasses(perRound: [Double], slow: [Int]) -> (slow: Double?, after: Double?, steady: Double?) {
        let slowSet = Set(slow)
        var classes: ([Double], [Double], [Double]) = ([], [], [])
        for (k, ratio) in perRound.enumerated() {
            let t = k + 1
            if slowSet.contains(t) { classes.0.append(ratio) }
            else if slowSet.contains(t - 1) { classes.1.append(ratio) }
            else { classes.2.append(ratio) }
        }
        func m(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : median(xs) }
        return (m(classes.0), m(classes.1), m(classes.2))
    }

    /// The comparison of one policy's runs. Speeds: 1 for every rank, 1/factor for the straggler,
    /// summed per host and capped at its cores; `work`: one rank's seconds for a round alone.
    public func row(policy: SchedulePolicy, capacity hosts: Capacity, work: Double, ranks: Int, plain: Measurement,
                    slowed: Measurement) -> Row {
        var speeds = Array(repeating: 1.0, count: ranks)
        let full = hosts.of(speeds: speeds)
        speeds[stragglerRank] = 1 / factor
        let capacity = hosts.of(speeds: speeds)
        let ideal = work / capacity
        let idealPlain = work / full
        var row = Row(policy: policy.rawValue, ranks: ranks, factor: factor,
                      batchSecondsNoStraggler: plain.time, batchSecondsStraggler: slowed.time,
                      slowdown: slowed.time / plain.time, idealSeconds: ideal, vsIdeal: slowed.time / ideal,
                      backups: slowed.backups, cancelled: slowed.cancelled,
                      idealSecondsNoStraggler: idealPlain, vsIdealNoStraggler: plain.time / idealPlain,
                      totalSecondsNoStraggler: plain.total, totalSecondsStraggler: slowed.total,
                      trainingSlowdown: slowed.total / plain.total, cores: hosts.cores, capacity: capacity,
                      capacityNoStraggler: full, workSeconds: work, stagesNoStraggler: plain.stages,
                      stagesStraggler: slowed.stages)
        if let slowRounds = slowTimedRounds {
            row.transientRounds = slowRounds
            let slow = Set(slowRounds)
            row.perRoundVsIdeal = slowed.rounds.enumerated().map { k, round in
                round.time / (work / (slow.contains(k + 1) ? capacity : full))
            }
            // Rounds differ in their ideal: the median of each against its own is the figure.
            row.vsIdeal = median(row.perRoundVsIdeal ?? [])
            row.perRoundStragglerShare = slowed.rounds.map(\.stragglerShare)
        }
        return row
    }

    func measure(_ world: Communicator, _ options: EstimatorOptions, _ circuit: Circuit, _ observable: Observable,
                 _ spec: CutSpecification, _ theta: [Double], _ inputs: [[Double]]) throws -> Measurement? {
        let estimator = try DistributedEstimator(world: world, options: options) {
            try CutPlan(circuit: circuit, observable: observable, cuts: spec)
        }
        guard world.isRoot else {
            try estimator.serve()
            return nil
        }
        var measured = Measurement(rounds: [])
        for round in 0 ... rounds {
            let result = try estimator.evaluate(theta: theta, inputs: inputs, gradients: gradients)
            guard round > 0 else { continue }  // round 0 warms up
            let units = result.ranks.reduce(0) { $0 + $1.units }
            let straggling = result.ranks.first { $0.rank == stragglerRank }?.units ?? 0
            measured.rounds.append(.init(time: result.stages.total, work: result.ranks.reduce(0) { $0 + $1.busy },
                                         stragglerShare: Double(straggling) / Double(max(units, 1)),
                                         stages: result.stages))
            measured.backups += result.ranks.reduce(0) { $0 + $1.backups }
            measured.cancelled += result.ranks.reduce(0) { $0 + $1.cancelled }
        }
        try estimator.stop()
        return measured
    }
}
