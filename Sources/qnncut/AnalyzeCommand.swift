/// `qnncut analyze FILE.h5 …`: offline analysis of trace files (docs/hdf5-schema.md) — per run
/// and per cut count: plan size, per-query stage times, reconstruction share, training time,
/// accuracy, robustness, stragglers and per-rank utilisation; optionally SVG charts.
///
/// Flow: group the files into runs (`RunFiles`: a resumed run's segments join it), read and check
/// every file (`TraceReader`), summarise each run (`RunSummary`), pool runs
/// by cut count (`CutGroup`) and stragglers against their baselines (`StragglerComparison`),
/// print one format (`AnalysisReport`), write the charts (`AnalyzeCharts`). No MPI: a failure is
/// one line on stderr and exit code 1.
import ArgumentParser
import Foundation

struct Analyze: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case markdown, csv, json }

    static let configuration = CommandConfiguration(
        abstract: "Summarise traces.h5 files: per-query stage times, reconstruction share, accuracy, stragglers, ranks.",
        discussion: """
            Examples:
              qnncut analyze results/*/traces.h5
              qnncut analyze results/*/traces.h5 --format csv > runs.csv
              qnncut analyze a.h5 b.h5 --plots charts/
            Runs are grouped by their number of cuts. A traces.h5 of a resumed
            training run brings its folder's traces.segment-<k>.h5 files along.
            Files of interrupted runs are read up to their last flushed row.
            The schema is documented in docs/hdf5-schema.md.
            """)

    @Argument(help: ArgumentHelp("Trace files written by qnncut train or qnncut estimate --trace.", valueName: "file.h5"))
    var files: [String]

    @Option(help: "Output format: markdown, csv or json.")
    var format: Format = .markdown

    @Option(help: ArgumentHelp("Write SVG charts into this folder.", valueName: "dir"))
    var plots: String?

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one trace file") }
    }

    func run() throws {
        do {
            let runs = try RunFiles.group(files).map { paths in
                let attempts = try paths.map(TraceReader.read)
                try TraceRun.checkSameRun(attempts)
                let run = TraceRun.merged(attempts)
                return (run, RunSummary(run))
            }
            let report = AnalysisReport(runs: runs.map(\.1), byCuts: CutGroup.groups(runs),
                                        stragglers: StragglerComparison.comparisons(runs.map(\.1)))
            switch format {
            case .markdown: print(report.markdown())
            case .csv: print(report.csv())
            case .json: print(try report.json())
            }
            if let plots {
                let written = try AnalyzeCharts.write(runs, groups: report.byCuts, to: plots)
                Log.info("wrote \(written.count) charts to \(plots)")
            }
        } catch {
            // One line, whatever the underlying library put in its message.
            Log.error(String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " "))
            Foundation.exit(1)
        }
    }
}
