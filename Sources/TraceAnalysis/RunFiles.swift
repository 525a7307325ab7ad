/// Which files make one run. `qnncut train --resume` keeps the traces of each interrupted attempt
/// as `traces.segment-<k>.h5` next to the new `traces.h5`; analyze reads them as one run, so that
/// its steps, training time and rank rows cover the whole training, not just the last attempt.
import Foundation

enum RunFiles {
    /// The runs named by `paths`, each as its files in the order they were written. A `traces.h5`
    /// brings its folder's segments along; a segment named together with its `traces.h5` is
    /// dropped as a separate run (it is already part of it); any other file is a run of its own.
    static func group(_ paths: [String]) -> [[String]] {
        let mainFiles = Set(paths.filter { ($0 as NSString).lastPathComponent == "traces.h5" }.map(folder))
        var runs: [[String]] = []
        for path in paths {
            let name = (path as NSString).lastPathComponent
            if segmentNumber(name) != nil && mainFiles.contains(folder(path)) { continue }
            runs.append(name == "traces.h5" ? segments(besides: path) + [path] : [path])
        }
        return runs
    }

    /// `traces.segment-<k>.h5` files in the folder of `path`, by k.
    static func segments(besides path: String) -> [String] {
        let dir = folder(path)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.compactMap { name in segmentNumber(name).map { ($0, name) } }
            .sorted { $0.0 < $1.0 }.map { (dir as NSString).appendingPathComponent($0.1) }
    }

    static func segmentNumber(_ name: String) -> Int? {
        guard name.hasPrefix("traces.segment-"), name.hasSuffix(".h5") else { return nil }
        return Int(name.dropFirst("traces.segment-".count).dropLast(".h5".count))
    }

    private static func folder(_ path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }
}

extension TraceRun {
    /// Throws unless the files of one run agree on its config (a segment copied in from another
    /// run would otherwise be merged into this one's numbers).
    public static func checkSameRun(_ attempts: [TraceRun]) throws {
        guard let last = attempts.last else { return }
        for attempt in attempts.dropLast() where attempt.configHash != last.configHash {
            throw AnalyzeError("\(attempt.path): a trace segment of another run (config hash \(attempt.configHash ?? "none"), \(last.path) has \(last.configHash ?? "none")); move it out of the folder or name the files separately")
        }
    }

    /// One run from the files of its attempts, oldest first. Rounds of later attempts are numbered
    /// after the earlier ones' (every attempt counts rounds from 0). A step or epoch that an
    /// attempt redid after resuming from an older checkpoint keeps its latest row.
    public static func merged(_ attempts: [TraceRun]) -> TraceRun {
        guard var run = attempts.last else { preconditionFailure("a run has at least one file") }
        guard attempts.count > 1 else { return run }
        run.queries = []; run.batches = []; run.ranks = []
        var steps: [Int64: Step] = [:], epochs: [Int32: Epoch] = [:]
        var roundOffset: Int64 = 0
        for attempt in attempts {
            run.queries += attempt.queries.map { var q = $0; q.round += roundOffset; return q }
            run.batches += attempt.batches.map { var b = $0; b.round += roundOffset; return b }
            run.ranks += attempt.ranks.map { var r = $0; r.round += roundOffset; return r }
            roundOffset += (attempt.batches.map(\.round).max() ?? -1) + 1
            for s in attempt.steps { steps[s.step] = s }
            for e in attempt.epochs { epochs[e.epoch] = e }
            if run.plans.isEmpty { run.plans = attempt.plans }
            if !attempt.robustness.isEmpty { run.robustness = attempt.robustness }
        }
        run.steps = steps.keys.sorted().map { steps[$0]! }
        run.epochs = epochs.keys.sorted().map { epochs[$0]! }
        run.segments = attempts.count
        return run
    }
}
