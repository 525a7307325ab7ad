/// Re-running this very binary under `mpirun -np N` — for benchmarks that compare rank counts in
/// one invocation. The parent never initialises MPI (a singleton MPI_Init would leak OMPI_*/PMIX_*
/// variables into the child mpirun, which then fails silently), and strips such variables anyway.
import Foundation

enum SelfLaunch {
    /// True when this process was started by mpirun/srun (then it must not launch mpirun itself).
    static var isUnderLauncher: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["OMPI_COMM_WORLD_SIZE"] != nil || env["PMIX_RANK"] != nil || env["SLURM_PROCID"] != nil
            || env["PMI_RANK"] != nil
    }

    /// Run `mpirun -np ranks <this binary> arguments` and return its stdout; throws on failure.
    static func mpirun(ranks: Int, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        // setpriv --pdeathsig: mpirun gets SIGTERM when this process dies (even by SIGKILL or a
        // timeout), and takes its ranks down with it, instead of running on as orphans.
        let deathSignal = FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") ? ["setpriv", "--pdeathsig", "TERM"] : []
        process.arguments = deathSignal + ["mpirun", "--oversubscribe", "-np", "\(ranks)", me] + arguments
        process.environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !["OMPI_COMM_WORLD", "OMPI_MCA_ess", "OMPI_MCA_orte", "PMIX_", "OPAL_", "ORTE_"].contains { key.hasPrefix($0) }
        }
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw InputError(description: "mpirun -np \(ranks) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
