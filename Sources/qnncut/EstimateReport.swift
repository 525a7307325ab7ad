/// What `qnncut estimate` prints: values (and standard errors) per observable, the cut facts of
/// the plan, and seconds per stage — as text or as one JSON object whose keys are stable:
/// `values`, `stderrs`, `cuts`, `fragment_qubits`, `gamma`, `terms`, `subexperiments`, `stages`.
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
    /// Sampled mode with --gradients: shots the first query's parameter-shift gradient spent
    /// (its sub-experiments and their shifted circuits), for the last observable.
    var gradient_shots: Int?

    init(ranks: Int, schedule: String) {
        self.ranks = ranks
        self.schedule = schedule
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
               theta: batch.estimate.thetaGradients.first, x: batch.estimate.inputGradients.first)
        if !batch.estimate.thetaGradients.isEmpty, let spent = batch.sampling?.gradientShots.first { gradient_shots = spent }
    }

    mutating func addUncut(_ evaluation: Evaluation, circuit: Circuit, seconds: Double) {
        if values.isEmpty { fragment_qubits = [circuit.qubitCount] }
        stages.execute += seconds / Double(max(1, evaluation.values.count))
        append(values: evaluation.values, stderrs: Array(repeating: 0, count: evaluation.values.count),
               theta: evaluation.thetaGradients.first, x: evaluation.inputGradients.first)
    }

    private mutating func append(values queryValues: [Double], stderrs queryErrors: [Double], theta: [Double]?, x: [Double]?) {
        queries = queryValues.count
        values.append(queryValues[0])
        stderrs.append(queryErrors[0])
        if queryValues.count > 1 {
            var table = batch_values ?? Array(repeating: [], count: queryValues.count)
            for q in queryValues.indices { table[q].append(queryValues[q]) }
            batch_values = table
        }
        if let theta {
            gradients = (gradients ?? []) + [Gradient(theta: theta, x: x ?? [])]
        }
    }

    func print(json: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Swift.print(String(decoding: try encoder.encode(self), as: UTF8.self))
            return
        }
        for (i, value) in values.enumerated() {
            let error = stderrs[i] > 0 ? String(format: " ± %.3g", stderrs[i]) : ""
            Swift.print(String(format: "value[%d] = %.15g", i, value) + error)
        }
        if let batch_values { Swift.print("(\(batch_values.count) queries; --json prints all values)") }
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
