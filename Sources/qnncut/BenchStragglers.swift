/// `qnncut bench stragglers`: batch time with one slowed rank under each scheduling policy,
/// against the same policy without the straggler and against the ideal that the remaining
/// capacity allows (total work ÷ summed rank speeds). Run it under mpirun with ≥ 2 ranks.
import ArgumentParser
import Circuits
import Cutting
import Estimator
import Foundation
import MPI
import Simulator

struct BenchStragglers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stragglers",
        abstract: "Batch time with one straggler under each policy, relative to no straggler and to the ideal.",
        discussion: "Example: mpirun -np 2 qnncut bench stragglers --factor 4")

    @Option(help: "Qubits of the QNN.")
    var qubits = 8
    @Option(help: "Layers of the QNN.")
    var layers = 4
    @Option(help: "Cut CNOTs (4: 1250 work units, enough grain for the dynamic policies).")
    var cuts = 4
    @Option(help: "Queries per batch (32: rounds of ~10 ms, long against scheduling noise).")
    var batch = 32
    @Option(help: "Timed rounds per configuration (median reported).")
    var rounds = 9
    @Option(help: "The straggler rank.")
    var stragglerRank = 1
    @Option(help: "Slowdown factor of the straggler.")
    var factor = 4.0
    @Option(help: "Policies to compare, comma-separated.")
    var policies = "static,cyclic,dynamic,speculative"
    @Flag(help: "Print one JSON object with a `rows` array.")
    var json = false

    struct Row: Codable {
        var policy: String
        var ranks: Int
        var factor: Double
        /// Median batch seconds without and with the straggler.
        var batch_s_no_straggler: Double
        var batch_s_straggler: Double
        /// Time with straggler ÷ time without (the paper reports ~1.15 for one delayed worker).
        var slowdown: Double
        /// Total work ÷ summed rank speeds; work = the busy seconds (delays excluded) of the run.
        var ideal_s: Double
        /// Time with straggler ÷ ideal (1 = perfect use of the remaining capacity).
        var vs_ideal: Double
        var backups: Int
        var cancelled: Int
    }
    struct Report: Codable { var rows: [Row] }

    func validate() throws {
        guard factor >= 1 else { throw ValidationError("--factor must be ≥ 1") }
        guard rounds >= 1, batch >= 1 else { throw ValidationError("--rounds and --batch must be ≥ 1") }
        for p in policies.split(separator: ",") where SchedulePolicy(rawValue: String(p)) == nil {
            throw ValidationError("--policies: unknown policy '\(p)'")
        }
    }

    func run() throws {
        MPIJob.run { world in
            guard world.size >= 2, stragglerRank < world.size else {
                throw AgreedFailure("bench stragglers needs at least 2 ranks and --straggler-rank < \(world.size) (run it under mpirun -np 2)")
            }
            let circuit = ReferenceQNN.circuit(qubits: qubits, layers: layers, crossingLayers: cuts)
            let observable = Observable.z(qubits - 1, qubitCount: qubits)
            var rng = Xoshiro256(seed: 11)
            let theta = (0 ..< circuit.parameterCount).map { _ in rng.uniform() * 2 * .pi }
            let inputs = (0 ..< batch).map { _ in (0 ..< qubits).map { _ in rng.uniform() * .pi } }
            let labels = String(repeating: "A", count: qubits / 2) + String(repeating: "B", count: qubits - qubits / 2)
            let spec: CutSpecification = cuts == 0 ? .explicit(gateCuts: [], wireCuts: []) : .partition(labels: labels)
            var rows: [Row] = []
            for name in policies.split(separator: ",") {
                let policy = SchedulePolicy(rawValue: String(name))!
                let slow = StragglerInjection(ranks: [stragglerRank], factor: factor)
                let plain = try measure(world, EstimatorOptions(policy: policy), circuit, observable, spec, theta, inputs)
                let slowed = try measure(world, EstimatorOptions(policy: policy, straggler: slow), circuit, observable, spec, theta, inputs)
                guard world.isRoot else { continue }
                // Speeds: 1 for every rank, 1/factor for the straggler.
                let capacity = Double(world.size - 1) + 1 / factor
                // Work = busy seconds of the straggler run itself (delays excluded): same round, same load.
                let ideal = slowed.work / capacity
                rows.append(Row(policy: policy.rawValue, ranks: world.size, factor: factor,
                                batch_s_no_straggler: plain.time, batch_s_straggler: slowed.time,
                                slowdown: slowed.time / plain.time, ideal_s: ideal, vs_ideal: slowed.time / ideal,
                                backups: slowed.backups, cancelled: slowed.cancelled))
            }
            guard world.isRoot else { return }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(Report(rows: rows)), as: UTF8.self))
            } else {
                print("policy       ranks  factor  batch s (none)  batch s (straggler)  with/without  ideal s  vs ideal  backups")
                for r in rows {
                    print(r.policy.padding(toLength: 13, withPad: " ", startingAt: 0) + String(format: "%-6d %-7.1f %14.4f %20.4f %13.3f %8.4f %9.3f %8d",
                                 r.ranks, r.factor, r.batch_s_no_straggler, r.batch_s_straggler,
                                 r.slowdown, r.ideal_s, r.vs_ideal, r.backups))
                }
                print("(medians over \(rounds) round(s); ideal = busy seconds of the run ÷ summed rank speeds)")
            }
        }
    }

    struct Measurement { var time: Double; var work: Double; var backups: Int; var cancelled: Int }

    func measure(_ world: Communicator, _ options: EstimatorOptions, _ circuit: Circuit, _ observable: Observable,
                 _ spec: CutSpecification, _ theta: [Double], _ inputs: [[Double]]) throws -> Measurement {
        let estimator = try DistributedEstimator(world: world, options: options) {
            try CutPlan(circuit: circuit, observable: observable, cuts: spec)
        }
        var times: [Double] = [], work: [Double] = []
        var backups = 0, cancelled = 0
        for round in 0 ... rounds {
            let result = try estimator.evaluate(theta: world.isRoot ? theta : nil, inputs: world.isRoot ? inputs : nil,
                                                gradients: false)
            guard let result, round > 0 else { continue }  // round 0 warms up
            times.append(result.stages.total)
            work.append(result.ranks.reduce(0) { $0 + $1.busy })
            backups += result.ranks.reduce(0) { $0 + $1.backups }
            cancelled += result.ranks.reduce(0) { $0 + $1.cancelled }
        }
        return Measurement(time: median(times), work: median(work), backups: backups, cancelled: cancelled)
    }
}
