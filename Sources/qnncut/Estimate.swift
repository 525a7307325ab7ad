/// `qnncut estimate`: cut a circuit and estimate ⟨O⟩ with the distributed estimator.
///
/// Flow: rank 0 reads and checks every input (`EstimateInputs.load`) and shares it; rank 0 builds
/// one cut plan per observable and broadcasts it (`DistributedEstimator.init`); then one
/// collective round evaluates every query (`DistributedEstimator.evaluate`), and rank 0 prints.
import ArgumentParser
import Circuits
import Cutting
import Estimator
import Foundation
import HDF5
import MPI
import Simulator
import Support

struct Estimate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Estimate expectation values of a circuit, cut into fragments and distributed over MPI ranks.",
        discussion: """
            Examples:
              qnncut estimate circuit.qasm --observable "Z0 Z7" --uncut
              mpirun -np 4 qnncut estimate circuit.qasm --observable "Z7" \\
                  --max-fragment-qubits 4
              qnncut estimate circuit.qasm --observable "IIZZ" --partition AABB \\
                  --samples 1000 --shots 10000
              qnncut estimate qnn.qasm3 --observable-file obs.txt --theta=0.1,0.2 \\
                  --inputs X.csv --partition AB --gradients

            Trainable parameters take --theta, input features --x (one query) or --inputs FILE.csv (one query per line). In OpenQASM 2 they are written theta[i] and x[j]; in OpenQASM 3 (qiskit.qasm3.dumps) they are the input parameters: the vector x holds the inputs and the rest are θ in Qiskit's circuit.parameters order, unless --theta-names and --input-names say otherwise. Final measurements and barriers are dropped with a note. Write values that start with a minus as --theta=-0.5,1.

            Without a cut option the circuit runs as one uncut fragment (a warning says so); the mode used is printed on stderr, and in JSON as mode and cut_selection.
            """)

    @Argument(help: "OpenQASM 2 file, or OpenQASM 3 as qiskit.qasm3.dumps writes it.")
    var circuit: String

    @Option(name: .customLong("observable"), help: ArgumentHelp(
        "Observable: \"Z0 Z3\", a Qiskit label \"IIZ\", or a sum \"0.5*Z0 Z1 + 0.25*X2\". Repeatable.",
        valueName: "obs"))
    var observables: [String] = []

    @Option(name: .customLong("observable-file"), help: ArgumentHelp(
        "Observable from a file: one Qiskit SparsePauliOp term per line, 'LABEL COEFFICIENT' (e.g. 'IIZZ 0.5'). Repeatable.",
        valueName: "file"))
    var observableFiles: [String] = []

    @Option(help: ArgumentHelp("OpenQASM 3: parameters (vector or parameter names) that are trainable θ, in θ order (default: every parameter not an input, in Qiskit's circuit.parameters order).", valueName: "names"))
    var thetaNames: String?

    @Option(help: ArgumentHelp("OpenQASM 3: parameters that are input features x, in x order (default: x).", valueName: "names"))
    var inputNames: String?

    @Flag(help: "Simulate the whole circuit without cutting.")
    var uncut = false

    @Option(help: ArgumentHelp("Cut selection: 'auto' (needs --max-fragment-qubits).", valueName: "auto"))
    var cuts: String?

    @OptionGroup var cutOptions: CutSelectionOptions

    @Flag(help: "Exact enumeration of every QPD term (the default).")
    var exact = false

    @Option(help: "Sampled mode: QPD terms drawn per query (e.g. 1000 or 1e3).", transform: CountArgument.parse)
    var samples: Int?

    @Option(help: "Sampled mode: total shots per query over all sub-experiments (e.g. 1e6).", transform: CountArgument.parse)
    var shots: Int?

    @Option(help: "Seed of the sampled mode.")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Trainable parameters θ, comma-separated (default zeros).", valueName: "values"))
    var theta: String?

    @Option(help: ArgumentHelp("Input features x of a single query, comma-separated.", valueName: "values"))
    var x: String?

    @Option(help: ArgumentHelp("CSV file of input vectors, one query per line.", valueName: "file"))
    var inputs: String?

    @Flag(help: "Also compute ∂⟨O⟩/∂θ and ∂⟨O⟩/∂x through the cuts: adjoint in exact mode; with --samples/--shots by per-fragment parameter shift, every shifted circuit measured with its sub-experiment's shots (all QPD terms; with --executor the executor runs the shifted circuits).")
    var gradients = false

    @Option(help: ArgumentHelp("Write the four-stage trace of every query to this HDF5 file.", valueName: "file.h5"))
    var trace: String?

    @Flag(help: "Replace an existing trace file.")
    var overwrite = false

    @Option(help: ArgumentHelp("Memory the run may use on this node, e.g. 8G (default: physical memory).", valueName: "bytes"))
    var maxMemory: String?

    @Option(help: ArgumentHelp("Refuse plans whose queries sum more QPD terms than this, e.g. 1e8 (default: no limit; the contraction never enumerates terms).", valueName: "n"))
    var maxQpdTerms: String?

    @Option(help: ArgumentHelp("Amplitude updates a round may need, e.g. 1e15 (default 1e14, about a day of one core).", valueName: "n"))
    var maxWork: String?

    @OptionGroup var distribution: DistributionOptions

    @OptionGroup var execution: ExecutionOptions

    @Option(help: .hidden)
    var injectFailureRank: Int?

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    func validate() throws {
        if observables.isEmpty && observableFiles.isEmpty { throw ValidationError("give at least one --observable or --observable-file") }
        if (uncut ? 1 : 0) + cutOptions.givenCount + (cuts != nil && cutOptions.maxFragmentQubits == nil ? 1 : 0) > 1 {
            throw ValidationError("choose one of --uncut, --cuts auto --max-fragment-qubits N, --cut-gates, --partition")
        }
        if let cuts, cuts != "auto" { throw ValidationError("--cuts takes 'auto', got '\(cuts)'") }
        if cuts != nil && cutOptions.maxFragmentQubits == nil { throw ValidationError("--cuts auto needs --max-fragment-qubits N") }
        if samples != nil && shots == nil { throw ValidationError("--samples needs --shots") }
        if execution.executor != nil && shots == nil { throw ValidationError("--executor needs --shots (and optionally --samples)") }
        if exact && shots != nil { throw ValidationError("--exact and --samples/--shots exclude each other") }
        if let s = samples, s < 1 { throw ValidationError("--samples must be ≥ 1, got \(s)") }
        if let s = shots, s < 1 { throw ValidationError("--shots must be ≥ 1, got \(s)") }
        if x != nil && inputs != nil { throw ValidationError("give --x or --inputs, not both") }
        if uncut && (samples != nil || shots != nil) && !execution.isActive { throw ValidationError("--uncut is exact; drop --samples/--shots") }
        for (flag, value) in [("--max-qpd-terms", maxQpdTerms), ("--max-work", maxWork)] {
            if let value, Quantities.parseCount(value) == nil {
                throw ValidationError("\(flag): expected a whole number ≥ 1 such as 100000000 or 1e8, got '\(value.prefix(40))'")
            }
        }
        if let m = maxMemory, Quantities.parseBytes(m) == nil { throw ValidationError("--max-memory: expected bytes such as 8G or 512M, got '\(m)'") }
    }

    var specification: CutSpecification { cutOptions.specification }

    /// The option that chose the cuts, for error messages.
    var cutFlag: String { cutOptions.flag ?? "--uncut" }

    func run() throws {
        MPIJob.run { world in
            let job = try world.rootDecides { try EstimateInputs.load(self) }
            var traceWriter: TraceWriter?  // rank 0's alone
            let trace = try world.rootDecides { () throws -> Bool in
                guard let path = self.trace else { return false }
                // A device, FIFO, folder or symbolic link is never replaced, even with --overwrite.
                let exists: Bool
                do { exists = try InputFile.requireRegularOrAbsent(path, what: "trace file") } catch {
                    throw InputError(description: "--trace \(error)")
                }
                if !overwrite && exists {
                    throw InputError(description: "--trace \(path): the file exists; pass --overwrite to replace it")
                }
                traceWriter = try TraceWriter(path: path, overwrite: overwrite, attributes: runAttributes(world))
                return true
            }
            let limits = ResourceLimits(maxMemoryBytes: maxMemory.flatMap(Quantities.parseBytes), maxQPDTerms: maxQpdTerms.flatMap(Quantities.parseCount),
                                        maxWork: maxWork.flatMap(Quantities.parseCount))
            let ranksPerNode = ResourceGuard.ranksPerNode(worldSize: world.size)
            _ = try world.rootDecides { () throws -> Bool in
                // Refuse before anything is simulated: the whole circuit when uncut, else the
                // QPD terms the chosen cuts imply (the plan check below sees the fragments).
                let estimate = ResourceGuard.estimate(
                    width: uncut ? job.circuit.qubitCount : 0, cuts: uncut ? 0 : cutOptions.specifiedCutCount(job.circuit),
                    batch: job.inputs.count, gradients: gradients,
                    derivativeColumns: job.circuit.parameterCount + job.circuit.inputCount, ranksPerNode: ranksPerNode)
                try ResourceGuard.check(estimate, limits: limits, what: circuit)
                return true
            }
            // Shot mode: --shots per query, --samples QPD terms drawn (none: every term).
            let shotMode = shots.map { ShotMode(shots: $0, termSamples: samples ?? 0) }
            let method: GradientMethod = !gradients ? .none : shotMode == nil ? .adjoint : .parameterShiftWithInputs
            let sampling: Sampling = shotMode.map {
                .shots($0, seeds: job.inputs.indices.map { SamplingOptions.querySeed(seed, query: $0) })
            } ?? .exact
            var report = EstimateReport(ranks: world.size, schedule: distribution.schedule.rawValue)
            report.describe(job, mode: self)
            var estimatedBytes = 0.0
            // One executor per rank for the whole run (every observable's rounds).
            let executor = try execution.makeExecutor(rank: world.rank) { q in
                // The shots each unit gets: the allocation rank 0's ShotMode will assume.
                SamplingOptions.forQuery(q, samples: samples, shots: shots ?? 1, seed: seed)
            }
            defer { (executor as? ExternalExecutor)?.close() }
            for (index, observable) in job.observables.enumerated() {
                if uncut && executor == nil {
                    guard world.isRoot else { continue }
                    let t0 = MPI.wallTime()
                    let evaluation = Simulator.evaluate(job.circuit, observable: observable, theta: job.theta,
                                                        inputs: job.inputs, gradients: gradients)
                    report.addUncut(evaluation, circuit: job.circuit, seconds: MPI.wallTime() - t0)
                    continue
                }
                let estimator = try DistributedEstimator(world: world, options: distribution.estimatorOptions) {
                    let plan: CutPlan
                    do { plan = try CutPlan(circuit: job.circuit, observable: observable, cuts: specification) } catch let error as CuttingError {
                        // Name the flag the user typed, not the Swift initializer.
                        throw InputError(description: "\(cutFlag): \(ErrorFormat.reason(of: error))")
                    }
                    let estimate = ResourceGuard.estimate(plan: plan, batch: job.inputs.count, gradients: gradients,
                                                          ranksPerNode: ranksPerNode, repeatsRounds: false)
                    estimatedBytes = max(estimatedBytes, estimate.perRankBytes)
                    try ResourceGuard.check(estimate, limits: limits, what: circuit)
                    if executor is NoisySimulatorExecutor { try NoisySimulatorExecutor.check(plan) }
                    return plan
                }
                estimator.executor = executor
                if index > 0, let failing = injectFailureRank, failing == world.rank {
                    // Test instrument: a rank dying mid-run (in the second observable's round).
                    Log.error("rank \(world.rank): injected failure")
                    MPI.abort(exitCode: 3)
                }
                guard world.isRoot else {
                    try estimator.serve()
                    continue
                }
                let batch = try estimator.evaluate(theta: job.theta, inputs: job.inputs, method: method, sampling: sampling)
                try estimator.stop()
                if trace {
                    try traceWriter?.recordPlan(index, estimator: estimator, label: job.observableTexts[index])
                    try traceWriter?.record(batch, step: 0, observable: index)
                }
                report.add(batch, estimator: estimator)
            }
            try traceWriter?.close()
            report.memory = EstimateReport.Memory(estimated_bytes_per_rank: Int(estimatedBytes),
                                                  peak_resident_bytes: ResourceGuard.peakResidentBytes())
            if world.isRoot {
                // Said once the run has succeeded, so a refusal stays the only line on stderr.
                if !json {
                    for note in job.notes { Log.info("note: \(note)") }
                    Log.info("mode: \(modeDescription)")
                }
                if cutSelection == "none" {
                    Log.warning("no cut option given: the circuit ran as one uncut fragment; pass --max-fragment-qubits N, --cut-gates i,j or --partition LABELS to cut it (or --uncut to say so)")
                }
                try report.print(json: json)
            }
        }
    }
}


/// Run facts stored as attributes of every trace file.
func runAttributes(_ world: Communicator) -> [String: String] {
    [
        "qnncut_version": QNNCut.version,
        "command": CommandLine.arguments.joined(separator: " "),
        "mpi_library": (try? MPI.libraryVersion()) ?? "unknown",
        "hdf5_version": (try? HDF5.Library.versionString()) ?? "unknown",
        "world_size": "\(world.size)",
    ]
}
