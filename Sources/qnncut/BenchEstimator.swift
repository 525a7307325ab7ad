/// `qnncut bench estimator`: per-query milliseconds per stage of the distributed estimator on the
/// reference QNN family (n qubits, L layers, k cut CNOTs, exact, ⟨Z⟩ on the last qubit) or on a
/// circuit file (`--circuit`), the reconstruction share (median, p95 over rounds), the one-off
/// setup costs and the unique sub-experiments — at each requested rank count (the command
/// re-launches itself under mpirun for each), with speed-up and efficiency against np 1.
import ArgumentParser
import Circuits
import Cutting
import Estimator
import Foundation
import MPI
import Simulator
import Support

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
    @Option(help: "Scheduling policy.")
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

    struct Stages: Codable {
        var total: Double
        var partition: Double
        var generate: Double
        var execute: Double
        /// Waiting for the slowest rank.
        var wait: Double
        var reconstruct: Double
    }
    struct Row: Codable {
        /// The circuit file, or nil for the QNN family.
        var circuit: String?
        var n: Int
        var layers: Int
        var cuts: Int
        var ranks: Int
        var schedule: String
        var batch: Int
        var gradients: Bool
        var terms: Int
        var subexperiments: Int
        var work_units: Int
        var gamma: Double
        /// Medians over rounds, per query, in ms. `partition` is 0: it is a one-off (see one_off_ms).
        var per_query_ms: Stages
        var per_query_ms_p95_total: Double
        var reconstruction_share_median: Double
        var reconstruction_share_p95: Double
        /// Once per run: partition (cut search at rank 0), plan_broadcast (the blueprint),
        /// plan_derive (the slowest rank), plan_agree (digest check), compile (the slowest rank
        /// compiling its units' circuits in the warm-up round).
        var one_off_ms: [String: Double]
        var value: Double
        /// The state-vector value (nil above 24 qubits: no state vector).
        var uncut_value: Double?
        /// total(np 1) ÷ total(this np), and that ÷ np; nil without an np 1 row.
        var speedup: Double?
        var efficiency: Double?
    }
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
            try printReport(Report(rows: Self.withSpeedups(rows)))
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

    func measure(world: Communicator, n: Int, k: Int) throws -> Row? {
        let circuit = ReferenceQNN.circuit(qubits: n, layers: layers, crossingLayers: k)
        let observable = Observable.z(n - 1, qubitCount: n)
        let labels = ReferenceQNN.halvesPartition(qubits: n)
        let cuts: CutSpecification = k == 0 ? .explicit(gateCuts: [], wireCuts: []) : .partition(labels: labels)
        return try measure(world: world, circuit: circuit, observable: observable, cuts: cuts, file: nil,
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
        return try measure(world: world, circuit: circuit, observable: parsed, cuts: cuts, file: path, seed: seed, layers: 0)
    }

    func measure(world: Communicator, circuit: Circuit, observable: Observable, cuts: CutSpecification,
                 file: String?, seed: UInt64, layers: Int) throws -> Row? {
        let n = circuit.qubitCount
        var rng = Xoshiro256(seed: seed)
        let theta = (0 ..< circuit.parameterCount).map { _ in rng.uniform() * 2 * .pi }
        let options = EstimatorOptions(policy: schedule, stitching: stitching)
        let estimator = try DistributedEstimator(world: world, options: options) {
            try CutPlan(circuit: circuit, observable: observable, cuts: cuts)
        }
        var totals: [Double] = [], shares: [Double] = []
        var generate: [Double] = [], execute: [Double] = [], wait: [Double] = [], reconstruct: [Double] = []
        var lastValue = 0.0, lastInput: [Double] = []
        var compile = 0.0
        for round in 0 ... rounds {
            let inputs = (0 ..< batch).map { _ in (0 ..< circuit.inputCount).map { _ in rng.uniform() * .pi } }
            let result = try estimator.evaluate(theta: world.isRoot ? theta : nil, inputs: world.isRoot ? inputs : nil,
                                                gradients: gradients)
            if let result, round == 0 { compile = result.ranks.map(\.compile).max() ?? 0 }
            guard let result, round > 0 else { continue }  // round 0 warms up (and compiles)
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
        guard world.isRoot else { return nil }
        let uncut = n <= 24 ? Simulator.evaluate(circuit, observable: observable, theta: theta, inputs: [lastInput],
                                                 gradients: false).values[0] : nil
        let plan = estimator.plan
        let ms = 1000.0
        let setup = estimator.setup
        return Row(
            circuit: file, n: n, layers: layers, cuts: plan.cuts.count, ranks: world.size, schedule: schedule.rawValue,
            batch: batch, gradients: gradients, terms: plan.termCount, subexperiments: plan.uniqueSettingCount,
            work_units: plan.workUnits.count, gamma: plan.planningGamma,
            per_query_ms: Stages(total: median(totals) * ms, partition: 0, generate: median(generate) * ms,
                                 execute: median(execute) * ms, wait: median(wait) * ms, reconstruct: median(reconstruct) * ms),
            per_query_ms_p95_total: percentile(totals, 0.95) * ms,
            reconstruction_share_median: median(shares), reconstruction_share_p95: percentile(shares, 0.95),
            one_off_ms: ["partition": setup.planBuild * ms, "plan_broadcast": setup.planBroadcast * ms,
                         "plan_derive": setup.planDerive * ms, "plan_agree": setup.planAgree * ms, "compile": compile * ms],
            value: lastValue, uncut_value: uncut)
    }

    /// Speed-up and efficiency of every row against the np 1 row of the same configuration.
    static func withSpeedups(_ rows: [Row]) -> [Row] {
        rows.map { row in
            var row = row
            let base = rows.first { $0.ranks == 1 && $0.circuit == row.circuit && $0.n == row.n && $0.cuts == row.cuts
                && $0.batch == row.batch && $0.gradients == row.gradients }
            if let base, row.per_query_ms.total > 0 {
                row.speedup = base.per_query_ms.total / row.per_query_ms.total
                row.efficiency = row.speedup! / Double(row.ranks)
            }
            return row
        }
    }

    func printReport(_ report: Report) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("n   L  k  ranks  units    total ms  generate  execute     wait  reconstruct  recon% (median/p95)  speed-up  |E - uncut|")
        for r in report.rows {
            let error = r.uncut_value.map { String(format: "%.1e", abs(r.value - $0)) } ?? "–"
            let speedup = r.speedup.map { String(format: "%.2f×", $0) } ?? "–"
            print(String(format: "%-3d %-2d %-2d %-6d %-7d %9.4f %9.4f %8.4f %8.4f %12.4f   %5.1f / %5.1f  ",
                         r.n, r.layers, r.cuts, r.ranks, r.work_units, r.per_query_ms.total,
                         r.per_query_ms.generate, r.per_query_ms.execute, r.per_query_ms.wait, r.per_query_ms.reconstruct,
                         100 * r.reconstruction_share_median, 100 * r.reconstruction_share_p95)
                  + String(repeating: " ", count: max(0, 9 - speedup.count)) + speedup + "  " + error)
        }
        print("(per query, medians over rounds; wait = waiting for the slowest rank; setup costs are one-offs: see --json one_off_ms)")
    }
}

func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

/// Nearest-rank percentile (0 for an empty list).
func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
