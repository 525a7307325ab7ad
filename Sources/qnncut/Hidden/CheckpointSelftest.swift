/// `qnncut _checkpoint-strip-predictor PATH`: rewrites a checkpoint without what `predict` needs
/// (as a qnncut before checkpoint schema 3 wrote it), so the tests can check that such a
/// checkpoint still resumes and that `predict` explains how to get a usable one. Hidden.
import ArgumentParser
import QNN

struct CheckpointSelftest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_checkpoint-strip-predictor", abstract: "Drop a checkpoint's predictor (test instrument).",
        shouldDisplay: false)

    @Argument(help: "The checkpoint to rewrite.")
    var path: String

    func run() throws {
        var checkpoint = try Checkpoint.read(from: path)
        checkpoint.pipeline = nil
        checkpoint.modelJSON = nil
        try checkpoint.write(to: path)
    }
}
