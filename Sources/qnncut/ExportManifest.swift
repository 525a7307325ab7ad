/// The manifest of an export folder (`qnncut export` writes it, `qnncut reconstruct` reads it):
/// per observable the plan's blueprint (the circuit, the observable and the resolved cuts, so the
/// plan is rebuilt exactly, without searching), its digest, and every sub-experiment with the
/// shots it must run. Also the binding (θ, x) and the sampling options the shots follow from.
/// Everything read back is input: sizes are bounded and every field is checked against the plan.
import Circuits
import Cutting
import Foundation

struct ExportManifest: Codable {
    static let format = "qnncut-export/v1"
    /// Largest manifest read back (a million experiments of ~80 bytes each, with room).
    static let maximumBytes = 256 << 20
    /// Largest counts file read back.
    static let maximumCountsBytes = 1 << 30

    struct Experiment: Codable {
        /// File name stem under `circuits/` and key in the counts file.
        var name: String
        var unit: Int
        var bits: Int
        var shots: Int
    }

    struct PlanEntry: Codable {
        var observable: String
        /// `PlanBlueprint.encoded()`, base64.
        var blueprint: String
        /// `CutPlan.digest` in hexadecimal.
        var digest: String
        var terms: Int
        var experiments: [Experiment]
    }

    var format: String
    var qnncut_version: String
    var circuit: String
    var theta: [Double]
    var x: [Double]
    var shots: Int
    /// QPD terms drawn per query; nil: every term enumerated.
    var samples: Int?
    var seed: UInt64
    var plans: [PlanEntry]

    var samplingOptions: SamplingOptions { .forQuery(0, samples: samples, shots: shots, seed: seed) }

    static func digestText(_ d: UInt64) -> String { String(d, radix: 16) }

    /// The manifest at `folder/manifest.json`, checked as far as it can be without the plans.
    static func read(folder: String) throws -> ExportManifest {
        let path = folder + "/manifest.json"
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path, limit: maximumBytes, what: "manifest") } catch {
            throw InputError(description: "\(error)")
        }
        let manifest: ExportManifest
        do { manifest = try JSONDecoder().decode(ExportManifest.self, from: Data(bytes)) } catch {
            throw InputError(description: "\(path): not a manifest written by qnncut export (\(ExecutorAnswerReason.reason(error)))")
        }
        guard manifest.format == format else {
            throw InputError(description: "\(path): format '\(NumberLists.clipped(manifest.format))', expected '\(format)'")
        }
        guard manifest.shots >= 1, (manifest.samples ?? 1) >= 1 else {
            throw InputError(description: "\(path): shots and samples must be at least 1")
        }
        guard manifest.theta.allSatisfy(\.isFinite), manifest.x.allSatisfy(\.isFinite) else {
            throw InputError(description: "\(path): theta and x must be finite")
        }
        return manifest
    }

    /// The plan of an entry, rebuilt from its blueprint and proven equal by its digest.
    func plan(_ k: Int, path: String) throws -> CutPlan {
        let entry = plans[k]
        let where_ = "\(path): plans[\(k)]"
        guard let bytes = Data(base64Encoded: entry.blueprint) else { throw InputError(description: "\(where_).blueprint is not base64") }
        let plan: CutPlan
        do { plan = try CutPlan(blueprint: PlanBlueprint(decoding: Array(bytes))) } catch {
            throw InputError(description: "\(where_).blueprint does not decode to a cut plan")
        }
        guard Self.digestText(plan.digest) == entry.digest else {
            throw InputError(description: "\(where_): the plan rebuilt from the blueprint has digest \(Self.digestText(plan.digest)), the manifest says \(NumberLists.clipped(entry.digest)) (another qnncut version, or an edited manifest)")
        }
        guard theta.count == plan.circuit.parameterCount, x.count == plan.circuit.inputCount else {
            throw InputError(description: "\(path): theta has \(theta.count) and x \(x.count) values; the circuit takes \(plan.circuit.parameterCount) and \(plan.circuit.inputCount)")
        }
        // The experiments must be exactly those the plan, the binding and the options imply.
        let shots = try plan.shotAllocation(theta: theta, input: x, options: samplingOptions)
        let expected = shots.keys.sorted().filter { plan.subExperiment(unit: $0, theta: theta, input: x).bitCount > 0 }
        guard entry.experiments.map(\.unit) == expected else {
            throw InputError(description: "\(where_).experiments do not list the \(expected.count) sub-experiments the plan needs")
        }
        for (i, e) in entry.experiments.enumerated() where e.shots != shots[e.unit] || e.name != Self.name(observable: k, unit: e.unit) {
            throw InputError(description: "\(where_).experiments[\(i)]: name or shots differ from the plan's (\(Self.name(observable: k, unit: e.unit)), \(shots[e.unit]!) shots)")
        }
        return plan
    }

    static func name(observable k: Int, unit: Int) -> String {
        "o\(k)-u" + String(repeating: "0", count: max(0, 6 - String(unit).count)) + String(unit)
    }
}

/// Decoding errors named by their key path, without Swift type names.
enum ExecutorAnswerReason {
    static func reason(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "unreadable" }
        func path(_ keys: [CodingKey]) -> String {
            keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case let .typeMismatch(_, context), let .valueNotFound(_, context): return "wrong type at \(path(context.codingPath))"
        case let .keyNotFound(key, context): return "missing \(path(context.codingPath + [key]))"
        case .dataCorrupted: return "not JSON"
        @unknown default: return "unreadable"
        }
    }
}
