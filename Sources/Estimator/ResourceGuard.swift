/// Resource guard: refuse a run whose memory, simulation work or trace would not fit, before any
/// rank allocates anything, and say what it would have needed. The QPD term count is *not* a
/// default refusal: the contraction never enumerates the terms (a 60-qubit chain with 6·10⁷ terms
/// runs in seconds); `--max-qpd-terms` / `limits.max_qpd_terms` remains as an opt-in limit.
///
/// Memory model (per rank, doubles are 8 bytes, amplitudes 16): the widest fragment's batch of
/// states, 16·2^w·B bytes, twice over when gradients run (the adjoint pass keeps ψ and λ side by
/// side; forward passes with branches keep one copy per branch pair), plus the fragment value table
/// (units · B · (1 + derivative columns) doubles, doubled for the partial-sums stitching's
/// sample-major copy — the full-table reduce sums in place — plus three index words per unit),
/// the compiled contraction (8 bytes per entry) and the compiled
/// circuit cache (at most its budget). Work is the amplitude updates of one round: per unit
/// 2^w · (gates + 1) · B · E[branches], where each cut side that may measure doubles the branches
/// with the probability that its setting measures.
/// Ranks on one node share its memory, so the total is the per-rank need times the local ranks.
/// The estimate deliberately rounds up; it is compared with physical memory (/proc/meminfo, else
/// sysconf) or an explicit `--max-memory` / `limits.max_memory`.
import Cutting
import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// What a run would need, computed before it starts.
public struct ResourceEstimate: Sendable, Equatable, CustomStringConvertible {
    /// Qubits of the widest state the simulator holds (the whole circuit when uncut).
    public var widestFragment: Int
    /// Queries simulated together in one round.
    public var batch: Int
    public var gradients: Bool
    /// Bytes of the widest fragment's batch of states (16·2^w·B, ×2 with gradients).
    public var stateBytes: Double
    /// Bytes of the fragment value table and its reduction buffer.
    public var tableBytes: Double
    /// MPI ranks sharing this node's memory.
    public var ranksPerNode: Int
    /// QPD terms summed per query (the product of the cut bases' term counts).
    public var qpdTerms: Double
    /// Doubles in the fragment-value table of one round (what the reductions carry).
    public var tableElements: Double = 0
    /// Bytes of the plan's per-rank structures: the compiled contraction and circuit cache.
    public var planBytes: Double = 0
    /// Amplitude updates of one round over all ranks (0 when not known before the plan).
    public var work: Double = 0
    /// Bytes the trace file will grow to (nil when no trace is written).
    public var traceBytes: Double?

    /// What a rank needs before any of the above: the Swift runtime, Open MPI and HDF5 loaded
    /// (measured: 40–60 MB resident for `qnncut estimate` on a tiny circuit).
    public static let runtimeBytes = 64.0 * 1024 * 1024

    /// Memory of one rank.
    public var perRankBytes: Double { Self.runtimeBytes + stateBytes + tableBytes + planBytes }

    /// Memory of the whole node: every local rank holds its own states and table.
    public var totalBytes: Double { perRankBytes * Double(ranksPerNode) }

    public init(widestFragment: Int, batch: Int, gradients: Bool, workUnits: Int, derivativeColumns: Int,
                ranksPerNode: Int, qpdTerms: Double, traceBytes: Double? = nil) {
        self.widestFragment = widestFragment
        self.batch = max(1, batch)
        self.gradients = gradients
        let copies = gradients ? 2.0 : 1.0
        stateBytes = widestFragment == 0 ? 0 : 16 * pow(2, Double(widestFragment)) * Double(self.batch) * copies
        let columns = 1 + (gradients ? derivativeColumns : 0)
        tableElements = Double(workUnits) * Double(self.batch) * Double(columns)
        tableBytes = 2 * 8 * Double(workUnits) * Double(self.batch) * Double(columns) + 24 * Double(workUnits)
        self.ranksPerNode = max(1, ranksPerNode)
        self.qpdTerms = qpdTerms
        self.traceBytes = traceBytes
    }

    public var description: String {
        var text = widestFragment == 0 ? "fragment widths not known before the plan;"
            : "widest state \(widestFragment) qubits × batch \(batch)\(gradients ? " × 2 (gradients)" : "")"
                + " = \(Quantities.format(bytes: stateBytes)) per rank, table \(Quantities.format(bytes: tableBytes)),"
                + " plan \(Quantities.format(bytes: planBytes)), runtime \(Quantities.format(bytes: Self.runtimeBytes)),"
                + " × \(ranksPerNode) rank(s) on this node = \(Quantities.format(bytes: totalBytes));"
        if work > 0 { text += " \(Quantities.format(count: work)) amplitude updates per round;" }
        text += " \(Quantities.format(count: qpdTerms)) QPD term(s) per query"
        if let traceBytes { text += "; trace about \(Quantities.format(bytes: traceBytes))" }
        return text
    }
}

/// The limits a run is checked against.
public struct ResourceLimits: Sendable, Equatable {
    /// Bytes the node may use; default: physical memory.
    public var maxMemoryBytes: Double
    /// QPD terms per query: an opt-in limit (nil: not checked).
    public var maxQPDTerms: Double?
    /// Amplitude updates per round; default `ResourceLimits.defaultMaxWork`.
    public var maxWork: Double
    /// Bytes a trace may reach; default: free space of its folder (nil: not checked).
    public var maxTraceBytes: Double?

    /// 10^14 amplitude updates per round is about a day of one core (≈ 1 ns per update): beyond
    /// it a run must be asked for explicitly (`--max-work`, `limits.max_work`).
    public static let defaultMaxWork = 1e14

    public init(maxMemoryBytes: Double? = nil, maxQPDTerms: Double? = nil, maxTraceBytes: Double? = nil,
                maxWork: Double? = nil) {
        self.maxMemoryBytes = maxMemoryBytes ?? Double(ResourceGuard.physicalMemoryBytes())
        self.maxQPDTerms = maxQPDTerms
        self.maxTraceBytes = maxTraceBytes
        self.maxWork = maxWork ?? Self.defaultMaxWork
    }
}

/// A run refused because it would not fit; the message carries the estimate.
public struct ResourceError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public enum ResourceGuard {
    /// Estimate for a built plan: its widest fragment, units, derivative columns and terms.
    /// - Parameter repeatsRounds: whether the plan runs many rounds (training), so compiled circuits
    ///   are cached (from their second use); a one-round `estimate` never fills the cache.
    public static func estimate(plan: CutPlan, batch: Int, gradients: Bool, ranksPerNode: Int,
                                traceBytes: Double? = nil, repeatsRounds: Bool = true) -> ResourceEstimate {
        let terms = plan.cuts.reduce(1.0) { $0 * Double($1.basis.terms.count) }
        // Per unit and sample: adjoint rows hold at most P + X derivatives, parameter-shift rows
        // one value per shifted circuit; the larger bounds either.
        // Settings differ only in constant local operations: setting 0 stands for every one.
        let shifted = plan.fragments.map { $0.shiftTermCount(setting: 0, inputs: true) }.max() ?? 0
        var estimate = ResourceEstimate(widestFragment: plan.fragments.map(\.width).max() ?? plan.circuit.qubitCount,
                                        batch: batch, gradients: gradients, workUnits: plan.workUnits.count,
                                        derivativeColumns: max(plan.circuit.parameterCount + plan.circuit.inputCount, shifted),
                                        ranksPerNode: ranksPerNode, qpdTerms: terms, traceBytes: traceBytes)
        var work = 0.0, cacheBytes = 0.0
        for (f, fragment) in plan.fragments.enumerated() {
            let units = Double(plan.workUnits.range(fragment: f).count)
            // E[2^m]: each cut side measures in the fraction of its local operations that measure.
            let branches = fragment.measuringOperations.reduce(1.0) { product, measures in
                product * (1 + Double(measures.filter { $0 }.count) / Double(max(measures.count, 1)))
            }
            let gates = Double(fragment.template.count + 2)
            // Plus a fixed cost per unit (compiling its circuit, ≈ 20 µs ≈ 10⁴ updates' worth).
            work += units * (pow(2, Double(fragment.width)) * gates * Double(max(batch, 1)) * branches * (gradients ? 3 : 1) + 1e4)
            cacheBytes += units * gates * 400
        }
        estimate.work = work
        // Per unit: its table index words, cost model entries and schedule slot (≈ 64 bytes).
        estimate.planBytes = 8 * Double(plan.contractionEntryCount) + 64 * Double(plan.workUnits.count)
            + (repeatsRounds ? min(cacheBytes, Double(circuitCacheBudget)) : 0)
        return estimate
    }

    /// Estimate before a plan exists: `width` qubits simulated whole (uncut; 0 when the fragment
    /// widths are not known yet), and the terms of `cuts` gate cuts (6 QPD terms each).
    public static func estimate(width: Int, cuts: Int, batch: Int, gradients: Bool, derivativeColumns: Int,
                                ranksPerNode: Int) -> ResourceEstimate {
        ResourceEstimate(widestFragment: width, batch: batch, gradients: gradients, workUnits: 1,
                         derivativeColumns: derivativeColumns, ranksPerNode: ranksPerNode,
                         qpdTerms: pow(6, Double(cuts)))
    }

    /// Bytes each rank may keep in compiled circuits (`PreparedCircuitCache`).
    static var circuitCacheBudget: Int { PreparedCircuitCache.defaultBudget }

    /// Throw a `ResourceError` naming `what` (config file or circuit) if the estimate exceeds a limit.
    public static func check(_ estimate: ResourceEstimate, limits: ResourceLimits, what: String) throws {
        var problems: [String] = []
        if estimate.totalBytes > limits.maxMemoryBytes {
            problems.append("needs \(Quantities.format(bytes: estimate.totalBytes)) of memory, more than the limit of \(Quantities.format(bytes: limits.maxMemoryBytes))")
        }
        if estimate.tableElements > Double(Int32.max) {
            problems.append("its fragment-value table has \(Quantities.format(count: estimate.tableElements)) entries per round, more than MPI's 32-bit counts allow")
        }
        if let maxTerms = limits.maxQPDTerms, estimate.qpdTerms > maxTerms {
            // Every cut multiplies the terms (6 per gate cut): fewer cuts help, and wider
            // fragments (a larger --max-fragment-qubits) need fewer cuts; narrower ones need more.
            problems.append("sums \(Quantities.format(count: estimate.qpdTerms)) QPD terms per query, more than the limit of \(Quantities.format(count: maxTerms)) (each cut multiplies the terms: allow wider fragments, e.g. a larger --max-fragment-qubits, to cut less)")
        }
        if estimate.work > limits.maxWork {
            problems.append("needs \(Quantities.format(count: estimate.work)) amplitude updates per round, more than the limit of \(Quantities.format(count: limits.maxWork))")
        }
        if let trace = estimate.traceBytes, let limit = limits.maxTraceBytes, trace > limit {
            problems.append("its trace would reach \(Quantities.format(bytes: trace)), more than the \(Quantities.format(bytes: limit)) allowed (limits.max_trace, or the free disk space)")
        }
        guard !problems.isEmpty else { return }
        throw ResourceError("\(what): refused before starting: \(problems.joined(separator: "; ")) (estimate: \(estimate));"
            + " raise a limit (--max-memory, --max-work, --max-qpd-terms, or limits.max_memory / max_work / max_qpd_terms / max_trace in a config), or choose other cuts")
    }

    /// Physical memory of this node: MemTotal in /proc/meminfo, else sysconf pages × page size.
    public static func physicalMemoryBytes() -> UInt64 {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
           let kib = line.split(separator: " ").dropFirst().first.flatMap({ UInt64($0) }) {
            return kib * 1024
        }
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? UInt64(pages) * UInt64(size) : UInt64.max
    }

    /// This program's peak resident memory so far: `VmHWM` of /proc/self/status, else `getrusage`.
    ///
    /// Why not `getrusage` first: Linux folds the address space an `exec` replaces into
    /// `ru_maxrss`, so a process started by fork + exec (or by a launcher whose spawn copies its
    /// memory) reports its parent's peak when that is larger — CI saw 140 MB for a 48 MB run
    /// started from the test runner. `VmHWM` belongs to this program's own address space.
    public static func peakResidentBytes() -> Int {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kib = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap({ Int($0) }) {
            return kib * 1024
        }
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return usage.ru_maxrss * 1024
    }

    /// Free bytes of the file system holding `folder` (nil when it cannot be asked).
    public static func freeDiskBytes(folder: String) -> Double? {
        var s = statvfs()
        guard statvfs(folder, &s) == 0 else { return nil }
        return Double(s.f_bavail) * Double(s.f_frsize)
    }

    /// MPI ranks on this node: OpenMPI's local size, else `worldSize` (one node assumed).
    public static func ranksPerNode(worldSize: Int) -> Int {
        let env = ProcessInfo.processInfo.environment
        return env["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) } ?? worldSize
    }
}
