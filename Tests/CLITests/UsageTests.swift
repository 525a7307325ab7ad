/// The command line's manners: unknown subcommands and flags print usage and exit non-zero;
/// --help and --version work.
import Testing

struct UsageTests {
    @Test("an unknown subcommand prints usage and exits non-zero")
    func unknownSubcommand() throws {
        let result = try ProcessRunner.qnncut(["frobnicate"])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("Usage:") || result.stdout.contains("Usage:"))
    }

    @Test("an unknown flag prints usage and exits non-zero")
    func unknownFlag() throws {
        let result = try ProcessRunner.qnncut(["info", "--no-such-flag"])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("no-such-flag"))
        #expect(result.stderr.contains("Usage:"))
    }

    @Test("--help lists the subcommands; --version prints the version")
    func helpAndVersion() throws {
        let help = try ProcessRunner.qnncut(["--help"])
        #expect(help.exitCode == 0)
        #expect(help.stdout.contains("info"))
        #expect(!help.stdout.contains("_mpi-selftest"))
        let version = try ProcessRunner.qnncut(["--version"])
        #expect(version.exitCode == 0)
        #expect(version.stdout.contains("0."))
    }
}
