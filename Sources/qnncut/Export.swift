/// `qnncut export`: the offline hardware workflow's first half. Cut a circuit, choose the shots
/// of every sub-experiment exactly as `estimate --shots` does (`CutPlan.shotAllocation`), and
/// write each as OpenQASM 2 (`circuits/<name>.qasm`, `SubExperiment`) with a manifest; run them
/// anywhere, collect counts per bitstring in one JSON file, and `qnncut reconstruct` the estimate.
/// A single process (no MPI): nothing is simulated.
import ArgumentParser
import Circuits
import Cutting
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write every sub-experiment of a cut circuit as OpenQASM 2, with a manifest, for running elsewhere.",
        usage: "qnncut export <circuit> --observable <obs> --shots <n> --output <dir> ...",
        discussion: """
            Examples:
              qnncut export c.qasm --observable Z7 --max-fragment-qubits 4 --shots 1e6 \\
                  --output exp/
              qnncut reconstruct exp/ --counts counts.json

            The counts file maps each experiment name (the circuit's file name without .qasm) to its counts per bitstring, e.g. {"o0-u000012": {"010": 40, "111": 24}, ...}. See docs/executors.md.
            """)

    @Argument(help: "OpenQASM 2 file.")
    var circuit: String

    @Option(name: .customLong("observable"), help: ArgumentHelp("Observable, as for estimate. Repeatable.", valueName: "obs"))
    var observables: [String] = []

    @OptionGroup var cutOptions: CutSelectionOptions

    @Option(help: "Total shots over all sub-experiments of an observable (e.g. 1e6).", transform: CountArgument.parse)
    var shots: Int

    @Option(help: "QPD terms drawn (default: every term, shots ∝ |weight|).", transform: CountArgument.parse)
    var samples: Int?

    @Option(help: "Seed of the term draws.")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Trainable parameters θ, comma-separated (default zeros).", valueName: "values"))
    var theta: String?

    @Option(help: ArgumentHelp("Input features x, comma-separated (default zeros).", valueName: "values"))
    var x: String?

    @Option(help: ArgumentHelp("Folder to write (created; an earlier export there needs --overwrite).", valueName: "dir"))
    var output: String

    @Flag(help: "Replace an earlier export in the output folder.")
    var overwrite = false

    func validate() throws {
        if observables.isEmpty { throw ValidationError("give at least one --observable") }
        if cutOptions.givenCount > 1 {
            throw ValidationError("choose one of --max-fragment-qubits, --partition, --cut-gates")
        }
        if shots < 1 { throw ValidationError("--shots must be ≥ 1, got \(shots)") }
        if let s = samples, s < 1 { throw ValidationError("--samples must be ≥ 1, got \(s)") }
    }

    var specification: CutSpecification { cutOptions.specification }

    func run() throws {
        do { try export() } catch {
            Log.error(ErrorFormat.line(for: error))
            Foundation.exit(1)
        }
    }

    private func export() throws {
        let (parsed, warnings) = try QASM.parseReportingWarnings(contentsOf: circuit)
        for warning in warnings { Log.warning(warning) }
        let thetaValues = try theta.map { try NumberLists.parse($0, option: "--theta") } ?? Array(repeating: 0, count: parsed.parameterCount)
        let xValues = try x.map { try NumberLists.parse($0, option: "--x") } ?? Array(repeating: 0, count: parsed.inputCount)
        guard thetaValues.count == parsed.parameterCount else {
            throw InputError(description: "--theta: \(circuit) has \(parsed.parameterCount) parameter(s), got \(thetaValues.count) value(s)")
        }
        guard xValues.count == parsed.inputCount else {
            throw InputError(description: "--x: \(circuit) has \(parsed.inputCount) input feature(s), got \(xValues.count) value(s)")
        }
        let options = SamplingOptions.forQuery(0, samples: samples, shots: shots, seed: seed)
        var entries: [ExportManifest.PlanEntry] = []
        var files: [(name: String, text: String)] = []
        for (k, text) in observables.enumerated() {
            let observable: Observable
            do { observable = try Observable.parse(text, qubitCount: parsed.qubitCount) } catch {
                throw InputError(description: "--observable \"\(NumberLists.clipped(text))\": \(error)")
            }
            let plan: CutPlan
            do { plan = try CutPlan(circuit: parsed, observable: observable, cuts: specification) } catch let error as CuttingError {
                throw InputError(description: "\(ErrorFormat.reason(of: error))")
            }
            let allocation = try plan.shotAllocation(theta: thetaValues, input: xValues, options: options)
            var experiments: [ExportManifest.Experiment] = []
            for unit in allocation.keys.sorted() {
                let experiment = plan.subExperiment(unit: unit, theta: thetaValues, input: xValues)
                // Nothing measured: the value is +1 on every shot; nothing to run.
                guard experiment.bitCount > 0 else { continue }
                let name = ExportManifest.name(observable: k, unit: unit)
                experiments.append(.init(name: name, unit: unit, bits: experiment.bitCount, shots: allocation[unit]!))
                files.append((name, experiment.qasm))
            }
            entries.append(.init(observable: text, blueprint: Data(plan.blueprint.encoded()).base64EncodedString(),
                                 digest: ExportManifest.digestText(plan.digest), terms: plan.termCount, experiments: experiments))
        }
        let manifest = ExportManifest(format: ExportManifest.format, qnncut_version: QNNCut.version, circuit: circuit,
                                      theta: thetaValues, x: xValues, shots: shots, samples: samples, seed: seed, plans: entries)
        try prepareFolder()
        let fm = FileManager.default
        try fm.createDirectory(atPath: output + "/circuits", withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(toFile: "\(output)/circuits/\(name).qasm", atomically: false, encoding: .utf8)
        }
        // The manifest last: a folder without one is an interrupted export, never read back.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: output + "/manifest.json.tmp"))
        guard rename(output + "/manifest.json.tmp", output + "/manifest.json") == 0 else {
            throw InputError(description: "--output \(NumberLists.clipped(output)): cannot write manifest.json")
        }
        let total = entries.reduce(0) { $0 + $1.experiments.count }
        print("wrote \(total) sub-experiment(s) for \(entries.count) observable(s) to \(output)/circuits, manifest \(output)/manifest.json")
    }

    /// An absent or empty folder is ours to fill; an earlier export (its manifest, its circuits,
    /// nothing else) is replaced with --overwrite; anything else is refused untouched.
    private func prepareFolder() throws {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        if (try? fm.destinationOfSymbolicLink(atPath: output)) != nil {
            throw InputError(description: "--output \(NumberLists.clipped(output)): is a symbolic link; give the folder itself")
        }
        guard fm.fileExists(atPath: output, isDirectory: &isFolder) else {
            do { try fm.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
                throw InputError(description: "--output \(NumberLists.clipped(output)): cannot create the folder")
            }
            return
        }
        guard isFolder.boolValue else { throw InputError(description: "--output \(NumberLists.clipped(output)): exists and is not a folder") }
        let contents = try fm.contentsOfDirectory(atPath: output)
        if contents.isEmpty { return }
        let ours = Set(contents).isSubset(of: ["manifest.json", "circuits", "manifest.json.tmp"]) && contents.contains("manifest.json")
            && (try? ExportManifest.read(folder: output)) != nil
        guard ours else {
            throw InputError(description: "--output \(NumberLists.clipped(output)): the folder holds files that are not a qnncut export; choose an empty or new folder")
        }
        guard overwrite else {
            throw InputError(description: "--output \(NumberLists.clipped(output)): holds an earlier export; pass --overwrite to replace it")
        }
        let circuits = output + "/circuits"
        if fm.fileExists(atPath: circuits) {
            let names = try fm.contentsOfDirectory(atPath: circuits)
            guard names.allSatisfy({ $0.hasPrefix("o") && $0.hasSuffix(".qasm") }) else {
                throw InputError(description: "--output \(NumberLists.clipped(output)): circuits/ holds files that are not exported circuits; not replacing it")
            }
            try fm.removeItem(atPath: circuits)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
