/// `qnncut _read-files --config CONFIG --checkpoint F… | --trace F…`: reads each file the way
/// `train --resume` reads a checkpoint (read, config hash, consistency with the config) or the way
/// `analyze` reads a trace, and prints one line per file: `K accepted DIGEST` (the checkpoint's
/// content digest, or `trace` for a trace) or `K refused MESSAGE`. The fuzzing test
/// (Tests/ReliabilityTests/FileFuzzing.swift) feeds it thousands of mutated files in a few
/// processes: a crash shows as missing lines, and every accepted checkpoint must be the original.
/// Hidden: a test instrument.
import ArgumentParser
import CSupport
import QNN
import TraceAnalysis

struct ReadSelftest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_read-files", abstract: "Read checkpoints or traces as untrusted input (test instrument).",
        shouldDisplay: false)

    @Option(help: "The training config the checkpoints must match.")
    var config: String?

    @Option(name: .customLong("checkpoint"), parsing: .upToNextOption, help: "Checkpoint files.")
    var checkpoints: [String] = []

    @Option(name: .customLong("trace"), parsing: .upToNextOption, help: "Trace files.")
    var traces: [String] = []

    func run() throws {
        var check: ((Checkpoint, String) throws -> Void)?
        if let config {
            let training = try TrainingConfig.load(path: config)
            let model = try QNNModel(config: training)
            let data = try PreparedData.prepare(try Dataset.readCSV(training.data.file), config: training.data, features: model.inputCount)
            let stepsPerEpoch = (data.trainInputs.count + training.training.batchSize - 1) / training.training.batchSize
            let hash = training.hash
            check = { checkpoint, path in
                guard checkpoint.configHash == hash else { throw InputError(description: "\(path): written by a different config") }
                try checkpoint.check(against: training, parameterCount: model.parameterCount, stepsPerEpoch: stepsPerEpoch, path: path)
            }
        }
        for (index, path) in checkpoints.enumerated() {
            do {
                let checkpoint = try Checkpoint.read(from: path)
                try check?(checkpoint, path)
                csupport_write_stdout("\(index) accepted \(checkpoint.digest)\n")
            } catch {
                csupport_write_stdout("\(index) refused \(ErrorFormat.line(for: error))\n")
            }
        }
        for (index, path) in traces.enumerated() {
            do {
                _ = TraceRun.merged([try TraceReader.probedRead(path)])
                csupport_write_stdout("\(index) accepted trace\n")
            } catch {
                csupport_write_stdout("\(index) refused \(ErrorFormat.line(for: error))\n")
            }
        }
    }
}
