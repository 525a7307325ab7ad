/// `estimate --executor CMD` and `--noise FILE.json`: where work units run instead of the
/// built-in noiseless simulator (docs/executors.md), and the sampling options every rank derives
/// the shot allocation from.
import ArgumentParser
import Circuits
import Cutting
import Estimator
import Foundation
import Support
import Simulator

struct ExecutionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Run every sub-experiment through this command (one process per rank, JSON lines; docs/executors.md). Needs --shots.", valueName: "command"))
    var executor: String?

    @Option(help: "Circuits per request line to the executor.")
    var executorMaxBatch = 64

    @Option(help: ArgumentHelp("Seconds the executor may take to answer one line before the job ends.", valueName: "seconds"))
    var executorTimeout = 600.0

    @Option(help: ArgumentHelp("Simulate with this noise model (JSON: depolarizing_1q, depolarizing_2q, readout), by density matrix.", valueName: "file.json"))
    var noise: String?

    var isActive: Bool { executor != nil || noise != nil }

    func validate() throws {
        if executorMaxBatch < 1 { throw ValidationError("--executor-max-batch must be ≥ 1, got \(executorMaxBatch)") }
        if !(executorTimeout > 0 && executorTimeout.isFinite) {
            throw ValidationError("--executor-timeout must be a positive number of seconds, got \(executorTimeout)")
        }
        if executor != nil && noise != nil {
            throw ValidationError("--executor and --noise exclude each other (give the executor its own noise model)")
        }
        if let executor, executor.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--executor: the command is empty")
        }
    }

    /// The built-in or external executor for this rank, or nil for the noiseless simulator.
    func makeExecutor(rank: Int, samplingOptions: @escaping (Int) -> SamplingOptions) throws -> FragmentExecutor? {
        if let executor {
            return ExternalExecutor(command: executor, maxBatch: executorMaxBatch, timeout: executorTimeout, rank: rank,
                                    samplingOptions: samplingOptions)
        }
        if let noise { return NoisySimulatorExecutor(noise: try NoiseFile.read(noise, flag: "--noise")) }
        return nil
    }
}

/// The noise JSON shared by `--noise`, `estimator.noise` and the Aer executor's `--noise`:
/// `{"depolarizing_1q": λ₁, "depolarizing_2q": λ₂, "readout": r}`, each in [0, 1] (readout
/// ≤ 0.5), absent keys 0, no other keys.
enum NoiseFile {
    static let keys = ["depolarizing_1q", "depolarizing_2q", "readout"]

    static func read(_ path: String, flag: String) throws -> NoiseModel {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path, limit: 64 << 10, what: "noise file") } catch {
            throw InputError(description: "\(flag) \(error)")
        }
        return try parse(bytes, where: "\(flag) \(NumberLists.clipped(path))")
    }

    static func parse(_ bytes: [UInt8], where place: String) throws -> NoiseModel {
        let fields: [String: Double]
        do { fields = try JSONDecoder().decode([String: Double].self, from: Data(bytes)) } catch {
            throw InputError(description: "\(place): expected a JSON object of numbers such as {\"depolarizing_1q\": 0.001, \"depolarizing_2q\": 0.01, \"readout\": 0.02}")
        }
        if let unknown = fields.keys.sorted().first(where: { !keys.contains($0) }) {
            throw InputError(description: "\(place): unknown key '\(NumberLists.clipped(unknown))' (expected \(keys.joined(separator: ", ")))")
        }
        for (key, v) in fields {
            let upper = key == "readout" ? 0.5 : 1.0
            guard v >= 0 && v <= upper else {
                throw InputError(description: "\(place): '\(key)' must be in [0, \(upper)], got \(v)")
            }
        }
        return NoiseModel(depolarizing1: fields["depolarizing_1q"] ?? 0, depolarizing2: fields["depolarizing_2q"] ?? 0,
                          readout: fields["readout"] ?? 0)
    }
}

extension SamplingOptions {
    /// The sampling options of query `q` of `estimate`, `export` and `reconstruct`: `ShotMode`'s
    /// (with `samples`, that many QPD terms drawn; without, every term enumerated, shots still
    /// ∝ |weight|), seeded from (--seed, q) — so the three commands agree on every draw.
    static func forQuery(_ q: Int, samples: Int?, shots: Int, seed: UInt64) -> SamplingOptions {
        ShotMode(shots: shots, termSamples: samples ?? 0).options(seed: querySeed(seed, query: q))
    }

    /// Query `q`'s seed from the command's `--seed`.
    static func querySeed(_ seed: UInt64, query q: Int) -> UInt64 { Seeds.derive(seed, .estimateShots, q) }
}
