/// `--help` at 80 columns: every line fits, examples wrap only where we put a `\` (never inside
/// a command), and every refusal of every command has the one error format and exit code 1.
import Foundation
import TestSupport
import Testing

@Suite struct HelpLayoutTests {
    static let commands = [[], ["estimate"], ["export"], ["reconstruct"], ["train"], ["predict"], ["analyze"], ["info"], ["bench"],
                           ["bench", "estimator"], ["bench", "stragglers"], ["bench", "kernels"]]

    @Test("help fits 80 columns; example commands are never broken by the wrap")
    func helpWrapsOnWholeCommands() throws {
        try ProcessRunner.requireBuilt()
        for command in Self.commands {
            let result = try ChildProcess.run(TestEnvironment.qnncutPath, command + ["--help"],
                                              environment: TestEnvironment.childEnvironment(["COLUMNS": "80"]))
            #expect(result.exitCode == 0)
            var previousContinues = false
            var inExamples = false
            for line in result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                #expect(line.count <= 80, "qnncut \(command.joined(separator: " ")) --help: \(line.count) columns: \(line)")
                if line.hasPrefix("Examples:") || line.hasPrefix("Example:") { inExamples = true; continue }
                if inExamples && !line.isEmpty && !line.hasPrefix(" ") {
                    // Prose after the examples is fine; the tail of a wrapped command is not.
                    let tail = line.hasPrefix("-") || line.hasPrefix("/") || line.hasPrefix("results/")
                        || line.first.map(\.isNumber) == true
                    #expect(!tail, "qnncut \(command.joined(separator: " ")) --help: a command broken by the wrap: \(line)")
                }
                if line.isEmpty || !line.hasPrefix(" ") { inExamples = false }
                // Inside an example block every line is a whole command, or the continuation of
                // one that ends in a backslash: a wrap inside a command would break this.
                if inExamples {
                    let starts = line.hasPrefix("  qnncut ") || line.hasPrefix("  mpirun ")
                    #expect(previousContinues ? line.hasPrefix("      ") : starts,
                            "qnncut \(command.joined(separator: " ")) --help: a broken example line: \(line)")
                }
                previousContinues = inExamples && line.hasSuffix("\\")
            }
        }
    }

    @Test("bad input to any command: one 'qnncut: error:' line first, exit code 1")
    func oneErrorFormat() throws {
        let cases: [[String]] = [
            ["--bogus"], ["estimate", "--bogus", "x.qasm"], ["estimate", "/nonexistent.qasm", "--observable", "Z0"],
            ["train", "/nonexistent.yaml"], ["train", "--bogus", "c.yaml"], ["predict", "/nonexistent.h5", "x.csv"],
            ["predict"], ["analyze", "/nonexistent.h5"], ["info", "--bogus"], ["bench", "kernels", "--bogus"],
            ["bench", "stragglers", "--transient", "zz"],
        ]
        for arguments in cases {
            let result = try ProcessRunner.qnncut(arguments)
            #expect(result.exitCode == 1, "\(arguments): exit \(result.exitCode)")
            let first = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
            #expect(first.hasPrefix("qnncut: error: "), "\(arguments): \(first)")
            #expect(result.stderr.split(separator: "\n").filter { $0.contains("error") }.count == 1, "\(arguments): \(result.stderr)")
        }
    }
}
