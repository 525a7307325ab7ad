/// The charts `qnncut analyze --plots DIR` writes: per-stage time and reconstruction share per task
/// and cut count, accuracy against cuts per task, loss curves per run, and a per-rank view of one
/// round per run. Series are labelled by run label or task (`RunIdentity`), never by file path.
import Foundation

/// Which round of a run the rank chart shows.
public enum RankRound: String, CaseIterable, Sendable {
    /// The round of median wall time: what a typical round looks like (the default).
    case median
    /// The round of longest wall time (often the warm-up round that compiles the circuits).
    case slowest
}

enum AnalyzeCharts {
    static let stageColors = ["generate": "#4e79a7", "execute": "#f28e2b", "wait": "#bab0ac", "reconstruct": "#e15759"]
    static let rankColors = [("busy", "#59a14f"), ("communication", "#76b7b2"), ("injected delay", "#edc948"), ("idle", "#bab0ac")]

    /// Writes every chart into `folder` (created if needed) and returns the paths written.
    static func write(_ runs: [(TraceRun, RunSummary)], groups: [RunGroup], rankRound: RankRound = .median,
                      to folder: String) throws -> [String] {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw AnalyzeError("--plots \(folder): cannot create the folder (\(error.localizedDescription))")
        }
        return try charts(runs, groups: groups, rankRound: rankRound).map { name, chart in
            let path = (folder as NSString).appendingPathComponent(name)
            try chart.write(to: path)
            return path
        }
    }

    /// Every chart by file name.
    static func charts(_ runs: [(TraceRun, RunSummary)], groups: [RunGroup], rankRound: RankRound = .median)
        -> [(String, SVGChart)] {
        [
            ("stages-vs-cuts.svg", stagesAgainstCuts(runs)),
            ("reconstruction-share-vs-cuts.svg", reconstructionShare(groups)),
            ("accuracy-vs-cuts.svg", accuracyAgainstCuts(runs.map(\.1))),
            ("loss-curves.svg", lossCurves(runs)),
            ("rank-timeline.svg", rankTimeline(runs, round: rankRound)),
        ]
    }

    /// Labels the categories of a bar chart: the cut count under each group and, when there are
    /// several tasks, the task's name under its cut counts.
    static func categoryLabels(_ keys: [RunGroup.Key], _ chart: inout SVGChart) {
        let tasks = Set(keys.map(\.task))
        for (i, key) in keys.enumerated() {
            let (x, width) = band(i, of: keys.count, chart)
            chart.text("\(key.cuts)", x: x + width / 2, y: chart.xLabelY(0), anchor: "middle")
        }
        guard tasks.count > 1 else { return }
        chart.xLabelRows = 2
        for task in tasks.sorted() {
            let members = keys.indices.filter { keys[$0].task == task }
            let first = band(members.first!, of: keys.count, chart), last = band(members.last!, of: keys.count, chart)
            let span = last.x + last.width - first.x + 0.4 * (chart.right - chart.left) / Double(max(keys.count, 1))
            let name = SVGChart.textWidth(task, size: 11) <= span ? task : String(task.prefix(max(Int(span / 6.6) - 1, 1))) + "…"
            chart.text(name, x: (first.x + last.x + last.width) / 2, y: chart.xLabelY(1), anchor: "middle", bold: true)
        }
    }

    /// Per task and cut count: the median ms per query of each stage (bar) with a whisker to its
    /// p95, on a log axis (generate takes microseconds, execute milliseconds).
    static func stagesAgainstCuts(_ runs: [(TraceRun, RunSummary)]) -> SVGChart {
        var chart = SVGChart(title: "Per-query time by stage: median, whisker to p95")
        let grouped = RunGroup.grouped(runs)
        let hasWait = runs.contains { $0.0.queries.contains { $0.wait_s > 0 } }
        let stages = ["generate", "execute"] + (hasWait ? ["wait"] : []) + ["reconstruct"]
        let spreads: [[Spread]] = grouped.map { _, members in
            let q = members.flatMap { $0.0.queries }
            return stages.map { stage in
                Spread(q.map { query in
                    1000 * (stage == "generate" ? query.generate_s : stage == "execute" ? query.execute_s
                        : stage == "wait" ? query.wait_s : query.reconstruct_s)
                })
            }
        }
        let positive = spreads.flatMap { $0.flatMap { [$0.median, $0.p95] } }.compactMap { $0 }.filter { $0 > 0 }
        let y = LogScale(positive.min() ?? 1e-3, positive.max() ?? 1, pixels: chart.bottom, chart.top)
        chart.axes(y: y, yLabel: "ms per query (log scale)", xLabel: "cuts")
        for (i, (key, _)) in grouped.enumerated() {
            let (x, width) = band(i, of: grouped.count, chart)
            let bar = width / Double(stages.count)
            for (j, stage) in stages.enumerated() {
                let s = spreads[i][j]
                guard let median = s.median, let p95 = s.p95 else { continue }
                let bx = x + Double(j) * bar
                let tip = String(format: "%@, %d cuts, %@: median %.4g ms, p95 %.4g ms", key.task, key.cuts, stage, median, p95)
                if median > 0 {
                    chart.rect(x: bx, y: y(median), width: bar - 1, height: chart.bottom - y(median), color: stageColors[stage]!,
                               tooltip: tip)
                }
                if p95 > median && p95 > 0 { chart.whisker(x: bx + bar / 2, from: y(median), to: y(p95)) }
            }
        }
        categoryLabels(grouped.map(\.key), &chart)
        for stage in stages { chart.legend(stage, color: stageColors[stage]!) }
        if grouped.isEmpty { chart.emptyNote("no queries in the inputs") }
        return chart
    }

    /// Median and p95 of reconstruct ÷ total per query, per task and cut count.
    static func reconstructionShare(_ groups: [RunGroup]) -> SVGChart {
        var chart = SVGChart(title: "Reconstruction share of a query")
        let y = LinearScale(0, 100, pixels: chart.bottom, chart.top)
        chart.axes(y: y, yLabel: "reconstruction % of the query", xLabel: "cuts")
        for (i, g) in groups.enumerated() {
            let (x, width) = band(i, of: groups.count, chart)
            for (j, (label, share)) in [("median", g.reconstructionShare.median), ("p95", g.reconstructionShare.p95)].enumerated() {
                guard let share else { continue }
                chart.rect(x: x + Double(j) * width / 2, y: y(100 * share), width: width / 2 - 1,
                           height: chart.bottom - y(100 * share), color: SVGChart.palette[j],
                           tooltip: String(format: "%@, %d cuts, %@: %.1f %%", g.task, g.cuts, label, 100 * share))
            }
        }
        categoryLabels(groups.map { RunGroup.Key(task: $0.task, cuts: $0.cuts) }, &chart)
        chart.legend("median", color: SVGChart.palette[0])
        chart.legend("p95", color: SVGChart.palette[1])
        if groups.isEmpty { chart.emptyNote("no queries in the inputs") }
        return chart
    }

    /// Final test accuracy of every training run at its cut count, one colour per task, and a line
    /// through each task's median accuracy per cut count.
    static func accuracyAgainstCuts(_ summaries: [RunSummary]) -> SVGChart {
        var chart = SVGChart(title: "Final test accuracy against cuts")
        let trained = summaries.filter { $0.finalTestAccuracy != nil && $0.cuts != nil }
        let cuts = trained.map { $0.cuts! }
        let x = LinearScale(Double(cuts.min() ?? 0) - 0.5, Double(cuts.max() ?? 1) + 0.5, pixels: chart.left, chart.right)
        let y = LinearScale(0, 1, pixels: chart.bottom, chart.top)
        chart.axes(y: y, yLabel: "test accuracy", xLabel: "cuts")
        for k in Set(cuts).sorted() { chart.text("\(k)", x: x(Double(k)), y: chart.xLabelY(0), anchor: "middle") }
        let tasks = Array(Set(trained.map(\.task))).sorted()
        for (t, task) in tasks.enumerated() {
            let color = SVGChart.palette[t % SVGChart.palette.count]
            let runs = trained.filter { $0.task == task }
            // Runs at the same cut count sit side by side, so equal accuracies stay visible.
            // Each task has its own lane around the cut count when there are several.
            let lane = tasks.count > 1 ? 0.3 * (Double(t) / Double(tasks.count - 1) - 0.5) : 0
            var seenAtCuts: [Int: Int] = [:]
            for run in runs {
                let k = seenAtCuts[run.cuts!, default: 0]
                seenAtCuts[run.cuts!] = k + 1
                chart.dot(x: x(Double(run.cuts!) + lane + 0.03 * Double(k % 5)), y: y(run.finalTestAccuracy!), color: color,
                          tooltip: String(format: "%@: %.3f", run.label, run.finalTestAccuracy!))
            }
            let medians = Dictionary(grouping: runs, by: { $0.cuts! }).sorted { $0.key < $1.key }.map { k, members in
                (x(Double(k) + lane), y(Spread(members.map { $0.finalTestAccuracy! }).median!))
            }
            if medians.count > 1 { chart.polyline(medians, color: color, dashed: true) }
            chart.legend("\(task) (\(runs.count) run\(runs.count == 1 ? "" : "s"))", color: color)
        }
        if trained.isEmpty { chart.emptyNote("no training runs with a finished epoch in the inputs") }
        return chart
    }

    /// Training loss per optimiser step, one line per training run.
    static func lossCurves(_ runs: [(TraceRun, RunSummary)]) -> SVGChart {
        var chart = SVGChart(title: "Training loss per step")
        let trained = runs.filter { !$0.0.steps.isEmpty }
        let steps = trained.flatMap { $0.0.steps.map { Double($0.step) } }
        let losses = trained.flatMap { $0.0.steps.map(\.loss) }
        let x = LinearScale(steps.min() ?? 0, steps.max() ?? 1, pixels: chart.left, chart.right)
        let y = LinearScale(0, losses.max() ?? 1, pixels: chart.bottom, chart.top)
        chart.axes(y: y, yLabel: "loss (BCE)", xLabel: "step")
        for tick in x.ticks { chart.text(SVGChart.tickLabel(tick), x: x(tick), y: chart.xLabelY(0), anchor: "middle") }
        for (i, (run, summary)) in trained.enumerated() {
            let color = SVGChart.palette[i % SVGChart.palette.count]
            chart.polyline(run.steps.map { (x(Double($0.step)), y($0.loss)) }, color: color, dashed: (i / SVGChart.palette.count) % 2 == 1)
            chart.legend(summary.label, color: color)
        }
        if trained.isEmpty { chart.emptyNote("no training runs in the inputs") }
        return chart
    }

    static let maxRankPanels = 8

    /// One round per run — the median round by wall time unless asked otherwise — with each
    /// rank's busy, communication, injected-delay and idle seconds laid end to end. The trace holds
    /// per-round totals, not timestamps, so the order within a bar is a convention, not a record.
    static func rankTimeline(_ runs: [(TraceRun, RunSummary)], round which: RankRound = .median) -> SVGChart {
        // Runs with several ranks show what the chart is for; single-rank runs only when there are no others.
        let multiRank = runs.filter { $0.1.rankUtilisation.count > 1 }
        let candidates = multiRank.isEmpty ? runs : multiRank
        let panels = candidates.compactMap { run, summary -> (String, [TraceRun.Rank])? in
            guard let round = chosenRound(run, which) else { return nil }
            let rows = run.ranks.filter { $0.step == round.step && $0.round == round.round }.sorted { $0.rank < $1.rank }
            let which = round.of == 1 ? "its only round" : "\(which.rawValue) of \(round.of)"
            return ("\(summary.label): step \(round.step), round \(round.round) (\(which))", rows)
        }.prefix(maxRankPanels)
        let shown = panels.count < candidates.count ? " (\(panels.count) of \(candidates.count) runs)" : ""
        let title = "Per-rank time in the \(which.rawValue) round of each run" + shown
        let titleLines = panels.map { SVGChart.wrap($0.0, size: 11, maxWidth: 760 - 24 - 70 - 8) }
        let barCount = panels.reduce(0) { $0 + $1.1.count }
        let height = max(120, 20 + Double(barCount) * 22 + Double(titleLines.reduce(0) { $0 + $1.count }) * 14 + Double(panels.count) * 6)
        var chart = SVGChart(title: title, plotHeight: height)
        let longest = panels.flatMap { $0.1.map { $0.busy_s + $0.comm_s + $0.delay_s + $0.idle_s } }.max() ?? 1
        let x = LinearScale(0, longest, pixels: chart.left + 110, chart.right)
        chart.frame(xLabel: "seconds in the round")
        for tick in x.ticks { chart.text(SVGChart.tickLabel(tick), x: x(tick), y: chart.xLabelY(0), anchor: "middle") }
        var row = chart.top + 6
        for ((_, ranks), lines) in zip(panels, titleLines) {
            for line in lines {
                chart.text(line, x: chart.left + 4, y: row + 10, size: 11, bold: true)
                row += 14
            }
            row += 4
            for r in ranks {
                chart.text("rank \(r.rank)", x: chart.left + 104, y: row + 12, anchor: "end")
                var start = 0.0
                for (i, seconds) in [r.busy_s, r.comm_s, r.delay_s, r.idle_s].enumerated() {
                    chart.rect(x: x(start), y: row, width: x(start + seconds) - x(start), height: 16, color: rankColors[i].1,
                               tooltip: String(format: "rank %d %@: %.4g s", r.rank, rankColors[i].0, seconds))
                    start += seconds
                }
                row += 22
            }
            row += 2
        }
        for (label, color) in rankColors { chart.legend(label, color: color) }
        if panels.isEmpty { chart.emptyNote("no rank rows in the inputs") }
        return chart
    }

    /// The round to show: of the rounds ordered by wall time (the slowest rank's busy + comm +
    /// delay + idle), the median (lower middle) or the last; `of` is the number of rounds.
    static func chosenRound(_ run: TraceRun, _ which: RankRound) -> (step: Int64, round: Int64, of: Int)? {
        var wall: [String: (step: Int64, round: Int64, seconds: Double)] = [:]
        for r in run.ranks {
            let key = "\(r.step)/\(r.round)"
            let seconds = r.busy_s + r.comm_s + r.delay_s + r.idle_s
            let old = wall[key] ?? (r.step, r.round, 0)
            wall[key] = (r.step, r.round, max(old.seconds, seconds))
        }
        let ordered = wall.values.sorted { ($0.seconds, $0.step, $0.round) < ($1.seconds, $1.step, $1.round) }
        guard !ordered.isEmpty else { return nil }
        let chosen = which == .median ? ordered[(ordered.count - 1) / 2] : ordered[ordered.count - 1]
        return (chosen.step, chosen.round, ordered.count)
    }

    /// The x position and width of bar group `i` of `count` across the plot.
    static func band(_ i: Int, of count: Int, _ chart: SVGChart) -> (x: Double, width: Double) {
        let slot = (chart.right - chart.left) / Double(max(count, 1))
        return (chart.left + Double(i) * slot + slot * 0.2, slot * 0.6)
    }
}
