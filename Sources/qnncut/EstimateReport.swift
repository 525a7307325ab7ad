/// What `qnncut estimate` prints: values (and standard errors) per observable, the cut facts of
/// the plan, and seconds per stage — as text or as one JSON object whose keys are stable:
/// `values`, `stderrs`, `cuts`, `fragment_qubits`, `gamma`, `terms`, `subexperiments`, `stages`;
/// `mode`, `cut_selection`; with several queries `batch_values`; with `--gradients` `gradients`
/// (first query) and `batch_gradients` (every query); for OpenQASM 3 `theta_names`,
/// `input_names`; `notes` (dropped barriers and measurements).
import Circuits
import Cutting
import Estimator
import Foundation
import Simulator

struct EstimateReport: Encodable {
    struct CutEntry: Encodable {
        var location: String
        var basis: String
    }
    struct Stages: Encodable {
        var partition = 0.0
        var generate = 0.0
        var execute = 0.0
        /// Waiting for the slowest rank: never counted as execute or reconstruct.
        var wait = 0.0
        var reconstruct = 0.0
    }
    /// One-off seconds besides `partition` (summed over the observables' plans).
    struct Setup: Encodable {
        var plan_broadcast = 0.0
        /// The slowest rank deriving its plan from the broadcast blueprint.
        var plan_derive = 0.0
        var plan_agree = 0.0
        var blueprint_bytes = 0
        /// Rank 0 compiling the circuits of its units (first use).
        var compile = 0.0
    }
    /// Rank 0's memory: the guard's estimate per rank (0 when uncut) and what it really used.
    struct Memory: Encodable {
        var estimated_bytes_per_rank: Int
        var peak_resident_bytes: Int
    }
    struct Gradient: Encodable {
        var theta: [Double]
        var x: [Double]
    }

    /// Value of each observable for the first query.
    var values: [Double] = []
    var stderrs: [Double] = []
    var cuts: [CutEntry] = []
    var fragment_qubits: [Int] = []
    var gamma = 1.0
    var terms = 1
    var subexperiments = 1
    /// Seconds per query (partition: one-off seconds of building the plans).
    var stages = Stages()
    var setup = Setup()
    var memory: Memory?
    var ranks: Int
    var schedule: String
    var queries = 0
    /// [query][observable] when there is more than one query.
    var batch_values: [[Double]]?
    /// Per observable, for the first query, with --gradients.
    var gradients: [Gradient]?
    /// [query][observable] with --gradients when there is more than one query.
    var batch_gradients: [[Gradient]]?
    /// "exact" or "sampled", and how the cuts were chosen ("uncut", "none", "automatic",
    /// "gates", "partition"): a run without a cut option says so.
    var mode = "exact"
    var cut_selection = "none"
    /// OpenQASM 3 circuits: the Qiskit parameter names in θ and x order.
    var theta_names: [String]?
    var input_names: [String]?
    /// Statements the reader dropped (barriers, final measurements).
    var notes: [String]?
    /// Sampled mode with --gradients: shots the first query's parameter-shift gradient spent
    /// (its sub-experiments and their shifted circuits), for the last observable.
    var gradient_shots: Int?

    init(ranks: Int, schedule: String) {
        self.ranks = ranks
        self.schedule = schedule
    }

    mutating func describe(_ job: EstimateInputs, mode command: Estimate) {
        mode = command.estimationMode
        cut_selection = command.cutSelection
        theta_names = job.thetaNames
        input_names = job.inputNames
        notes = job.notes.isEmpty ? nil : job.notes
    }

    mutating func add(_ batch: BatchResult, estimator: DistributedEstimator) {
        let values = batch.estimate.values
        let plan = estimator.plan
        if self.values.isEmpty {
            cuts = plan.cuts.map { CutEntry(location: $0.location.text, basis: $0.basis.name) }
            fragment_qubits = plan.fragments.map(\.width)
            gamma = plan.planningGamma
            terms = plan.termCount
            subexperiments = plan.uniqueSettingCount
        }
        let perQuery = batch.stages.divided(by: values.count)
        stages.partition += estimator.setup.planBuild
        stages.generate += perQuery.generate
        stages.execute += perQuery.execute
        stages.wait += perQuery.wait
        stages.reconstruct += perQuery.reconstruct
        setup.plan_broadcast += estimator.setup.planBroadcast
        setup.plan_derive += estimator.setup.planDerive
        setup.plan_agree += estimator.setup.planAgree
        setup.blueprint_bytes += estimator.setup.blueprintBytes
        setup.compile += estimator.compileSeconds
        append(values: values, stderrs: batch.standardErrors,
               theta: batch.estimate.thetaGradients, x: batch.estimate.inputGradients)
        if !batch.estimate.thetaGradients.isEmpty, let spent = batch.sampling?.gradientShots.first { gradient_shots = spent }
    }

    mutating func addUncut(_ evaluation: Evaluation, circuit: Circuit, seconds: Double) {
        if values.isEmpty { fragment_qubits = [circuit.qubitCount] }
        stages.execute += seconds / Double(max(1, evaluation.values.count))
        append(values: evaluation.values, stderrs: Array(repeating: 0, count: evaluation.values.count),
               theta: evaluation.thetaGradients, x: evaluation.inputGradients)
    }

    private mutating func append(values queryValues: [Double], stderrs queryErrors: [Double], theta: [[Double]], x: [[Double]]) {
        queries = queryValues.count
        values.append(queryValues[0])
        stderrs.append(queryErrors[0])
        if queryValues.count > 1 {
            var table = batch_values ?? Array(repeating: [], count: queryValues.count)
            for q in queryValues.indices { table[q].append(queryValues[q]) }
            batch_values = table
        }
        guard !theta.isEmpty else { return }
        let perQuery = theta.indices.map { Gradient(theta: theta[$0], x: $0 < x.count ? x[$0] : []) }
        gradients = (gradients ?? []) + [perQuery[0]]
        if perQuery.count > 1 {
            var table = batch_gradients ?? Array(repeating: [], count: perQuery.count)
            for q in perQuery.indices { table[q].append(perQuery[q]) }
            batch_gradients = table
        }
    }

    func print(json: Bool) throws {
        if json {
            try JSONOutput.print(self)
            return
        }
        for (i, value) in values.enumerated() {
            let error = stderrs[i] > 0 ? String(format: " ± %.3g", stderrs[i]) : ""
            Swift.print(String(format: "value[%d] = %.15g", i, value) + error)
        }
        if let batch_values {
            for (q, row) in batch_values.enumerated().dropFirst() {
                Swift.print("query \(q): " + row.enumerated().map { String(format: "value[%d] = %.15g", $0.offset, $0.element) }.joined(separator: ", "))
            }
            Swift.print("(\(batch_values.count) queries; query 0 above)")
        }
        printGradients()
        Swift.print("cuts: \(cuts.isEmpty ? "none" : cuts.map { "\($0.location) (\($0.basis))" }.joined(separator: ", "))")
        Swift.print("fragment qubits: \(fragment_qubits.map(String.init).joined(separator: ", "))")
        Swift.print(String(format: "gamma: %.6g (sampling overhead %.6g)", gamma, gamma * gamma))
        Swift.print("QPD terms: \(terms), unique sub-experiments: \(subexperiments)")
        Swift.print(String(format: "seconds: partition %.3g (one-off), per query: generate %.3g, execute %.3g, wait %.3g, reconstruct %.3g",
                           stages.partition, stages.generate, stages.execute, stages.wait, stages.reconstruct))
        Swift.print(String(format: "setup seconds: plan broadcast %.3g (%d bytes), plan derive %.3g (slowest rank), plan agree %.3g, compile %.3g (rank 0)",
                           setup.plan_broadcast, setup.blueprint_bytes, setup.plan_derive, setup.plan_agree, setup.compile))
        Swift.print("ranks: \(ranks), schedule: \(schedule)")
    }
}

extension EstimateReport {
    /// `gradient[query][observable] dθ = [...] dx = [...]`, every query; with the Qiskit
    /// parameter names once, when the circuit is OpenQASM 3.
    func printGradients() {
        guard let gradients else { return }
        let rows = batch_gradients ?? [gradients]
        if let theta_names { Swift.print("theta order: \(theta_names.joined(separator: ", "))") }
        if let input_names, !input_names.isEmpty { Swift.print("x order: \(input_names.joined(separator: ", "))") }
        func list(_ v: [Double]) -> String { "[" + v.map { String(format: "%.15g", $0) }.joined(separator: ", ") + "]" }
        for (q, row) in rows.enumerated() {
            for (o, g) in row.enumerated() {
                Swift.print("gradient[\(q)][\(o)]: d/dtheta = \(list(g.theta)), d/dx = \(list(g.x))")
            }
        }
    }
}
