/// The distributed estimator's per-query stage times (`qnncut bench estimator`): medians and p95
/// over timed rounds after one warm-up round, the reconstruction share, the one-off setup costs,
/// and the value against the state-vector simulator where one fits. Collective: every rank of the
/// world calls `measure`; rank 0 gets the row.
import Circuits
import Cutting
import Estimator
import MPI
import Simulator
import Support

public struct EstimatorBenchmark: Sendable {
    public var rounds: Int
    public var batch: Int
    public var gradients: Bool
    public var policy: SchedulePolicy
    public var stitching: Stitching

    public init(rounds: Int, batch: Int, gradients: Bool, policy: SchedulePolicy, stitching: Stitching) {
        self.rounds = rounds
        self.batch = batch
        self.gradients = gradients
        self.policy = policy
        self.stitching = stitching
    }

    public struct Stages: Codable, Sendable {
        public var total: Double
        public var partition: Double
        public var generate: Double
        public var execute: Double
        /// Waiting for the slowest rank.
        public var wait: Double
        public var reconstruct: Double
    }

    /// One configuration at one rank count (JSON field names are the report's).
    public struct Row: Codable, Sendable {
        /// The circuit file, or nil for the QNN family.
        public var circuit: String?
        public var n: Int
        public var layers: Int
        public var cuts: Int
        public var ranks: Int
        public var schedule: String
        public var batch: Int
        public var gradients: Bool
        public var terms: Int
        public var subexperiments: Int
        public var workUnits: Int
        public var gamma: Double
        /// Medians over rounds, per query, in ms. `partition` is 0: it is a one-off (see oneOffMilliseconds).
        public var perQueryMilliseconds: Stages
        public var perQueryMillisecondsP95Total: Double
        public var reconstructionShareMedian: Double
        public var reconstructionShareP95: Double
        /// Once per run: partition (cut search at rank 0), plan_broadcast (the blueprint),
        /// plan_derive (the slowest rank), plan_agree (digest check), compile (the slowest rank
        /// compiling its units' circuits in the warm-up round).
        public var oneOffMilliseconds: [String: Double]
        public var value: Double
        /// The state-vector value (nil above 24 qubits: no state vector).
        public var uncutValue: Double?
        /// total(np 1) ÷ total(this np), and that ÷ np; nil without an np 1 row.
        public var speedup: Double?
        public var efficiency: Double?

        /// The JSON report keeps its snake_case names.
        enum CodingKeys: String, CodingKey {
            case circuit, n, layers, cuts, ranks, schedule, batch, gradients, terms, subexperiments,
                 workUnits = "work_units", gamma, perQueryMilliseconds = "per_query_ms",
                 perQueryMillisecondsP95Total = "per_query_ms_p95_total",
                 reconstructionShareMedian = "reconstruction_share_median",
                 reconstructionShareP95 = "reconstruction_share_p95", oneOffMilliseconds = "one_off_ms", value,
                 uncutValue = "uncut_value", speedup, efficiency
        }
    }

    /// The reference QNN family with n qubits, L layers and k cut boundary CNOTs, ⟨Z⟩ on the last
    /// qubit, cut between its halves.
    public static func family(qubits n: Int, layers: Int, cuts k: Int) -> (Circuit, Observable, CutSpecification) {
        let circuit = ReferenceQNN.circuit(qubits: n, layers: layers, crossingLayers: k)
        let cuts: CutSpecification = k == 0 ? .explicit(gateCuts: [], wireCuts: [])
            : .partition(labels: ReferenceQNN.halvesPartition(qubits: n))
        return (circuit, Observable.z(n - 1, qubitCount: n), cuts)
    }

    /// Collective. θ and each round's inputs are drawn from `seed`; returns the row on rank 0.
    public func measure(world: Communicator, circuit: Circuit, observable: Observable, cuts: CutSpecification,
                        file: String?, seed: UInt64, layers: Int) throws -> Row? {
        let n = circuit.qubitCount
        var rng = Xoshiro256(seed: seed)
        let theta = (0 ..< circuit.parameterCount).map { _ in rng.uniform() * 2 * .pi }
        let estimator = try DistributedEstimator(world: world, options: EstimatorOptions(policy: policy, stitching: stitching)) {
            try CutPlan(circuit: circuit, observable: observable, cuts: cuts)
        }
        guard world.isRoot else {
            try estimator.serve()
            return nil
        }
        var totals: [Double] = [], shares: [Double] = []
        var generate: [Double] = [], execute: [Double] = [], wait: [Double] = [], reconstruct: [Double] = []
        var lastValue = 0.0, lastInput: [Double] = []
        var compile = 0.0
        for round in 0 ... rounds {
            let inputs = (0 ..< batch).map { _ in (0 ..< circuit.inputCount).map { _ in rng.uniform() * .pi } }
            let result = try estimator.evaluate(theta: theta, inputs: inputs, gradients: gradients)
            if round == 0 { compile = result.ranks.map(\.compile).max() ?? 0 }
            guard round > 0 else { continue }  // round 0 warms up (and compiles)
            let s = result.stages.divided(by: batch)
            totals.append(s.total)
            generate.append(s.generate)
            execute.append(s.execute)
            wait.append(s.wait)
            reconstruct.append(s.reconstruct)
            shares.append(s.reconstruct / s.total)
            lastValue = result.estimate.values[0]
            lastInput = inputs[0]
        }
        try estimator.stop()
        let uncut = n <= 24 ? Simulator.evaluate(circuit, observable: observable, theta: theta, inputs: [lastInput],
                                                 gradients: false).values[0] : nil
        let plan = estimator.plan, setup = estimator.setup
        let ms = 1000.0
        return Row(
            circuit: file, n: n, layers: layers, cuts: plan.cuts.count, ranks: world.size, schedule: policy.rawValue,
            batch: batch, gradients: gradients, terms: plan.termCount, subexperiments: plan.uniqueSettingCount,
            workUnits: plan.workUnits.count, gamma: plan.planningGamma,
            perQueryMilliseconds: Stages(total: median(totals) * ms, partition: 0, generate: median(generate) * ms,
                                 execute: median(execute) * ms, wait: median(wait) * ms, reconstruct: median(reconstruct) * ms),
            perQueryMillisecondsP95Total: percentile(totals, 0.95) * ms,
            reconstructionShareMedian: median(shares), reconstructionShareP95: percentile(shares, 0.95),
            oneOffMilliseconds: ["partition": setup.planBuild * ms, "plan_broadcast": setup.planBroadcast * ms,
                         "plan_derive": setup.planDerive * ms, "plan_agree": setup.planAgree * ms, "compile": compile * ms],
            value: lastValue, uncutValue: uncut)
    }

    /// Speed-up and efficiency of every row against the np 1 row of the same configuration.
    public static func withSpeedups(_ rows: [Row]) -> [Row] {
        rows.map { row in
            var row = row
            let base = rows.first { $0.ranks == 1 && $0.circuit == row.circuit && $0.n == row.n && $0.cuts == row.cuts
                && $0.batch == row.batch && $0.gradients == row.gradients && $0.schedule == row.schedule }
            if let base, row.perQueryMilliseconds.total > 0 {
                let speedup = base.perQueryMilliseconds.total / row.perQueryMilliseconds.total
                row.speedup = speedup
                row.efficiency = speedup / Double(row.ranks)
            }
            return row
        }
    }
}
