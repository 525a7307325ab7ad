/// The entry point of trace analysis: read the named files as runs (a resumed run's segments join
/// it), summarise each run, group runs by task and cut count, compare stragglers with their
/// baselines — then print the report in one format or write the charts.
///
/// ```swift
/// let analysis = try Analysis(files: ["results/iris/traces.h5"])
/// print(analysis.markdown())
/// try analysis.writeCharts(to: "charts")
/// ```
import Foundation

public struct Analysis {
    public let report: AnalysisReport
    let runs: [(TraceRun, RunSummary)]

    /// - Parameter read: how one file is read; `qnncut analyze` probes each in a child process first.
    public init(files: [String], read: (String) throws -> TraceRun = TraceReader.read) throws {
        runs = try RunFiles.group(files).map { paths in
            let attempts = try paths.map(read)
            try TraceRun.checkSameRun(attempts)
            let run = TraceRun.merged(attempts)
            return (run, RunSummary(run))
        }
        report = AnalysisReport(runs: runs.map(\.1), byCuts: CutGroup.groups(runs),
                                stragglers: StragglerComparison.comparisons(runs.map(\.1)))
    }

    public func markdown() -> String { report.markdown() }
    public func csv() -> String { report.csv() }
    public func json() throws -> String { try report.json() }

    /// Writes every chart into `folder` (created if needed); returns the paths written.
    @discardableResult
    public func writeCharts(to folder: String) throws -> [String] {
        try AnalyzeCharts.write(runs, groups: report.byCuts, to: folder)
    }
}
