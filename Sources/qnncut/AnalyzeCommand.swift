/// `qnncut analyze FILE.h5 …`: offline analysis of trace files (docs/hdf5-schema.md) — per run
/// and per task and cut count: plan size, per-query stage times, reconstruction share, training time,
/// accuracy, robustness, stragglers and per-rank utilisation; optionally SVG charts.
///
/// The analysis itself is the TraceAnalysis library (`Analysis`); this file is the command line:
/// arguments, the child-process probe of every file, the output format. No MPI: a failure is one
/// line on stderr and exit code 1.
import ArgumentParser
import Foundation
import TraceAnalysis

struct Analyze: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case markdown, csv, json }

    static let configuration = CommandConfiguration(
        abstract: "Summarise traces.h5 files: per-query stage times, reconstruction share, accuracy, stragglers, ranks.",
        usage: "qnncut analyze <file.h5> ... [--format <format>] [--plots <dir>] ...",
        discussion: """
            Examples:
              qnncut analyze results/*/traces.h5
              qnncut analyze results/*/traces.h5 --format csv > runs.csv
              qnncut analyze a.h5 b.h5 --plots charts/
            Runs are grouped by task (the config name without its cut suffix:
            iris-cuts-2 is task iris) and number of cuts, and labelled by config
            name. A traces.h5 of a resumed training run brings its folder's
            traces.segment-<k>.h5 files along.
            Files of interrupted runs are read up to their last flushed row.
            The schema is documented in docs/hdf5-schema.md.
            """)

    @Argument(help: ArgumentHelp("Trace files written by qnncut train or qnncut estimate --trace.", valueName: "file.h5"))
    var files: [String]

    @Option(help: "Output format: markdown, csv or json.")
    var format: Format = .markdown

    @Option(help: ArgumentHelp("Write SVG charts into this folder.", valueName: "dir"))
    var plots: String?

    @Option(help: "The round of each run the rank chart shows: median (by wall time) or slowest.")
    var rankRound: RankRound = .median

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one trace file") }
    }

    func run() throws {
        do {
            let analysis = try Analysis(files: files, read: TraceReader.probedRead)
            switch format {
            case .markdown: print(analysis.markdown())
            case .csv: print(analysis.csv())
            case .json: print(try analysis.json())
            }
            if let plots {
                let written = try analysis.writeCharts(to: plots, rankRound: rankRound)
                Log.info("wrote \(written.count) charts to \(plots)")
            }
        } catch {
            // One line, whatever the underlying library put in its message.
            Log.error(String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " "))
            Foundation.exit(1)
        }
    }
}

extension TraceReader {
    /// Read a trace — after a child process has read it first. HDF5 1.10 itself crashes (SIGSEGV
    /// inside the library) on some damaged files, and a trace from a shared folder is untrusted
    /// input: the child (this binary's hidden `_read-files`) takes that risk, and a file that
    /// kills it is refused here in one line without ever being parsed in this process.
    static func probedRead(_ path: String) throws -> TraceRun {
        try ReadProbe.survives(path, kind: "--trace") { reason in AnalyzeError("\(path): \(reason)") }
        return try read(path)
    }
}

extension RankRound: ExpressibleByArgument {}
