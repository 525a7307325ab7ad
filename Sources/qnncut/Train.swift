/// `qnncut train CONFIG`: train a QNN through the distributed cut estimator.
///
/// Flow: rank 0 reads the config (with `--set` overrides), the data and the model, checks the
/// run folder (and the checkpoint when resuming) and shares the job (`rootDecides`); every rank
/// then joins the `Trainer`, whose rounds rank 0 drives and the others serve; rank 0 writes
/// traces.h5 and checkpoint.h5 and prints the summary.
import ArgumentParser
import Estimator
import Foundation
import HDF5
import MPI
import QNN
import Support

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a quantum neural network through the distributed cut estimator.",
        discussion: """
            Examples:
              mpirun -np 2 qnncut train configs/iris.yaml
              qnncut train configs/mnist-cuts-2.yaml --set training.epochs=2 \\
                  --output /tmp/run
              qnncut train configs/iris.yaml --resume

            The run folder (default results/<config name>/) receives traces.h5, checkpoint.h5 and test.csv (the held-back test split, for qnncut predict); --resume continues from its checkpoint.h5. Progress and logs go to stderr (a live bar when stdout or stderr is a terminal); the summary (one line, or one JSON object) goes to stdout. Ctrl-C stops at once and prints the command that resumes.
            """)

    @Argument(help: "YAML config (see configs/ and docs/training.md).")
    var config: String

    @Option(help: ArgumentHelp("Run folder (default results/<config name>).", valueName: "dir"))
    var output: String?

    @Flag(help: "Continue from the run folder's checkpoint.h5 (start fresh if there is none).")
    var resume = false

    @Flag(help: "Replace the traces and checkpoint of an existing run folder.")
    var overwrite = false

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config key, e.g. training.epochs=3 (repeatable).",
                                                         valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp("Memory the run may use on this node, e.g. 8G (default: physical memory; config key limits.max_memory).",
                               valueName: "bytes"))
    var maxMemory: String?

    @Option(help: .hidden)
    var injectFailureRank: Int?

    @Option(help: .hidden)
    var injectFailureRound = 3

    @Option(help: .hidden)
    var injectFailureKind = "error"

    @OptionGroup var distribution: DistributionOptions

    @Flag(inversion: .prefixedNo, help: "Draw the live progress bar on stderr (default: when stdout or stderr is a terminal, as under mpirun in a terminal).")
    var progress: Bool?

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    func validate() throws {
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other") }
        if let m = maxMemory, Quantities.parseBytes(m) == nil { throw ValidationError("--max-memory: expected bytes such as 8G or 512M, got '\(m)'") }
        if !["error", "abort", "kill"].contains(injectFailureKind) { throw ValidationError("--inject-failure-kind: error, abort or kill") }
    }

    /// This command line with `--resume` (and the run folder), for the notice a stop prints.
    func resumeCommand(folder: String, ranks: Int) -> String {
        var words = Array(CommandLine.arguments.dropFirst()).filter { $0 != "--resume" && $0 != "--overwrite" }
        if output == nil { words += ["--output", folder] }
        words.append("--resume")
        let quoted = words.map { word in
            word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,".contains($0) }) ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
        return (ranks > 1 ? "mpirun -np \(ranks) " : "") + "qnncut " + quoted.joined(separator: " ")
    }

    func run() throws {
        MPIJob.run { world in
            let progress: TrainProgress? = world.isRoot ? TrainProgress(drawsBar: StatusLine.wanted(self.progress)) : nil
            progress?.preparing("config, data, cut plan")
            let job = try world.rootDecides { try TrainSetup.prepare(self, world: world) }
            let trainer = try Trainer(world: world, job: job, options: distribution.estimatorOptions, trace: nil,
                                      observer: progress)
            if injectFailureRank == world.rank {
                trainer.estimator.roundWillBegin = FailureInjection.hook(rank: world.rank, round: injectFailureRound, kind: injectFailureKind)
            }
            if world.isRoot {
                Signals.noteTrainingRun(checkpoint: job.checkpointPath, resumeCommand: resumeCommand(folder: job.outputFolder, ranks: world.size))
                try RunFolder.commit(job.outputFolder, resume: resume, overwrite: overwrite) { Log.info($0) }
                try PredictData.writeTestSplit(job.data, to: job.outputFolder + "/test.csv")
                trainer.trace = try TrainingTraceWriter(path: job.tracePath, config: job.config,
                                                        attributes: runAttributes(world), resumedFromStep: job.checkpoint?.step)
            }
            let summary = try trainer.run()
            progress?.finish()
            try trainer.trace?.close()
            if let summary {
                try TrainSummaryPrinter.print(summary, json: json)
            }
        }
    }
}
