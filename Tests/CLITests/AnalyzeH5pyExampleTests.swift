/// The h5py + pandas example of docs/hdf5-schema.md runs on a real training run folder (through
/// scripts/h5py-example.sh, which installs h5py and pandas into the cached .venv-analysis/), and
/// prints the same numbers as `qnncut analyze`. Skipped only when pip cannot reach its registry.
import Foundation
import TestSupport
import Testing

struct AnalyzeH5pyExampleTests {
    /// The number after `label` in the example's output.
    static func number(after label: String, in text: String) -> Double? {
        guard let range = text.range(of: label) else { return nil }
        return Double(text[range.upperBound...].drop { $0 == " " }.prefix { !$0.isWhitespace })
    }

    @Test("the documented h5py + pandas example runs and agrees with qnncut analyze", .timeLimit(.minutes(10)))
    func documentedExample() throws {
        let fixtures = try AnalyzeFixtures.get()
        let script = AnalyzeFixtures.repositoryRoot + "/scripts/h5py-example.sh"
        let result = try ChildProcess.run("bash", [script, fixtures.trainingFolder],
                                          environment: TestEnvironment.childEnvironment(), timeout: 540)
        if result.exitCode == 77 { try Test.cancel("h5py example skipped: \(result.stderr)") }
        try #require(result.exitCode == 0, "h5py example: exit \(result.exitCode)\n\(result.stdout)\n\(result.stderr)")
        let analyzed = try ProcessRunner.qnncut(["analyze", fixtures.trainingFolder + "/traces.h5", "--format", "json"])
        let run = try #require(try AnalyzeJSON.decode(analyzed.stdout).runs.first)
        let out = result.stdout
        let pairs: [(String, Double?)] = [
            ("per-query ms median", run.perQueryMs.total.median), (" p95", run.perQueryMs.total.p95),
            ("reconstruction share median", run.reconstructionShare.median),
            ("training s", run.trainingSeconds), ("final test accuracy", run.finalTestAccuracy),
        ]
        for (label, expected) in pairs {
            let printed = try #require(Self.number(after: label, in: out), "'\(label)' not in:\n\(out)")
            let value = try #require(expected)
            #expect(abs(printed - value) <= 1e-8 * max(abs(value), 1e-9), "\(label): example \(printed), analyze \(value)")
        }
        #expect(out.contains("checkpoint step \(run.steps)"), "the checkpoint is at the last step: \(out)")
    }
}
