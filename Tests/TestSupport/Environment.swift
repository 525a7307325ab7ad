/// Where the tests find the built `qnncut`, the shared fixtures, and the environment children get.
import Foundation

public enum TestEnvironment {
    /// The `qnncut` executable next to the running test bundle (`swift build` runs before
    /// `swift test`), or `$QNNCUT_BIN`.
    public static var qnncutPath: String {
        if let path = ProcessInfo.processInfo.environment["QNNCUT_BIN"] { return path }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = exe.deletingLastPathComponent()
        if folder.pathExtension == "xctest" { folder.deleteLastPathComponent() }
        return folder.appendingPathComponent("qnncut").path
    }

    /// Tests/Fixtures (copies of ../shared/vectors; see its README).
    public static var fixturesFolder: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").path
    }

    /// Environment for child processes: ours, minus the OMPI_/PMIX_ variables a singleton MPI_Init
    /// in this process added (a child mpirun that inherits them fails silently), plus what mpirun
    /// needs as root on a loopback-only machine, plus `extra`.
    public static func childEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { key, _ in
            !["OMPI_", "PMIX_", "OPAL_", "ORTE_"].contains { key.hasPrefix($0) }
        }
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        env["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        env["OMPI_MCA_btl"] = "self,vader"
        env["OMPI_MCA_oob_tcp_if_include"] = "lo"
        env["SWIFT_BACKTRACE"] = "enable=no"
        return env.merging(extra) { $1 }
    }
}
