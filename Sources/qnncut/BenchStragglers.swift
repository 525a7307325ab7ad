/// `qnncut bench stragglers`: options, the relaunch per rank count and the output of
/// `StragglerBenchmark` (Benchmarks module) — batch time with one slowed rank under each
/// scheduling policy against the same policy without it and against the capacity ideal, and with
/// `--transient A-B` a straggler slow in timed rounds A…B only. Run it under mpirun with ≥ 2 ranks.
import ArgumentParser
import Benchmarks
import Estimator
import Foundation
import MPI

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
    @Option(help: ArgumentHelp("Slow the straggler in each timed round with probability P instead (a straggler that comes and goes at random; at least 30 rounds are timed).", valueName: "P"))
    var randomRounds: Double?
    @Flag(help: "Gradient rounds (forward + adjoint), as training steps run.")
    var gradients = false
    @Option(help: "Rank counts, comma-separated, each run under mpirun -np N (without mpirun; e.g. 2,4,8,16).")
    var ranks: String?
    @Flag(help: "Print one JSON object with a `rows` array.")
    var json = false

    typealias Row = StragglerBenchmark.Row
    struct Report: Codable { var rows: [Row] }

    func validate() throws {
        guard factor >= 1 else { throw ValidationError("--factor must be ≥ 1") }
        guard rounds >= 1, batch >= 1 else { throw ValidationError("--rounds and --batch must be ≥ 1") }
        for p in policies.split(separator: ",") where SchedulePolicy(rawValue: String(p)) == nil {
            throw ValidationError("--policies: unknown policy '\(p)'")
        }
        if transient != nil && window == nil { throw ValidationError("--transient: expected A-B with 1 ≤ A ≤ B, e.g. 5-10") }
        if let p = randomRounds, !(p > 0 && p < 1) { throw ValidationError("--random-rounds: expected a probability strictly between 0 and 1, e.g. 0.3") }
        if randomRounds != nil && transient != nil { throw ValidationError("--random-rounds and --transient exclude each other") }
    }

    /// The `--transient` window in timed rounds.
    var window: ClosedRange<Int>? {
        guard let transient else { return nil }
        let parts = transient.split(separator: "-").map { Int($0) }
        guard parts.count == 2, let a = parts[0], let b = parts[1], a >= 1, a <= b, b <= 10_000 else { return nil }
        return a ... b
    }

    /// Timed rounds: at least five after a transient window, at least 30 with random rounds.
    var timedRounds: Int { max(rounds, (window?.upperBound ?? 0) + 5, randomRounds == nil ? 0 : 30) }

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
            let benchmark = StragglerBenchmark(qubits: qubits, layers: layers, cuts: cuts, batch: batch, rounds: timedRounds,
                                               stragglerRank: stragglerRank, factor: factor, window: window,
                                               gradients: gradients, roundProbability: randomRounds)
            // validate() has checked every name.
            let rows = try benchmark.run(world: world, policies: policies.split(separator: ",").compactMap { SchedulePolicy(rawValue: String($0)) })
            guard world.isRoot else { return }
            try printReport(rows)
        }
    }

    func printReport(_ rows: [Row]) throws {
        if json {
            try JSONOutput.print(Report(rows: rows))
            return
        }
        func name(_ r: Row) -> String { r.policy.padding(toLength: 13, withPad: " ", startingAt: 0) }
        print("policy       ranks  factor  batch s (none)  batch s (straggler)  with/without  ideal s  vs ideal  backups")
        for r in rows {
            print(name(r) + String(format: "%-6d %-7.1f %14.4f %20.4f %13.3f %8.4f %9.3f %8d",
                                   r.ranks, r.factor, r.batchSecondsNoStraggler, r.batchSecondsStraggler,
                                   r.slowdown, r.idealSeconds, r.vsIdeal, r.backups))
        }
        let cores = Set(rows.map(\.cores)).sorted().map(String.init).joined(separator: "/")
        print("(medians over \(timedRounds) round(s); ideal = one rank's seconds for the round alone ÷ summed rank speeds, capped at the \(cores) core(s) the ranks may use)")
        print("policy       ranks  no straggler ÷ its ideal   training time with/without")
        for r in rows {
            print(name(r) + String(format: "%-6d %24.3f %28.3f", r.ranks, r.vsIdealNoStraggler, r.trainingSlowdown))
        }
        print("rank 0's stages, ms (median): generate / execute / wait / reconstruct, without | with the straggler")
        for r in rows {
            func ms(_ s: StageTimes?) -> String {
                guard let s else { return "–" }
                return String(format: "%.2f / %.2f / %.2f / %.2f", s.generate * 1e3, s.execute * 1e3, s.wait * 1e3,
                              s.reconstruct * 1e3)
            }
            print(name(r) + String(format: "%-6d ", r.ranks) + ms(r.stagesNoStraggler) + "  |  " + ms(r.stagesStraggler))
        }
        for r in rows where (r.workSecondsMeasured?.count ?? 0) == 2 && r.policy == rows.first { $0.ranks == r.ranks }?.policy {
            let (before, after) = (r.workSecondsMeasured![0], r.workSecondsMeasured![1])
            print(String(format: "np %d: reference work %.2f ms before, %.2f ms after the policies (the smaller is used)",
                         r.ranks, before * 1e3, after * 1e3))
            if max(before, after) > 1.1 * min(before, after) {
                print("  warning: they differ by more than 10 %: something else used the machine; rerun for figures to quote")
            }
        }
        if randomRounds != nil, let slow = rows.first?.transientRounds {
            print("straggler slow at random, in timed rounds " + slow.map(String.init).joined(separator: ",")
                  + "; median ÷ ideal of slow rounds / rounds right after one / the others")
            for r in rows {
                let c = StragglerBenchmark.roundClasses(perRound: r.perRoundVsIdeal ?? [], slow: slow)
                func f(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "–" }
                print(name(r) + String(format: "%-6d ", r.ranks) + "\(f(c.slow)) / \(f(c.after)) / \(f(c.steady))")
            }
        }
        if window != nil || randomRounds != nil {
            print("each round ÷ its ideal")
            for r in rows {
                print(name(r) + String(format: "%-6d ", r.ranks)
                      + (r.perRoundVsIdeal ?? []).map { String(format: "%5.2f", $0) }.joined(separator: " "))
            }
            print("the straggler rank's share of each round's units")
            for r in rows {
                print(name(r) + String(format: "%-6d ", r.ranks)
                      + (r.perRoundStragglerShare ?? []).map { String(format: "%5.2f", $0) }.joined(separator: " "))
            }
        }
    }
}
