/// The charts `qnncut analyze --plots DIR` writes: per-stage time, reconstruction share and
/// accuracy against the number of cuts; loss curves; and a per-rank view of one round.
import Foundation

enum AnalyzeCharts {
    static let stageColors = ["generate": "#4e79a7", "execute": "#f28e2b", "reconstruct": "#e15759"]
    static let rankColors = [("busy", "#59a14f"), ("communication", "#76b7b2"), ("injected delay", "#edc948"), ("idle", "#bab0ac")]

    /// Writes every chart into `folder` (created if needed) and returns the paths written.
    static func write(_ runs: [(TraceRun, RunSummary)], groups: [CutGroup], to folder: String) throws -> [String] {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw AnalyzeError("--plots \(folder): cannot create the folder (\(error.localizedDescription))")
        }
        let charts: [(String, SVGChart)] = [
            ("stages-vs-cuts.svg", stagesAgainstCuts(runs)),
            ("reconstruction-share-vs-cuts.svg", reconstructionShare(groups)),
            ("accuracy-vs-cuts.svg", accuracyAgainstCuts(runs.map(\.1))),
            ("loss-curves.svg", lossCurves(runs)),
            ("rank-timeline.svg", rankTimeline(runs)),
        ]
        return try charts.map { name, chart in
            let path = (folder as NSString).appendingPathComponent(name)
            try chart.write(to: path)
            return path
        }
    }

    /// Stacked bars: mean per-query ms of generate, execute and reconstruct, per cut count.
    static func stagesAgainstCuts(_ runs: [(TraceRun, RunSummary)]) -> SVGChart {
        var chart = SVGChart(title: "Per-query time by stage against cuts")
        let groups = Dictionary(grouping: runs.filter { $0.1.cuts != nil }, by: { $0.1.cuts! }).sorted { $0.key < $1.key }.map { cuts, members in
            let q = members.flatMap { $0.0.queries }
            let mean = { (pick: (TraceRun.Query) -> Double) in q.isEmpty ? 0 : 1000 * q.map(pick).reduce(0, +) / Double(q.count) }
            return (cuts, [("generate", mean { $0.generate_s }), ("execute", mean { $0.execute_s }),
                           ("reconstruct", mean { $0.reconstruct_s })])
        }
        let y = LinearScale(0, groups.map { $0.1.reduce(0) { $0 + $1.1 } }.max() ?? 1, pixels: chart.bottom, chart.top)
        chart.axes(y: y, yLabel: "mean ms per query", xLabel: "cuts")
        for (i, (cuts, stages)) in groups.enumerated() {
            let (x, width) = band(i, of: groups.count, chart)
            var base = 0.0
            for (stage, ms) in stages {
                chart.rect(x: x, y: y(base + ms), width: width, height: y(base) - y(base + ms), color: stageColors[stage]!,
                           tooltip: String(format: "%d cuts, %@: %.4g ms", cuts, stage, ms))
                base += ms
            }
            chart.text("\(cuts)", x: x + width / 2, y: chart.bottom + 16, anchor: "middle")
        }
        for stage in ["generate", "execute", "reconstruct"] { chart.legend(stage, color: stageColors[stage]!) }
        if groups.isEmpty { chart.emptyNote("no queries in the inputs") }
        return chart
    }

    /// Median and p95 of reconstruct ÷ total per query, per cut count.
    static func reconstructionShare(_ groups: [CutGroup]) -> SVGChart {
        var chart = SVGChart(title: "Reconstruction share of a query against cuts")
        let y = LinearScale(0, 100, pixels: chart.bottom, chart.top)
        chart.axes(y: y, yLabel: "reconstruction % of the query", xLabel: "cuts")
        for (i, g) in groups.enumerated() {
            let (x, width) = band(i, of: groups.count, chart)
            for (j, (label, share)) in [("median", g.reconstructionShare.median), ("p95", g.reconstructionShare.p95)].enumerated() {
                guard let share else { continue }
                chart.rect(x: x + Double(j) * width / 2, y: y(100 * share), width: width / 2 - 2,
                           height: chart.bottom - y(100 * share), color: SVGChart.palette[j],
                           tooltip: String(format: "%d cuts, %@: %.1f %%", g.cuts, label, 100 * share))
            }
            chart.text("\(g.cuts)", x: x + width / 2, y: chart.bottom + 16, anchor: "middle")
        }
        chart.legend("median", color: SVGChart.palette[0])
        chart.legend("p95", color: SVGChart.palette[1])
        if groups.isEmpty { chart.emptyNote("no queries in the inputs") }
        return chart
    }

    /// Final test accuracy of each training run at its cut count.
    static func accuracyAgainstCuts(_ summaries: [RunSummary]) -> SVGChart {
        var chart = SVGChart(title: "Final test accuracy against cuts")
        let trained = summaries.filter { $0.finalTestAccuracy != nil && $0.cuts != nil }
        let cuts = trained.map { $0.cuts! }
        let x = LinearScale(Double(cuts.min() ?? 0) - 0.5, Double(cuts.max() ?? 1) + 0.5, pixels: chart.left, chart.right)
        let y = LinearScale(0, 1, pixels: chart.bottom, chart.top)
        chart.axes(y: y, yLabel: "test accuracy", xLabel: "cuts")
        for k in Set(cuts).sorted() { chart.text("\(k)", x: x(Double(k)), y: chart.bottom + 16, anchor: "middle") }
        var seenAtCuts: [Int: Int] = [:]
        for (i, run) in trained.enumerated() {
            let color = SVGChart.palette[i % SVGChart.palette.count]
            // Runs at the same cut count sit side by side, so equal accuracies stay visible.
            let k = seenAtCuts[run.cuts!, default: 0]
            seenAtCuts[run.cuts!] = k + 1
            chart.dot(x: x(Double(run.cuts!) + 0.04 * Double(k)), y: y(run.finalTestAccuracy!), color: color,
                      tooltip: String(format: "%@: %.3f", run.run, run.finalTestAccuracy!))
            chart.legend(run.run, color: color)
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
        for tick in x.ticks { chart.text(SVGChart.tickLabel(tick), x: x(tick), y: chart.bottom + 16, anchor: "middle") }
        for (i, (run, summary)) in trained.enumerated() {
            let color = SVGChart.palette[i % SVGChart.palette.count]
            chart.polyline(run.steps.map { (x(Double($0.step)), y($0.loss)) }, color: color)
            chart.legend(summary.run, color: color)
        }
        if trained.isEmpty { chart.emptyNote("no training runs in the inputs") }
        return chart
    }

    /// One round per run (the one with the most injected delay, else the slowest): each rank's
    /// busy, communication, injected-delay and idle seconds, laid end to end. The trace holds
    /// per-round totals, not timestamps, so the order within a bar is a convention, not a record.
    static func rankTimeline(_ runs: [(TraceRun, RunSummary)]) -> SVGChart {
        // Runs with several ranks show what the chart is for; single-rank runs only when there are no others.
        let multiRank = runs.filter { $0.1.rankUtilisation.count > 1 }
        let panels = (multiRank.isEmpty ? runs : multiRank).compactMap { run, summary -> (String, [TraceRun.Rank])? in
            guard let round = chosenRound(run) else { return nil }
            let rows = run.ranks.filter { $0.step == round.step && $0.round == round.round }.sorted { $0.rank < $1.rank }
            return ("\(SVGChart.shorten(summary.run)) step \(round.step) round \(round.round)", rows)
        }.prefix(8)
        let barCount = panels.reduce(0) { $0 + $1.1.count }
        var chart = SVGChart(title: "Per-rank time in one round", height: max(260, 110 + Double(barCount + panels.count) * 22))
        let longest = panels.flatMap { $0.1.map { $0.busy_s + $0.comm_s + $0.delay_s + $0.idle_s } }.max() ?? 1
        let x = LinearScale(0, longest, pixels: chart.left + 110, chart.right)
        chart.frame(xLabel: "seconds in the round")
        for tick in x.ticks { chart.text(SVGChart.tickLabel(tick), x: x(tick), y: chart.bottom + 16, anchor: "middle") }
        var row = chart.top + 10
        for (title, ranks) in panels {
            chart.text(title, x: chart.left + 4, y: row + 10, size: 11, bold: true)
            row += 18
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
        }
        for (label, color) in rankColors { chart.legend(label, color: color) }
        if panels.isEmpty { chart.emptyNote("no rank rows in the inputs") }
        return chart
    }

    static func chosenRound(_ run: TraceRun) -> (step: Int64, round: Int64)? {
        var delay: [String: (Int64, Int64, Double, Double)] = [:]
        for r in run.ranks {
            let key = "\(r.step)/\(r.round)"
            let old = delay[key] ?? (r.step, r.round, 0, 0)
            delay[key] = (r.step, r.round, old.2 + r.delay_s, max(old.3, r.busy_s + r.comm_s + r.delay_s + r.idle_s))
        }
        guard let best = delay.values.max(by: { ($0.2, $0.3) < ($1.2, $1.3) }) else { return nil }
        return (best.0, best.1)
    }

    /// The x position and width of bar group `i` of `count` across the plot.
    static func band(_ i: Int, of count: Int, _ chart: SVGChart) -> (x: Double, width: Double) {
        let slot = (chart.right - chart.left) / Double(max(count, 1))
        return (chart.left + Double(i) * slot + slot * 0.2, slot * 0.6)
    }
}
