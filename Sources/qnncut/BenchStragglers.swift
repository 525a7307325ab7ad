/// `qnncut bench stragglers`: batch time with one slowed rank under each scheduling policy,
/// against the same policy without the straggler and against the ideal that the remaining
/// capacity allows (total work ÷ summed rank speeds), the no-straggler batch time against its own
/// ideal (work ÷ ranks), the summed time of all timed rounds (what a training run of that many
/// steps would take: the paper's figure) and, with `--transient A-B`, a straggler that is slow
/// in timed rounds A…B only: every round's time against its ideal, so detection and recovery show.
/// Run it under mpirun with ≥ 2 ranks.
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
        usage: "qnncut bench stragglers [--factor <f>] [--transient <A-B>] [<options>]",
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
    var policies = "static,cyclic,dynamic,speculative,adaptive"
    @Option(help: ArgumentHelp("Slow the straggler in timed rounds A…B only (e.g. 5-10; at least B+5 rounds are timed).", valueName: "A-B"))
    var transient: String?
    @Flag(help: "Gradient rounds (forward + adjoint), as training steps run.")
    var gradients = false
    @Option(help: "Rank counts, comma-separated, each run under mpirun -np N (without mpirun; e.g. 2,4,8,16).")
    var ranks: String?
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
        /// Without the straggler: work ÷ ranks, and the batch time ÷ that.
        var ideal_s_no_straggler: Double
        var vs_ideal_no_straggler: Double
        /// Summed seconds of every timed round, without and with the straggler (a training run of
        /// that many steps), and their ratio.
        var total_s_no_straggler: Double
        var total_s_straggler: Double
        var training_slowdown: Double
        /// `--transient`: the straggler's timed rounds, and every timed round's time ÷ its ideal
        /// (the straggler's capacity inside the window, full capacity outside).
        var transient_rounds: [Int]?
        var per_round_vs_ideal: [Double]?
    }
    struct Report: Codable { var rows: [Row] }

    func validate() throws {
        guard factor >= 1 else { throw ValidationError("--factor must be ≥ 1") }
        guard rounds >= 1, batch >= 1 else { throw ValidationError("--rounds and --batch must be ≥ 1") }
        for p in policies.split(separator: ",") where SchedulePolicy(rawValue: String(p)) == nil {
            throw ValidationError("--policies: unknown policy '\(p)'")
        }
        if transient != nil && window == nil { throw ValidationError("--transient: expected A-B with 1 ≤ A ≤ B, e.g. 5-10") }
    }

    /// The `--transient` window in timed rounds.
    var window: ClosedRange<Int>? {
        guard let transient else { return nil }
        let parts = transient.split(separator: "-").map { Int($0) }
        guard parts.count == 2, let a = parts[0], let b = parts[1], a >= 1, a <= b, b <= 10_000 else { return nil }
        return a ... b
    }

    /// Timed rounds: at least five after a transient window.
    var timedRounds: Int { max(rounds, (window?.upperBound ?? 0) + 5) }

    func run() throws {
        if let ranks, !SelfLaunch.isUnderLauncher {
            // Parent: one mpirun per rank count, rows merged (the same binary and options).
            var arguments = Array(CommandLine.arguments.dropFirst())
            if let i = arguments.firstIndex(of: "--ranks") { arguments.removeSubrange(i ... i + 1) }
            arguments.removeAll { $0.hasPrefix("--ranks=") || $0 == "--json" }
            var rows: [Row] = []
            for text in ranks.split(separator: ",") {
                guard let r = Int(text.trimmingCharacters(in: .whitespaces)), (2...4096).contains(r) else {
                    throw ValidationError("--ranks: '\(text)' is not a rank count in 2…4096")
                }
                let output = try SelfLaunch.mpirun(ranks: r, arguments + ["--json"])
                let line = output.split(separator: "\n").last.map(String.init) ?? ""
                rows += try JSONDecoder().decode(Report.self, from: Data(line.utf8)).rows
            }
            try printReport(rows)
            return
        }
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
                // Estimator round 1 is the warm-up: timed round t is estimator round t + 1.
                let active = window.map { ($0.lowerBound + 1) ... ($0.upperBound + 1) } ?? 1 ... Int.max
                let slow = StragglerInjection(ranks: [stragglerRank], factor: factor, rounds: active)
                let plain = try measure(world, EstimatorOptions(policy: policy), circuit, observable, spec, theta, inputs)
                let slowed = try measure(world, EstimatorOptions(policy: policy, straggler: slow), circuit, observable, spec, theta, inputs)
                guard world.isRoot else { continue }
                // Speeds: 1 for every rank, 1/factor for the straggler.
                let capacity = Double(world.size - 1) + 1 / factor
                // Work = busy seconds of the straggler run itself (delays excluded): same round, same load.
                let ideal = slowed.work / capacity
                let idealPlain = plain.work / Double(world.size)
                var row = Row(policy: policy.rawValue, ranks: world.size, factor: factor,
                              batch_s_no_straggler: plain.time, batch_s_straggler: slowed.time,
                              slowdown: slowed.time / plain.time, ideal_s: ideal, vs_ideal: slowed.time / ideal,
                              backups: slowed.backups, cancelled: slowed.cancelled,
                              ideal_s_no_straggler: idealPlain, vs_ideal_no_straggler: plain.time / idealPlain,
                              total_s_no_straggler: plain.total, total_s_straggler: slowed.total,
                              training_slowdown: slowed.total / plain.total)
                if let window {
                    row.transient_rounds = Array(window)
                    row.per_round_vs_ideal = slowed.perRound.enumerated().map { k, round in
                        round.time / (round.work / (window.contains(k + 1) ? capacity : Double(world.size)))
                    }
                }
                rows.append(row)
            }
            guard world.isRoot else { return }
            try printReport(rows)
        }
    }

    func printReport(_ rows: [Row]) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(Report(rows: rows)), as: UTF8.self))
            return
        }
        func name(_ r: Row) -> String { r.policy.padding(toLength: 13, withPad: " ", startingAt: 0) }
        print("policy       ranks  factor  batch s (none)  batch s (straggler)  with/without  ideal s  vs ideal  backups")
        for r in rows {
            print(name(r) + String(format: "%-6d %-7.1f %14.4f %20.4f %13.3f %8.4f %9.3f %8d",
                                   r.ranks, r.factor, r.batch_s_no_straggler, r.batch_s_straggler,
                                   r.slowdown, r.ideal_s, r.vs_ideal, r.backups))
        }
        print("(medians over \(timedRounds) round(s); ideal = busy seconds of the run ÷ summed rank speeds)")
        print("policy       ranks  no straggler ÷ its ideal   training time with/without")
        for r in rows {
            print(name(r) + String(format: "%-6d %24.3f %28.3f", r.ranks, r.vs_ideal_no_straggler, r.training_slowdown))
        }
        if let window {
            print("transient straggler in timed rounds \(window.lowerBound)–\(window.upperBound): each round ÷ its ideal")
            for r in rows {
                print(name(r) + String(format: "%-6d ", r.ranks)
                      + (r.per_round_vs_ideal ?? []).map { String(format: "%5.2f", $0) }.joined(separator: " "))
            }
        }
    }

    struct Measurement {
        struct Round { var time: Double; var work: Double }
        var time: Double; var work: Double; var backups: Int; var cancelled: Int
        var total: Double
        var perRound: [Round]
    }

    func measure(_ world: Communicator, _ options: EstimatorOptions, _ circuit: Circuit, _ observable: Observable,
                 _ spec: CutSpecification, _ theta: [Double], _ inputs: [[Double]]) throws -> Measurement {
        let estimator = try DistributedEstimator(world: world, options: options) {
            try CutPlan(circuit: circuit, observable: observable, cuts: spec)
        }
        var times: [Double] = [], work: [Double] = []
        var backups = 0, cancelled = 0
        for round in 0 ... timedRounds {
            let result = try estimator.evaluate(theta: world.isRoot ? theta : nil, inputs: world.isRoot ? inputs : nil,
                                                gradients: gradients)
            guard let result, round > 0 else { continue }  // round 0 warms up
            times.append(result.stages.total)
            work.append(result.ranks.reduce(0) { $0 + $1.busy })
            backups += result.ranks.reduce(0) { $0 + $1.backups }
            cancelled += result.ranks.reduce(0) { $0 + $1.cancelled }
        }
        return Measurement(time: median(times), work: median(work), backups: backups, cancelled: cancelled,
                           total: times.reduce(0, +), perRound: zip(times, work).map { Measurement.Round(time: $0, work: $1) })
    }
}
