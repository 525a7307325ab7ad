/// Resource guard: the memory model (16·2^w·B bytes per state batch, ×2 with gradients), byte
/// sizes, physical memory; and refusals before anything starts — estimate with a 40-qubit uncut
/// circuit, a --max-memory below its need or more work than --max-work, train with an opt-in
/// term limit, a work or a memory limit exceeded — that print the estimate and leave an earlier
/// run untouched even under --overwrite. The QPD term count alone refuses nothing by default.
import Estimator
import Foundation
import Testing
import TestSupport
import Support

enum ResourceGuardCases {
    /// 9 qubits in blocks of 6 and 3 joined by `cuts` CNOTs (2·5^cuts sub-experiments).
    static func boundaryQASM(cuts: Int) -> String {
        var lines = ["OPENQASM 2.0;", "include \"qelib1.inc\";", "qreg q[9];"]
        for layer in 0...cuts {
            for q in 0..<9 { lines.append("ry(\(0.3 + Double(7 * q + layer) * 0.11)) q[\(q)];") }
            for q in 0..<5 { lines.append("cx q[\(q)],q[\(q + 1)];") }
            for q in 6..<8 { lines.append("cx q[\(q)],q[\(q + 1)];") }
            if layer < cuts { lines.append("cx q[\(layer % 6)],q[\(6 + layer % 3)];") }
        }
        return lines.joined(separator: "\n")
    }

    static func run() throws {
        var check = CaseCheck()
        let e = ResourceEstimate(widestFragment: 10, batch: 4, gradients: true, workUnits: 3, derivativeColumns: 5,
                                 ranksPerNode: 2, qpdTerms: 36)
        check.expect(e.stateBytes == 16 * 1024 * 4 * 2, "state bytes \(e.stateBytes)")
        check.expect(e.tableBytes == 2 * 8 * 3 * 4 * 6 + 24 * 3, "table bytes \(e.tableBytes)")
        check.expect(e.totalBytes == 2 * (ResourceEstimate.runtimeBytes + e.stateBytes + e.tableBytes), "total \(e.totalBytes)")
        let forward = ResourceEstimate(widestFragment: 10, batch: 4, gradients: false, workUnits: 3, derivativeColumns: 5,
                                       ranksPerNode: 1, qpdTerms: 36)
        check.expect(forward.stateBytes == 16 * 1024 * 4, "forward state bytes \(forward.stateBytes)")
        check.expect(Quantities.parseBytes("512M") == 512 * 0x1p20 && Quantities.parseBytes("8GiB") == 8 * 0x1p30
                     && Quantities.parseBytes("1024") == 1024 && Quantities.parseBytes("1.5K") == 1536,
                     "parseBytes")
        check.expect(Quantities.parseBytes("lots") == nil && Quantities.parseBytes("-1G") == nil
                     && Quantities.parseBytes("") == nil, "parseBytes accepts nonsense")
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let kib = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }?
            .split(separator: " ").dropFirst().first.flatMap { UInt64($0) }
        check.expect(kib.map { $0 * 1024 == ResourceGuard.physicalMemoryBytes() } ?? (ResourceGuard.physicalMemoryBytes() > 0),
                     "physical memory \(ResourceGuard.physicalMemoryBytes()) vs MemTotal \(kib ?? 0) KiB")
        check.expect((try? ResourceGuard.check(e, limits: ResourceLimits(maxMemoryBytes: e.totalBytes), what: "x")) != nil,
                     "an estimate exactly at the limit is refused")
        check.expect((try? ResourceGuard.check(e, limits: ResourceLimits(maxMemoryBytes: e.totalBytes - 1), what: "x")) == nil,
                     "an estimate above the limit passes")
        check.expect((try? ResourceGuard.check(e, limits: ResourceLimits(maxQPDTerms: 35), what: "x")) == nil,
                     "a term count above the limit passes")
        check.expect((try? ResourceGuard.check(e, limits: ResourceLimits(), what: "x")) != nil,
                     "36 terms refused without a term limit")
        var busy = e
        busy.work = 2e14
        check.expect((try? ResourceGuard.check(busy, limits: ResourceLimits(), what: "x")) == nil,
                     "2e14 amplitude updates pass the default work limit")
        check.expect(Quantities.parseCount("1e8") == 1e8 && Quantities.parseCount("100000000") == 1e8
                     && Quantities.parseCount("1.5") == nil && Quantities.parseCount("0") == nil, "parseCount")
        Tally.record("resource model", check.problems)

        let folder = try Workspace.temporaryFolder("guard")
        let wide = folder + "/wide40.qasm", mid = folder + "/mid20.qasm"
        try Workspace.write(Workspace.chainQASM(qubits: 40), to: wide)
        try Workspace.write(Workspace.chainQASM(qubits: 20), to: mid)
        func refused(_ name: String, _ arguments: [String], _ mentions: [String], within seconds: Double = 20) throws {
            var check = CaseCheck()
            let t0 = Date()
            let r = try Runner.qnncut(arguments, timeout: 60)
            Runner.expectRefusal(r, mentions: mentions + ["refused before starting"], &check)
            check.expect(Date().timeIntervalSince(t0) < seconds, "took \(Date().timeIntervalSince(t0)) s")
            Tally.record(name, check.problems)
        }
        try refused("estimate 40 qubits uncut", ["estimate", wide, "--observable", "Z0", "--uncut"], ["wide40.qasm", "16.0 TiB"])
        try refused("estimate above --max-memory", ["estimate", mid, "--observable", "Z0", "--uncut", "--max-memory", "1M"],
                    ["mid20.qasm", "16.0 MiB", "1.0 MiB"])
        try refused("estimate with too much work", ["estimate", mid, "--observable", "Z0", "--partition",
                                                    String(repeating: "A", count: 10) + String(repeating: "B", count: 10),
                                                    "--max-work", "1e3"], ["mid20.qasm", "amplitude updates"])
        check = CaseCheck()
        // Gates 20… are the chain's CNOTs: four cuts, 6^4 = 1296 QPD terms.
        let fourCuts = ["estimate", mid, "--observable", "Z0", "--cut-gates", "24,28,32,36"]
        let capped = try Runner.qnncut(fourCuts + ["--max-qpd-terms", "1000"])
        check.expect(capped.exitCode == 1 && capped.stderr.contains("1296 QPD terms"), "1296 terms passed a limit of 1000: \(capped.stderr)")
        let raised = try Runner.qnncut(fourCuts + ["--max-qpd-terms", "2000"])
        check.expect(raised.exitCode == 0, "1296 terms refused under a limit of 2000: \(raised.stderr)")
        Tally.record("--max-qpd-terms raises the term limit", check.problems)
        check = CaseCheck()
        let fits = try Runner.qnncut(["estimate", mid, "--observable", "Z0", "--partition", String(repeating: "A", count: 10)
                                      + String(repeating: "B", count: 10), "--max-memory", "100M", "--json"])
        check.expect(fits.exitCode == 0, "a run within --max-memory was refused: \(fits.stderr)")
        Tally.record("estimate within --max-memory", check.problems)

        // The estimate against what the run really used (rank 0's peak resident memory): within 2×.
        check = CaseCheck()
        let boundary = folder + "/boundary.qasm"
        try Workspace.write(Self.boundaryQASM(cuts: 5), to: boundary)
        struct Report: Decodable { struct Memory: Decodable { var estimated_bytes_per_rank: Double; var peak_resident_bytes: Double }
            var memory: Memory }
        // Started from a parent that holds ~300 MB (a bash variable): Linux folds the memory an
        // exec replaces into getrusage's peak, which once made CI's run (spawned by the 140 MB
        // test runner) report 140 MB for a 48 MB run. The reported peak must be qnncut's own.
        let bigParent = "big=$(head -c 150000000 /dev/zero | tr '\\0' a); exec \"$0\" \"$@\""
        let measured = try ChildProcess.run("/bin/bash", ["-c", bigParent, TestEnvironment.qnncutPath, "estimate", boundary,
                                                          "--observable", "Z0", "--partition", "AAAAAABBB", "--json"],
                                            environment: TestEnvironment.childEnvironment(), timeout: 120)
        if let line = measured.stdout.split(separator: "\n").last,
           let report = try? JSONDecoder().decode(Report.self, from: Data(line.utf8)) {
            let ratio = report.memory.peak_resident_bytes / report.memory.estimated_bytes_per_rank
            check.expect(ratio >= 0.5 && ratio <= 2,
                         "peak \(report.memory.peak_resident_bytes) B vs estimate \(report.memory.estimated_bytes_per_rank) B")
        } else {
            check.expect(false, "estimate --json printed no memory report: exit \(measured.exitCode) \(measured.stderr.prefix(200))")
        }
        Tally.record("memory estimate within 2× of the measured peak", check.problems)

        let (run, config) = try ReliabilityTests.earlierRun(folder)
        let before = Workspace.snapshot(run)
        try refused("train above limits.max_qpd_terms", ["train", config, "--output", run, "--overwrite",
                                                         "--set", "model.layers=4", "--set", "model.cuts=4",
                                                         "--set", "limits.max_qpd_terms=1e3"], ["earlier.yaml", "QPD terms"])
        try refused("train above limits.max_work", ["train", config, "--output", run, "--overwrite",
                                                    "--set", "limits.max_work=1000"], ["earlier.yaml", "amplitude updates"])
        try refused("train above --max-memory", ["train", config, "--output", run, "--overwrite", "--max-memory", "1K"],
                    ["earlier.yaml", "1.0 KiB"])
        try refused("train above limits.max_memory", ["train", config, "--output", run, "--resume", "--set", "limits.max_memory=2K"],
                    ["earlier.yaml", "2.0 KiB"])
        try refused("train above limits.max_trace", ["train", config, "--output", run, "--overwrite", "--set", "limits.max_trace=1K"],
                    ["earlier.yaml", "trace would reach"])
        check = CaseCheck()
        check.expect(Workspace.snapshot(run) == before, "refused runs changed \(Workspace.snapshot(run).difference(from: before))")
        check.expect(!FileManager.default.fileExists(atPath: run + "/traces.segment-1.h5"), "a refused --resume moved the traces")
        Tally.record("refused runs leave the folder untouched", check.problems)
    }
}
