/// The tables trace analysis prints (`qnncut analyze`): Markdown (the paper's table first, then per-run detail),
/// CSV (one row per run and one per cut count, same columns) and JSON (every summary).
import Foundation

/// A table of already formatted cells, rendered as Markdown or CSV.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    func markdown() -> String {
        let line = { (cells: [String]) in "| " + cells.joined(separator: " | ") + " |" }
        return ([line(headers), line(headers.map { _ in "---" })] + rows.map(line)).joined(separator: "\n")
    }

    func csv() -> String {
        let quote = { (cell: String) in
            cell.contains(where: { ",\"\n".contains($0) }) ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }
        return ([headers] + rows).map { $0.map(quote).joined(separator: ",") }.joined(separator: "\n")
    }
}

/// Everything analyze found, ready to print.
public struct AnalysisReport: Codable {
    var runs: [RunSummary]
    /// Runs pooled by task and cut count.
    var groups: [RunGroup]
    var stragglers: [StragglerComparison]

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public func markdown() -> String {
        var out = ["# qnncut analyze: \(runs.count) run(s)", "",
                   "## By task and cut count", "", paperTable().markdown(), "",
                   "## Runs", "", runTable().markdown(), "",
                   "## Per-query stage times (ms; wait = waiting for the slowest rank; partition is a one-off per plan)", "",
                   stageTable().markdown(), "",
                   "## One-off setup (seconds per run)", "", setupTable().markdown(), "",
                   "## Query kinds (gradient: values and ∂E/∂θ; forward: values only)", "", kindTable().markdown(), ""]
        let robustness = robustnessTable()
        out += ["## Robustness", ""] + (robustness.rows.isEmpty ? ["No training runs with a robustness sweep."] : [robustness.markdown()]) + [""]
        out += ["## Stragglers", ""] + (stragglers.isEmpty ? ["No runs with injected stragglers."] : [stragglerTable().markdown()]) + [""]
        out += ["## Per-rank utilisation (seconds summed over the run)", "", rankTable().markdown()]
        return out.joined(separator: "\n")
    }

    /// The label of the run whose file is `path`.
    func label(of path: String) -> String { runs.first { $0.run == path }?.label ?? path }

    /// task, cuts, sub-circuits per query, per-query ms, reconstruction %, accuracy: as in the paper.
    func paperTable() -> TextTable {
        TextTable(headers: ["task", "cuts", "runs", "sub-circuits per query", "per-query ms (median)", "per-query ms (p95)",
                            "reconstruction % (median)", "reconstruction % (p95)", "test accuracy"],
                  rows: groups.map { g in
                      [g.task, "\(g.cuts)", "\(g.runs.count)", number(g.subexperiments), number(g.perQueryMs.median),
                       number(g.perQueryMs.p95), percent(g.reconstructionShare.median), percent(g.reconstructionShare.p95),
                       number(g.testAccuracy)]
                  })
    }

    func runTable() -> TextTable {
        TextTable(headers: ["run", "task", "cuts", "QPD terms", "sub-experiments", "ranks", "policy", "queries",
                            "ms/query mean", "median", "p95", "reconstruction % median", "p95", "training s", "test accuracy",
                            "file"],
                  rows: runs.map { r in
                      [r.segments > 1 ? "\(r.label) (\(r.segments) attempts)" : r.label, r.task, count(r.cuts), number(r.terms), number(r.subexperiments), "\(r.ranks)", r.policy, "\(r.queries)",
                       number(r.perQueryMs.total.mean), number(r.perQueryMs.total.median), number(r.perQueryMs.total.p95),
                       percent(r.reconstructionShare.median), percent(r.reconstructionShare.p95),
                       number(r.trainingSeconds), number(r.finalTestAccuracy), r.run]
                  })
    }

    func stageTable() -> TextTable {
        var table = TextTable(headers: ["run", "stage", "mean", "median", "p95"])
        for r in runs {
            let t = r.perQueryMs
            for (stage, spread) in [("generate", t.generate), ("execute", t.execute), ("wait", t.wait),
                                   ("reconstruct", t.reconstruct), ("total", t.total)] {
                table.rows.append([r.label, stage, number(spread.mean), number(spread.median), number(spread.p95)])
            }
        }
        return table
    }

    /// Cut search (partition), blueprint broadcast, the slowest rank's plan derivation and the
    /// digest agreement: what a run pays once, never charged to a query.
    func setupTable() -> TextTable {
        let keys = ["partition_s", "plan_broadcast_s", "plan_derive_s", "plan_agree_s"]
        return TextTable(headers: ["run", "partition", "plan broadcast", "plan derive (slowest rank)", "plan agree"],
                         rows: runs.map { r in [r.label] + keys.map { r.setupSeconds[$0].map { number($0) } ?? "–" } })
    }

    func kindTable() -> TextTable {
        TextTable(headers: ["run", "kind", "queries", "ms/query median", "p95", "reconstruction % median", "p95"],
                  rows: runs.flatMap { r in
                      r.queryKinds.map { k in
                          [r.label, k.kind, "\(k.queries)", number(k.perQueryMs.median), number(k.perQueryMs.p95),
                           percent(k.reconstructionShare.median), percent(k.reconstructionShare.p95)]
                      }
                  })
    }

    func robustnessTable() -> TextTable {
        TextTable(headers: ["run", "attack", "strength (rad)", "test accuracy"],
                  rows: runs.flatMap { r in r.robustness.map { [r.label, $0.attack, number($0.strength), number($0.testAccuracy)] } })
    }

    func stragglerTable() -> TextTable {
        TextTable(headers: ["run", "cuts", "ranks", "policy", "straggler ranks", "injected delay s", "ms/query",
                            "baseline ms/query", "slowdown %", "training s", "baseline training s", "training slowdown %"],
                  rows: stragglers.map { s in
                      [label(of: s.run), count(s.cuts), "\(s.ranks)", s.policy, s.stragglerRanks.map(String.init).joined(separator: " "),
                       number(s.injectedDelaySeconds), number(s.perQueryMs), number(s.baselinePerQueryMs),
                       number(s.perQuerySlowdownPercent), number(s.trainingSeconds), number(s.baselineTrainingSeconds),
                       number(s.trainingSlowdownPercent)]
                  })
    }

    func rankTable() -> TextTable {
        TextTable(headers: ["run", "rank", "busy s", "idle s", "comm s", "delay s", "busy %"],
                  rows: runs.flatMap { r in
                      r.rankUtilisation.map { u in
                          [r.label, "\(u.rank)", number(u.busy_s), number(u.idle_s), number(u.comm_s), number(u.delay_s),
                           percent(u.busy_share)]
                      }
                  })
    }

    /// One row per run (scope = its path) and one per task and cut count (scope = "task/cuts=k"),
    /// same columns.
    public func csv() -> String {
        var table = TextTable(headers: [
            "scope", "task", "label", "cuts", "terms", "subexperiments", "ranks", "policy", "queries", "query_ms_mean", "query_ms_median",
            "query_ms_p95", "generate_ms_median", "execute_ms_median", "reconstruct_ms_median",
            "reconstruction_share_median", "reconstruction_share_p95", "training_s", "steps", "test_accuracy",
            "straggler_ranks", "injected_delay_s"])
        for r in runs {
            let t = r.perQueryMs
            table.rows.append([
                r.run, r.task, r.label, r.cuts.map(String.init) ?? "", raw(r.terms), raw(r.subexperiments), "\(r.ranks)", r.policy, "\(r.queries)",
                raw(t.total.mean), raw(t.total.median), raw(t.total.p95), raw(t.generate.median), raw(t.execute.median),
                raw(t.reconstruct.median), raw(r.reconstructionShare.median), raw(r.reconstructionShare.p95),
                raw(r.trainingSeconds), "\(r.steps)", raw(r.finalTestAccuracy),
                r.stragglerRanks.map(String.init).joined(separator: " "), raw(r.injectedDelaySeconds)])
        }
        for g in groups {
            table.rows.append([
                "\(g.task)/cuts=\(g.cuts)", g.task, "", "\(g.cuts)", "", raw(g.subexperiments), "", "", "", raw(g.perQueryMs.mean),
                raw(g.perQueryMs.median), raw(g.perQueryMs.p95), "", "", "", raw(g.reconstructionShare.median),
                raw(g.reconstructionShare.p95), raw(g.trainingSeconds), "", raw(g.testAccuracy), "", ""])
        }
        return table.csv()
    }
}

/// Four significant digits for people; "–" for no value.
private func number(_ x: Double?) -> String {
    guard let x else { return "–" }
    if x == x.rounded() && abs(x) < 1e6 { return String(format: "%.0f", x) }
    return abs(x) >= 100 ? String(format: "%.1f", x) : String(format: "%.4g", x)
}

private func count(_ n: Int?) -> String { n.map(String.init) ?? "–" }

private func percent(_ share: Double?) -> String {
    guard let share else { return "–" }
    return String(format: "%.1f", 100 * share)
}

/// Full precision for machines; empty for no value.
private func raw(_ x: Double?) -> String {
    guard let x else { return "" }
    return "\(x)"
}
