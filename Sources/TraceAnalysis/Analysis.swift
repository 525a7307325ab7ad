/// The entry point of trace analysis: read the named files as runs (a resumed run's segments join
/// it), summarise and label each run, group runs by task and cut count, compare stragglers with
/// their baselines — then print the report in one format or write the charts.
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
        var runs = try RunFiles.group(files).map { paths in
            let attempts = try paths.map(read)
            try TraceRun.checkSameRun(attempts)
            let run = TraceRun.merged(attempts)
            return (run, RunSummary(run))
        }
        for (i, label) in RunIdentity.labels(runs).enumerated() { runs[i].1.label = label }
        self.runs = runs
        report = AnalysisReport(runs: runs.map(\.1), groups: RunGroup.groups(runs),
                                stragglers: StragglerComparison.comparisons(runs.map(\.1)))
    }

    public func markdown() -> String { report.markdown() }
    public func csv() -> String { report.csv() }
    public func json() throws -> String { try report.json() }

    /// Writes every chart into `folder` (created if needed); returns the paths written.
    /// - Parameter rankRound: the round of each run the rank chart shows.
    @discardableResult
    public func writeCharts(to folder: String, rankRound: RankRound = .median) throws -> [String] {
        try AnalyzeCharts.write(runs, groups: report.groups, rankRound: rankRound, to: folder)
    }
}
