/// The executor protocol (docs/executors.md): one long-lived child process per rank, spoken to
/// in JSON lines. For every unit the rank owns, each sample that the query's shot allocation gives
/// shots (`CutPlan.shotAllocation`, computed identically on every rank) becomes one circuit: the
/// sub-experiment's OpenQASM 2 (`SubExperiment`), its classical bits and its shots. A
/// parameter-shift round (training, `estimate --gradients`) adds the unit's shifted circuits with
/// the gradient's shots, whose means rank 0 turns into gradients (`ShotMode`, measured source). Up to
/// `maxBatch` circuits go in one request line; the answer line holds counts per bitstring, which
/// become v̂ = Σ count·(−1)^(ones) / shots in the table. Rank 0's sampled estimate then uses them
/// as measured values (`ShotSource.measured`) — the same estimator and standard errors as
/// emulated shots.
///
/// Any fault — the executor exits or cannot be started, an answer is not JSON or not the answer
/// to this request, a bitstring of the wrong width or counts that do not add up to the shots, no
/// answer within `timeout` — throws an error naming the rank, the unit and the line; the job then
/// ends (`MPIJob`: a rank's own error aborts every rank, so none is left in a collective).
import Circuits
import Cutting
import Foundation

public final class ExternalExecutor: FragmentExecutor {
    public let command: String
    public let maxBatch: Int
    /// Seconds one answer line may take.
    public let timeout: Double
    public let rank: Int
    /// The sampling options of query (sample) b: the shot allocation follows from them.
    let samplingOptions: (Int) -> SamplingOptions
    private var process: ExecutorProcess?
    /// Request lines sent so far (the `line` of error messages and of the protocol's `id`).
    private var line = 0
    /// The current round's shot allocations per sample: for the values, and for the
    /// parameter-shift gradient (recomputed when plan, θ or inputs change).
    private var allocation: (binding: Binding, values: [[Int: Int]], gradients: [[Int: Int]]?)?
    /// Means of the units of the last `prepare` (per sample; shifted: per term, per sample),
    /// until `execute` stores them; for `preparedBinding`.
    private var prepared: [Int: (values: [Double], shifted: [[Double]])] = [:]
    private var preparedBinding: Binding?

    /// What a round's circuits depend on.
    struct Binding: Equatable {
        var digest: UInt64
        var method: GradientMethod
        var theta: [Double]
        var inputs: [[Double]]
    }

    struct Circuit {
        var unit: Int
        var sample: Int
        /// The unit's shifted circuit of this index (parameter-shift rounds), or nil: the unit's own.
        var shift: Int?
        var experiment: SubExperiment
        var shots: Int
    }

    public var shotSource: ShotSource { .measured }

    public init(command: String, maxBatch: Int, timeout: Double, rank: Int,
                samplingOptions: @escaping (Int) -> SamplingOptions) {
        self.command = command
        self.maxBatch = maxBatch
        self.timeout = timeout
        self.rank = rank
        self.samplingOptions = samplingOptions
    }

    deinit { process?.stop(grace: 5) }

    /// Ask the executor to finish (end of its input) and wait up to `grace` seconds.
    public func close(grace: Double = 5) {
        process?.stop(grace: grace)
        process = nil
    }

    public func execute(unit: Int, plan: CutPlan, theta: [Double], inputs: [[Double]], table: inout FragmentValueTable) throws {
        guard table.method != .adjoint else {
            throw FragmentExecutorError("executor on rank \(rank): an executor returns counts; gradients come by parameter shift in shot mode, not adjoint")
        }
        let binding = Binding(digest: plan.digest, method: table.method, theta: theta, inputs: inputs)
        if preparedBinding != binding { prepared = [:] }
        if prepared[unit] == nil { try measure(units: [unit], plan: plan, binding: binding) }
        let means = prepared.removeValue(forKey: unit)!
        table.store(values: means.values, shifted: means.shifted, unit: unit)
    }

    /// Run every circuit of `units` in request lines of up to `maxBatch` circuits, keeping each
    /// unit's means until `execute` stores them. Per sample, a unit's own circuit gets the shots
    /// of the value's allocation; in a parameter-shift round each of its shifted circuits gets
    /// the gradient's (`CutPlan.gradientShotAllocation`, the built-in shot mode's rule), and its
    /// own circuit too if the value's allocation left it out (sampled terms). What an earlier
    /// call prepared and `execute` did not take (a chunk cancelled under a dynamic schedule) is
    /// dropped.
    public func prepare(units: [Int], plan: CutPlan, theta: [Double], inputs: [[Double]], method: GradientMethod) throws {
        prepared = [:]
        try measure(units: units, plan: plan, binding: Binding(digest: plan.digest, method: method, theta: theta, inputs: inputs))
    }

    /// Run the circuits of `units` and keep their means beside what is prepared already.
    private func measure(units: [Int], plan: CutPlan, binding: Binding) throws {
        let (method, theta, inputs) = (binding.method, binding.theta, binding.inputs)
        let shots = try allocations(plan: plan, binding: binding)
        preparedBinding = binding
        var circuits: [Circuit] = []
        for unit in units {
            var means = (values: [Double](repeating: 0, count: inputs.count), shifted: [[Double]]())
            means.shifted = Array(repeating: means.values, count: method.shifts.any ? plan.fragments[plan.workUnits[unit].fragment]
                .shiftTermCount(setting: plan.workUnits[unit].setting, inputs: method.shifts.inputs) : 0)
            for (b, input) in inputs.enumerated() {
                let forGradient = shots.gradients?[b][unit]
                if let n = shots.values[b][unit] ?? forGradient {
                    let experiment = plan.subExperiment(unit: unit, theta: theta, input: input)
                    // Nothing measured: the product of no outcomes is +1 on every shot.
                    if experiment.bitCount == 0 { means.values[b] = 1 } else {
                        circuits.append(Circuit(unit: unit, sample: b, shift: nil, experiment: experiment, shots: n))
                    }
                }
                guard let n = forGradient else { continue }
                let shifted = plan.shiftedSubExperiments(unit: unit, theta: theta, input: input, shiftInputs: method.shifts.inputs)
                for (k, experiment) in shifted.enumerated() {
                    if experiment.bitCount == 0 { means.shifted[k][b] = 1; continue }
                    circuits.append(Circuit(unit: unit, sample: b, shift: k, experiment: experiment, shots: n))
                }
            }
            prepared[unit] = means
        }
        var start = 0
        while start < circuits.count {
            let batch = Array(circuits[start ..< min(start + maxBatch, circuits.count)])
            let means = try run(batch, plan: plan)
            for (k, item) in batch.enumerated() {
                if let shift = item.shift {
                    prepared[item.unit]!.shifted[shift][item.sample] = means[k]
                } else {
                    prepared[item.unit]!.values[item.sample] = means[k]
                }
            }
            start += batch.count
        }
    }

    /// Shots per unit and sample for the values and (parameter-shift rounds) the gradients.
    private func allocations(plan: CutPlan, binding: Binding) throws -> (values: [[Int: Int]], gradients: [[Int: Int]]?) {
        var key = binding
        key.method = .none
        if let a = allocation, a.binding == key, a.gradients != nil || !binding.method.shifts.any { return (a.values, a.gradients) }
        let inputs = binding.inputs
        let values = try inputs.enumerated().map { b, input in
            try plan.shotAllocation(theta: binding.theta, input: input, options: samplingOptions(b))
        }
        let gradients = binding.method.shifts.any ? try inputs.enumerated().map { b, input in
            try plan.gradientShotAllocation(theta: binding.theta, input: input, shots: samplingOptions(b).shots)
        } : nil
        allocation = (key, values, gradients)
        return (values, gradients)
    }

    /// Send one request line and turn its answer into a mean ±1 value per circuit.
    private func run(_ batch: [Circuit], plan: CutPlan) throws -> [Double] {
        line += 1
        let units = Array(Set(batch.map(\.unit))).sorted()
        let samples = Array(Set(batch.map(\.sample))).sorted()
        let unitText: String
        if units.count == 1 {
            let u = plan.workUnits[units[0]]
            unitText = "unit \(units[0]) (fragment \(u.fragment), setting \(u.setting), observable \(u.observable))"
        } else {
            unitText = "units \(units.first!)–\(units.last!)"
        }
        let sampleText = samples.count == 1 ? "sample \(samples[0])" : "samples \(samples.first!)–\(samples.last!)"
        let place = "executor on rank \(rank), \(unitText), \(sampleText), line \(line)"
        do {
            let process = try startedProcess()
            let request: [String: Any] = [
                "id": line,
                "circuits": batch.map { item -> [String: Any] in
                    var circuit: [String: Any] = [
                        "qasm": item.experiment.qasm, "bits": item.experiment.bitCount,
                        "measured_qubits": item.experiment.measuredQubits, "shots": item.shots,
                        "unit": item.unit, "sample": item.sample]
                    if let shift = item.shift { circuit["shift"] = shift }
                    return circuit
                },
            ]
            let data = try JSONSerialization.data(withJSONObject: request, options: [.sortedKeys])
            try process.send(String(decoding: data, as: UTF8.self))
            let answer: String
            do { answer = try process.receive(timeout: timeout) } catch {
                process.kill()
                self.process = nil
                throw error
            }
            do {
                return try ExecutorAnswer.means(answer, id: line, circuits: batch.map { ($0.experiment.bitCount, $0.shots) })
            } catch {
                // A protocol error leaves the executor's state unknown: it is not asked again.
                process.kill()
                self.process = nil
                throw error
            }
        } catch let error as ExecutorProcessError {
            throw FragmentExecutorError("\(place): `\(Self.clipped(command))`: \(error.description)")
        } catch let error as ExecutorAnswer.Invalid {
            throw FragmentExecutorError("\(place): \(error.description)")
        }
    }

    private func startedProcess() throws -> ExecutorProcess {
        if let process { return process }
        let started = try ExecutorProcess(command: command, extraEnvironment: ["QNNCUT_RANK": "\(rank)"])
        process = started
        return started
    }

    static func clipped(_ s: String) -> String { s.count <= 80 ? s : String(s.prefix(77)) + "..." }
}

/// Parsing and checking one answer line (everything in it is untrusted).
enum ExecutorAnswer {
    struct Invalid: Error, CustomStringConvertible { var description: String }

    private struct Line: Decodable {
        var id: Int?
        var results: [Result]?
        var error: String?
    }
    private struct Result: Decodable {
        var counts: [String: Int]
    }

    /// The mean of (−1)^(ones) per circuit, checking the answer names request `id`, holds one
    /// result per circuit, bitstrings of exactly `bits` characters 0/1 (spaces between registers
    /// are ignored, as in Qiskit's keys) and whole counts adding up to the shots.
    static func means(_ line: String, id: Int, circuits: [(bits: Int, shots: Int)]) throws -> [Double] {
        let answer: Line
        do { answer = try JSONDecoder().decode(Line.self, from: Data(line.utf8)) } catch {
            throw Invalid(description: "the answer is not a JSON object of the protocol (\(reason(error))): '\(shown(line))'")
        }
        if let message = answer.error {
            throw Invalid(description: "the executor reported an error: \(shown(message, 200))")
        }
        guard answer.id == id else {
            throw Invalid(description: "the answer's \"id\" is \(answer.id.map(String.init) ?? "missing"), expected \(id)")
        }
        guard let results = answer.results else {
            throw Invalid(description: "the answer has no \"results\" list")
        }
        guard results.count == circuits.count else {
            throw Invalid(description: "the answer holds \(results.count) results for \(circuits.count) circuits")
        }
        return try zip(results, circuits).enumerated().map { k, pair in
            try mean(counts: pair.0.counts, bits: pair.1.bits, shots: pair.1.shots, what: "result \(k)")
        }
    }

    /// v̂ from counts per bitstring (also used for counts read back from files).
    static func mean(counts: [String: Int], bits: Int, shots: Int, what: String) throws -> Double {
        var total = 0, signed = 0
        for (key, count) in counts.sorted(by: { $0.key < $1.key }) {
            let bitstring = key.filter { $0 != " " }
            guard bitstring.count == bits, bitstring.allSatisfy({ $0 == "0" || $0 == "1" }) else {
                throw Invalid(description: "\(what): bitstring '\(shown(key, 40))' is not \(bits) characters 0/1 (the circuit measures \(bits) bits)")
            }
            guard count >= 0, count <= shots else {
                throw Invalid(description: "\(what): the count of '\(shown(key, 40))' is \(count), not in 0…\(shots)")
            }
            total += count
            signed += SubExperiment.sign(ofBitstring: bitstring) > 0 ? count : -count
        }
        guard total == shots else {
            throw Invalid(description: "\(what): the counts add up to \(total) shots, \(shots) were asked for")
        }
        return Double(signed) / Double(shots)
    }

    /// At most `limit` characters of untrusted text, control characters escaped.
    static func shown(_ text: String, _ limit: Int = 80) -> String {
        let clipped = text.count <= limit ? text : String(text.prefix(limit - 3)) + "..."
        return clipped.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
    }

    /// Where decoding failed, without Swift type names.
    static func reason(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "unreadable" }
        switch error {
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "wrong type at \(path(context.codingPath))"
        case let .keyNotFound(key, context):
            return "missing \(path(context.codingPath + [key]))"
        case .dataCorrupted: return "not JSON"
        @unknown default: return "unreadable"
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}

/// Counts per bitstring → the mean ±1 value (for counts read back from files: `qnncut
/// reconstruct`), with the executor protocol's checks.
public enum Counts {
    public static func mean(_ counts: [String: Int], bits: Int, shots: Int, what: String) throws -> Double {
        do { return try ExecutorAnswer.mean(counts: counts, bits: bits, shots: shots, what: what) } catch let error as ExecutorAnswer.Invalid {
            throw FragmentExecutorError(error.description)
        }
    }
}
