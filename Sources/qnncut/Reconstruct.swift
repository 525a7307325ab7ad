/// `qnncut reconstruct DIR --counts COUNTS.json`: the offline workflow's second half. Rebuild each
/// plan from the export's manifest (blueprint, proven by its digest), turn the counts of every
/// sub-experiment into its measured mean, and estimate ⟨O⟩ with the sampled estimator
/// (`ShotSource.measured`) — the same value and standard error `estimate --executor` computes.
import ArgumentParser
import Circuits
import Cutting
import Estimator
import Foundation

struct Reconstruct: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Estimate ⟨O⟩ with standard errors from the counts of an exported circuit's sub-experiments.",
        usage: "qnncut reconstruct <dir> --counts <counts.json> [--json]",
        discussion: """
            Example:
              qnncut reconstruct exp/ --counts counts.json

            COUNTS.json maps every experiment name in exp/manifest.json to its counts per bitstring ({"o0-u000012": {"010": 40, "111": 24}, ...}); the counts of an experiment must add up to its shots. See docs/executors.md.
            """)

    @Argument(help: ArgumentHelp("Folder written by qnncut export.", valueName: "dir"))
    var folder: String

    @Option(help: ArgumentHelp("JSON file of counts per experiment.", valueName: "file.json"))
    var counts: String

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    struct Output: Encodable {
        struct Entry: Encodable {
            var observable: String
            var value: Double
            var stderr: Double
            var experiments: Int
            var shots: Int
        }
        var values: [Double]
        var stderrs: [Double]
        var observables: [Entry]
    }

    func run() throws {
        do { try reconstruct() } catch {
            Log.error(ErrorFormat.line(for: error))
            Foundation.exit(1)
        }
    }

    private func reconstruct() throws {
        let manifest = try ExportManifest.read(folder: folder)
        let bytes: [UInt8]
        do { bytes = try InputFile.read(counts, limit: ExportManifest.maximumCountsBytes, what: "counts file") } catch {
            throw InputError(description: "--counts \(error)")
        }
        let table: [String: [String: Int]]
        do { table = try JSONDecoder().decode([String: [String: Int]].self, from: Data(bytes)) } catch {
            throw InputError(description: "--counts \(NumberLists.clipped(counts)): expected {\"experiment name\": {\"bitstring\": count, …}, …} (\(ExecutorAnswerReason.reason(error)))")
        }
        let known = Set(manifest.plans.flatMap { $0.experiments.map(\.name) })
        if let extra = table.keys.sorted().first(where: { !known.contains($0) }) {
            throw InputError(description: "--counts \(NumberLists.clipped(counts)): '\(NumberLists.clipped(extra))' is not an experiment of \(folder)/manifest.json")
        }
        var output = Output(values: [], stderrs: [], observables: [])
        for (k, entry) in manifest.plans.enumerated() {
            let plan = try manifest.plan(k, path: folder + "/manifest.json")
            var values = FragmentValueTable(plan: plan, sampleCount: 1, gradients: false)
            let allocation = try plan.shotAllocation(theta: manifest.theta, input: manifest.x, options: manifest.samplingOptions)
            // Units measuring nothing are +1 on every shot (they were not exported).
            for unit in allocation.keys { values.storage[values.rowStart(unit: unit, sample: 0)] = 1 }
            for e in entry.experiments {
                guard let c = table[e.name] else {
                    throw InputError(description: "--counts \(NumberLists.clipped(counts)): no counts for experiment '\(e.name)'")
                }
                do {
                    values.storage[values.rowStart(unit: e.unit, sample: 0)] = try Counts.mean(c, bits: e.bits, shots: e.shots, what: "experiment '\(e.name)'")
                } catch {
                    throw InputError(description: "--counts \(NumberLists.clipped(counts)): \(error)")
                }
            }
            let estimate = try plan.sampledEstimate(values, sample: 0, theta: manifest.theta, input: manifest.x,
                                                    options: manifest.samplingOptions, shots: .measured)
            output.values.append(estimate.value)
            output.stderrs.append(estimate.standardError)
            output.observables.append(.init(observable: entry.observable, value: estimate.value, stderr: estimate.standardError,
                                            experiments: entry.experiments.count, shots: estimate.shotsUsed))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
        } else {
            for e in output.observables {
                print("⟨\(e.observable)⟩ = \(e.value) ± \(e.stderr)  (\(e.experiments) experiments, \(e.shots) shots)")
            }
        }
    }
}
