/// `qnncut analyze` over real traces: the paper's table, per-run numbers that agree with the raw
/// HDF5 rows, CSV and JSON forms, the straggler comparison, and SVG charts that render.
import Foundation
import HDF5
import TestSupport
import Testing

@Suite(.serialized)
struct AnalyzeTests {
    struct QueryTimes: BitwiseCopyable { var total_s: Double; var reconstruct_s: Double }
    static let queryLayout = try! CompoundLayout<QueryTimes>([.field("total_s", \.total_s), .field("reconstruct_s", \.reconstruct_s)])

    static func analyze(_ arguments: [String]) throws -> ProcessResult {
        let result = try ProcessRunner.qnncut(["analyze"] + arguments)
        try #require(result.exitCode == 0, "analyze \(arguments): exit \(result.exitCode): \(result.stderr)")
        return result
    }

    /// The q-quantile with linear interpolation (numpy's default), from the definition.
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        let s = values.sorted()
        let h = Double(s.count - 1) * q
        let i = Int(h)
        return i + 1 < s.count ? s[i] + (h - Double(i)) * (s[i + 1] - s[i]) : s[i]
    }

    static func close(_ a: Double?, _ b: Double, relative: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= relative * max(abs(b), 1e-12)
    }

    @Test("JSON numbers agree with the plan attributes and the raw query rows of every file")
    func jsonAgreesWithRawRows() throws {
        let fixtures = try AnalyzeFixtures.get()
        let report = try AnalyzeJSON.decode(Self.analyze(fixtures.allTraces + ["--format", "json"]).stdout)
        try #require(report.runs.count == fixtures.allTraces.count)
        for (run, path) in zip(report.runs, fixtures.allTraces) {
            let file = try File.open(path)
            defer { try? file.close() }
            let plan = try file.openGroup("plans/0")
            #expect(run.cuts == (try plan.attribute("cuts", as: Int.self)), "\(path)")
            #expect(run.subexperiments == Double(try plan.attribute("subexperiments", as: Int.self)), "\(path)")
            #expect(run.terms == Double(try plan.attribute("terms", as: Int.self)), "\(path)")
            let rows = try file.openTable("queries", layout: Self.queryLayout).readAll()
            #expect(run.queries == rows.count)
            let ms = rows.map { 1000 * $0.total_s }
            let shares = rows.map { $0.reconstruct_s / $0.total_s }
            #expect(Self.close(run.perQueryMs.total.median, Self.quantile(ms, 0.5)), "\(path)")
            #expect(Self.close(run.perQueryMs.total.p95, Self.quantile(ms, 0.95)), "\(path)")
            #expect(Self.close(run.reconstructionShare.median, Self.quantile(shares, 0.5)), "\(path)")
            #expect(Self.close(run.reconstructionShare.p95, Self.quantile(shares, 0.95)), "\(path)")
        }
        // Grouped by task and cuts: the estimate runs of one circuit at 1, 2, 3 cuts, and the Iris
        // training run (2 cuts) in a group of its own, not averaged with the 2-cut estimate.
        let estimateTask = try #require(report.runs.first?.task)
        #expect(estimateTask.hasPrefix("estimate"))
        #expect(report.groups.filter { $0.task == estimateTask }.map(\.cuts) == [1, 2, 3])
        #expect(report.groups.filter { $0.task == "iris" }.map(\.runs) == [[fixtures.trainingFolder + "/traces.h5"]])
        #expect(Set(report.runs.map(\.label)).count == report.runs.count, "labels \(report.runs.map(\.label))")
        let training = try #require(report.runs.last)
        let trainingFile = try File.open(fixtures.trainingFolder + "/traces.h5")
        #expect(training.steps == (try trainingFile.openDataset("steps").shape()[0]))
        #expect(training.steps > 0)
        try trainingFile.close()
        #expect(training.finalTestAccuracy.map { (0 ... 1).contains($0) } == true)
        #expect(training.trainingSeconds.map { $0 > 0 } == true)
        #expect(training.robustness.map(\.attack) == ["clean", "gaussian", "gaussian", "fgsm", "fgsm"])
        #expect(report.groups.first { $0.task == "iris" && $0.cuts == training.cuts }?.testAccuracy == training.finalTestAccuracy)
        #expect(training.label == "iris" && training.task == "iris")
        #expect(report.runs.allSatisfy { $0.rankUtilisation.count == $0.ranks })
    }

    @Test("the straggler run is compared with the same plan on the same ranks without one")
    func stragglerComparison() throws {
        let fixtures = try AnalyzeFixtures.get()
        let report = try AnalyzeJSON.decode(Self.analyze(fixtures.allTraces + ["--format", "json"]).stdout)
        try #require(report.stragglers.count == 1)
        let s = report.stragglers[0]
        #expect(s.run == fixtures.stragglerTrace)
        #expect(s.stragglerRanks == [1])
        let baseline = try #require(report.runs.first { $0.run == fixtures.baselineTrace })
        #expect(Self.close(s.baselinePerQueryMs, try #require(baseline.perQueryMs.total.mean)))
        // 0.002 s after each of rank 1's units makes the round far slower than the baseline.
        #expect((s.perQuerySlowdownPercent ?? 0) > 0)
        let slowed = try #require(report.runs.first { $0.run == fixtures.stragglerTrace })
        #expect(slowed.injectedDelaySeconds > 0)
        #expect(slowed.rankUtilisation.first { $0.rank == 1 }.map { $0.delayS > 0 } == true)
        #expect(slowed.rankUtilisation.first { $0.rank == 0 }?.delayS == 0)
    }

    @Test("the default Markdown reads like the paper's table: cuts, sub-circuits, ms, reconstruction %, accuracy")
    func markdownTable() throws {
        let fixtures = try AnalyzeFixtures.get()
        let text = try Self.analyze(fixtures.allTraces).stdout
        let lines = text.split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("| task | cuts | runs | sub-circuits per query") })
        #expect(lines[header].contains("per-query ms (median)") && lines[header].contains("reconstruction % (median)")
                && lines[header].contains("test accuracy"))
        let rows = lines[(header + 2)...].prefix { $0.hasPrefix("|") }
        let cells = rows.map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        #expect(cells.map { "\($0[0]) \($0[1])" }.filter { $0.hasPrefix("estimate") }.map { $0.split(separator: " ").last! }
                == ["1", "2", "3"])
        #expect(cells.contains { $0[0] == "iris" && $0[1] == "2" })
        for section in ["## Runs", "## Per-query stage times", "## Robustness", "## Stragglers", "## Per-rank utilisation"] {
            #expect(text.contains(section), "missing \(section)")
        }
        #expect(text.contains(fixtures.stragglerTrace))
    }

    @Test("CSV: one row per run and per cut count, every row as wide as the header")
    func csv() throws {
        let fixtures = try AnalyzeFixtures.get()
        let lines = try Self.analyze(fixtures.allTraces + ["--format", "csv"]).stdout.split(separator: "\n")
        let width = lines[0].split(separator: ",", omittingEmptySubsequences: false).count
        #expect(lines[0].hasPrefix("scope,task,label,cuts,"))
        // One row per run, then one per task and cut count: estimate × 1, 2, 3 cuts, iris × 2 cuts.
        #expect(lines.count == 1 + fixtures.allTraces.count + 4)
        #expect(lines.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == width })
        #expect(lines.suffix(4).map { $0.split(separator: ",").first!.split(separator: "/").last! }
                == ["cuts=1", "cuts=2", "cuts=3", "cuts=2"])
    }

    @Test("--plots writes five SVG charts that rsvg-convert renders to PNG")
    func chartsRender() throws {
        let fixtures = try AnalyzeFixtures.get()
        let plots = fixtures.folder + "/plots-\(UUID().uuidString.prefix(6))"
        _ = try Self.analyze(fixtures.allTraces + ["--plots", plots])
        let names = try FileManager.default.contentsOfDirectory(atPath: plots).sorted()
        #expect(names == ["accuracy-vs-cuts.svg", "loss-curves.svg", "rank-timeline.svg",
                          "reconstruction-share-vs-cuts.svg", "stages-vs-cuts.svg"])
        for name in names {
            let svg = plots + "/" + name, png = svg.replacingOccurrences(of: ".svg", with: ".png")
            let result = try ChildProcess.run("rsvg-convert", [svg, "-o", png], environment: TestEnvironment.childEnvironment())
            #expect(result.exitCode == 0, "rsvg-convert \(name): \(result.stderr) (scripts/bootstrap.sh --tools installs librsvg2-bin)")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
            #expect(bytes.count > 1000 && bytes.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]), "\(name) → \(bytes.count) bytes")
        }
        let timeline = try String(contentsOfFile: plots + "/rank-timeline.svg", encoding: .utf8)
        #expect(timeline.contains("rank 1"))
    }
}
