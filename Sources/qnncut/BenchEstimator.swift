/// `qnncut bench estimator`: options, the relaunch per rank count and the output of
/// `EstimatorBenchmark` (Benchmarks module) — per-query milliseconds per stage of the distributed
/// estimator on the reference QNN family (n qubits, L layers, k cut CNOTs, exact, ⟨Z⟩ on the last
/// qubit) or on a circuit file (`--circuit`), at each requested rank count (the command
/// re-launches itself under mpirun for each), with speed-up and efficiency against np 1.
import ArgumentParser
import Benchmarks
import Circuits
import Cutting
import Estimator
import Foundation
import MPI

struct BenchEstimator: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimator",
        abstract: "Per-query stage times and reconstruction share on the reference QNN family.")

    @Option(help: "Qubit counts, comma-separated.")
    var qubits = "8"
    @Option(help: "Layers of the QNN.")
    var layers = 4
    @Option(help: "Cut counts k, comma-separated.")
    var cuts = "0,1,2,3,4"
    @Option(help: "Rank counts, comma-separated, each run under mpirun -np N (default 1,2; under mpirun: this world).")
    var ranks: String?
    @Option(help: "Queries per round (one input vector each).")
    var batch = 1
    @Option(help: "Timed rounds per configuration (after one warm-up round).")
    var rounds = 20
    @Flag(help: "Also compute gradients (forward + adjoint).")
    var gradients = false
    @Option(help: "Scheduling policy (static by default here, unlike estimate and train: the recorded figures of docs/performance.md use it).")
    var schedule: SchedulePolicy = .static
    @Option(help: ArgumentHelp("Reconstruct stage: automatic (measure both, keep the faster), partialSums (reduce to sample owners, local contraction, block reduce) or fullTable (the whole table to rank 0).", valueName: "mode"))
    var stitching: Stitching = .automatic
    @Option(help: ArgumentHelp("An OpenQASM 2 circuit to measure instead of the QNN family (its θ and inputs are drawn at random).", valueName: "file.qasm"))
    var circuit: String?
    @Option(help: "With --circuit: the observable (default Z on the last qubit).")
    var observable: String?
    @Option(help: "With --circuit: partition labels, one character per qubit (e.g. AAABBB).")
    var partition: String?
    @Option(help: "With --circuit: find cuts automatically under this fragment width.")
    var maxFragmentQubits: Int?
    @Option(help: "Seed of θ and the inputs.")
    var seed: UInt64 = 7
    @Flag(help: "Print one JSON object with a `rows` array.")
    var json = false

    typealias Row = EstimatorBenchmark.Row
    struct Report: Codable { var rows: [Row] }

    func validate() throws {
        guard rounds >= 1, batch >= 1, layers >= 1 else { throw ValidationError("--rounds, --batch and --layers must be ≥ 1") }
        if circuit == nil && (observable != nil || partition != nil || maxFragmentQubits != nil) {
            throw ValidationError("--observable, --partition and --max-fragment-qubits need --circuit")
        }
        if circuit != nil && partition != nil && maxFragmentQubits != nil {
            throw ValidationError("give --partition or --max-fragment-qubits, not both")
        }
        // The family's fragments hold n/2 qubits and the uncut check runs up to 24: 2…40 keeps a
        // batch of fragment states within a few GB.
        if circuit == nil, let bad = try numbers(qubits, "--qubits").first(where: { !(2...40).contains($0) }) {
            throw ValidationError("--qubits: \(bad) is outside 2…40")
        }
        _ = try numbers(cuts, "--cuts")
        if let ranks, let bad = try numbers(ranks, "--ranks").first(where: { !(1...4096).contains($0) }) {
            throw ValidationError("--ranks: \(bad) is outside 1…4096")
        }
    }

    func numbers(_ text: String, _ option: String) throws -> [Int] {
        try text.split(separator: ",").map {
            guard let v = Int($0.trimmingCharacters(in: .whitespaces)), v >= 0 else {
                throw ValidationError("\(option): '\($0)' is not a non-negative integer")
            }
            return v
        }
    }

    func run() throws {
        if !SelfLaunch.isUnderLauncher {
            let ranks = self.ranks ?? "1,2"
            // Parent: one mpirun per rank count, rows merged.
            var rows: [Row] = []
            var arguments = Array(CommandLine.arguments.dropFirst())
            if let i = arguments.firstIndex(of: "--ranks") { arguments.removeSubrange(i ... i + 1) }
            arguments.removeAll { $0.hasPrefix("--ranks=") }
            arguments.removeAll { $0 == "--json" }
            for r in try numbers(ranks, "--ranks") {
                let output = try SelfLaunch.mpirun(ranks: r, arguments + ["--json"])
                let line = output.split(separator: "\n").last.map(String.init) ?? ""
                rows += try JSONDecoder().decode(Report.self, from: Data(line.utf8)).rows
            }
            try printReport(Report(rows: EstimatorBenchmark.withSpeedups(rows)))
            return
        }
        MPIJob.run { world in
            var rows: [Row] = []
            if let path = circuit {
                if let row = try measureFile(world: world, path: path) { rows.append(row) }
                if world.isRoot { try printReport(Report(rows: rows)) }
                return
            }
            for n in try numbers(qubits, "--qubits") {
                for k in try numbers(cuts, "--cuts") where k <= layers {
                    if let row = try measure(world: world, n: n, k: k) { rows.append(row) }
                }
            }
            if world.isRoot { try printReport(Report(rows: rows)) }
        }
    }

    var benchmark: EstimatorBenchmark {
        EstimatorBenchmark(rounds: rounds, batch: batch, gradients: gradients, policy: schedule, stitching: stitching)
    }

    func measure(world: Communicator, n: Int, k: Int) throws -> Row? {
        let (circuit, observable, cuts) = EstimatorBenchmark.family(qubits: n, layers: layers, cuts: k)
        return try benchmark.measure(world: world, circuit: circuit, observable: observable, cuts: cuts, file: nil,
                                     seed: seed &+ UInt64(n * 100 + k), layers: layers)
    }

    /// `--circuit`: rank 0 reads the file (errors reach every rank), every rank measures.
    func measureFile(world: Communicator, path: String) throws -> Row? {
        let circuit = try world.rootDecides { try QASM.parse(contentsOf: path) }
        let text = observable ?? "Z\(circuit.qubitCount - 1)"
        let parsed = try world.rootDecides { () throws -> Observable in
            do { return try Observable.parse(text, qubitCount: circuit.qubitCount) } catch {
                throw InputError(description: "--observable \"\(text.prefix(60))\": \(error)")
            }
        }
        let cuts: CutSpecification = partition.map { .partition(labels: $0) }
            ?? maxFragmentQubits.map { .automatic(maxFragmentQubits: $0) } ?? .explicit(gateCuts: [], wireCuts: [])
        return try benchmark.measure(world: world, circuit: circuit, observable: parsed, cuts: cuts, file: path, seed: seed,
                                     layers: 0)
    }

    func printReport(_ report: Report) throws {
        if json {
            try JSONOutput.print(report)
            return
        }
        print("n   L  k  ranks  units    total ms  generate  execute     wait  reconstruct  recon% (median/p95)  speed-up  |E - uncut|")
        for r in report.rows {
            let error = r.uncutValue.map { String(format: "%.1e", abs(r.value - $0)) } ?? "–"
            let speedup = r.speedup.map { String(format: "%.2f×", $0) } ?? "–"
            print(String(format: "%-3d %-2d %-2d %-6d %-7d %9.4f %9.4f %8.4f %8.4f %12.4f   %5.1f / %5.1f  ",
                         r.n, r.layers, r.cuts, r.ranks, r.workUnits, r.perQueryMilliseconds.total,
                         r.perQueryMilliseconds.generate, r.perQueryMilliseconds.execute, r.perQueryMilliseconds.wait, r.perQueryMilliseconds.reconstruct,
                         100 * r.reconstructionShareMedian, 100 * r.reconstructionShareP95)
                  + String(repeating: " ", count: max(0, 9 - speedup.count)) + speedup + "  " + error)
        }
        print("(per query, medians over rounds; wait = waiting for the slowest rank; setup costs are one-offs: see --json one_off_ms)")
    }
}
