/// Grouping, labels and charts on traces written by the test, and every shipped chart under
/// results/ checked for readable text (`SVGCheck`).
import Foundation
import Testing
@testable import TraceAnalysis

struct ChartTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Iris and MNIST training runs at 0…2 cuts, the Iris ones twice (static and, for the second,
    /// a second file of the same config), plus an estimate run.
    static func runs(_ folder: String) throws -> [String] {
        var files: [String] = []
        for cuts in 0 ... 2 {
            files.append(try TraceFixture.write(folder + "/iris-\(cuts).h5", cuts: cuts, config: "iris-cuts-\(cuts)", accuracy: 0.9))
            files.append(try TraceFixture.write(folder + "/mnist-\(cuts).h5", cuts: cuts, config: "mnist-cuts-\(cuts)", accuracy: 0.99))
        }
        files.append(try TraceFixture.write(folder + "/iris-1-again.h5", cuts: 1, config: "iris-cuts-1", accuracy: 0.8))
        files.append(try TraceFixture.write(folder + "/estimate.h5", cuts: 1))
        return files
    }

    @Test("Iris and MNIST runs of the same cut count are separate groups; each group averages only its own runs")
    func groupsByTaskAndCuts() throws {
        let analysis = try Analysis(files: try Self.runs(try TraceFixture.folder()))
        let groups = analysis.report.groups
        #expect(groups.map { "\($0.task)/\($0.cuts)" } == ["estimate/1", "iris/0", "iris/1", "iris/2", "mnist/0", "mnist/1", "mnist/2"])
        #expect(groups.first { $0.task == "mnist" && $0.cuts == 1 }?.testAccuracy == 0.99)
        let iris1 = try #require(groups.first { $0.task == "iris" && $0.cuts == 1 })
        #expect(iris1.runs.count == 2 && abs(iris1.testAccuracy! - 0.85) < 1e-12)
    }

    @Test("runs are labelled by config name, numbered only where everything else agrees")
    func labels() throws {
        let analysis = try Analysis(files: try Self.runs(try TraceFixture.folder()))
        let labels = analysis.report.runs.map(\.label)
        #expect(labels.contains("mnist-cuts-2") && labels.contains("estimate"))
        #expect(labels.filter { $0.hasPrefix("iris-cuts-1") } == ["iris-cuts-1 #1", "iris-cuts-1 #2"])
        #expect(Set(labels).count == labels.count)
        #expect(RunIdentity.task(configName: "iris-cuts-2") == "iris")
        #expect(RunIdentity.task(configName: "mnist_cuts3") == "mnist")
        #expect(RunIdentity.task(configName: "digits-3v8") == "digits-3v8")
        #expect(RunIdentity.task(configName: "cuts-2") == "cuts-2")
        #expect(RunIdentity.estimatorFacts(#"{"estimator": {"mode": "shots", "uncut": true}}"#) == ("shots", true))
        #expect(RunIdentity.estimatorFacts("{data: {seed: 1}, estimator: {mode: shots, shots: 10000, uncut: true}}") == ("shots", true))
        #expect(RunIdentity.estimatorFacts("{estimator: {mode: exact}}") == ("exact", false))
    }

    @Test("the stage chart draws medians with p95 whiskers on a log axis")
    func stageMedians() throws {
        let folder = try TraceFixture.folder()
        // Round 3 executes 100× longer: the mean would follow it, the median does not.
        let file = try TraceFixture.write(folder + "/slow.h5", cuts: 1, config: "iris-cuts-1", rounds: 5, slowRound: 3)
        let analysis = try Analysis(files: [file])
        let svg = AnalyzeCharts.stagesAgainstCuts(analysis.runs).render()
        let executeMs = analysis.runs[0].0.queries.map { 1000 * $0.execute_s }
        let median = try #require(Spread(executeMs).median), p95 = try #require(Spread(executeMs).p95)
        #expect(svg.contains(String(format: "execute: median %.4g ms, p95 %.4g ms", median, p95)), "\(svg)")
        #expect(svg.contains("log scale"))
    }

    @Test("the rank chart shows the median round by default and says which round it shows")
    func rankRound() throws {
        let folder = try TraceFixture.folder()
        let file = try TraceFixture.write(folder + "/slow.h5", cuts: 1, config: "iris-cuts-1", rounds: 5, ranks: 3, slowRound: 4)
        let analysis = try Analysis(files: [file])
        let run = analysis.runs[0].0
        // Round r executes 1e-3·(r+1) s; round 4 is 100× slower: the median of 5 is round 2.
        #expect(AnalyzeCharts.chosenRound(run, .median).map { [$0.round, Int64($0.of)] } == [2, 5])
        #expect(AnalyzeCharts.chosenRound(run, .slowest)?.round == 4)
        let svg = AnalyzeCharts.rankTimeline(analysis.runs).render()
        #expect(svg.contains("iris-cuts-1: step 3, round 2 (median of 5)"), "\(svg)")
        #expect(svg.contains("median round"))
    }

    @Test("every chart of many runs with long names: labels unique and non-empty, all text inside the picture")
    func chartsFit() throws {
        let folder = try TraceFixture.folder()
        var files = try Self.runs(folder)
        for i in 0 ..< 40 {  // as many legend entries as the paper's 75-run chart needs rows for
            files.append(try TraceFixture.write(folder + "/long-\(i).h5", cuts: i % 5,
                                                config: "a-rather-long-configuration-name-for-a-sweep-entry-number-\(i)-cuts-\(i % 5)"))
        }
        let analysis = try Analysis(files: files)
        let charts = AnalyzeCharts.charts(analysis.runs, groups: analysis.report.groups)
        #expect(charts.count == 5)
        for (name, chart) in charts {
            let check = try SVGCheck(chart.render())
            #expect(check.problems().isEmpty, "\(name): \(check.problems().joined(separator: "\n"))")
            #expect(!check.legendLabels.isEmpty, "\(name) has no legend")
        }
        let loss = try SVGCheck(try #require(charts.first { $0.0 == "loss-curves.svg" }).1.render())
        #expect(loss.legendLabels.count == files.count - 1, "one entry per training run")
        #expect(!loss.legendLabels.contains { $0.contains(".h5") }, "labels are config names, not paths")
    }

    @Test("the checker itself: it finds text outside the picture, empty text and repeated legend labels")
    func checkerFindsProblems() throws {
        let svg = """
            <svg viewBox="0 0 100 50"><text x="90" y="20" font-size="11">too long for the edge</text>
            <text x="10" y="20" font-size="11"> </text>
            <text class="legend" x="5" y="30" font-size="11">a</text><text class="legend" x="50" y="30" font-size="11">a</text></svg>
            """
        let problems = try SVGCheck(svg).problems()
        #expect(problems.count == 3, "\(problems)")
    }

    @Test("every chart shipped under results/ passes the same check")
    func shippedCharts() throws {
        let results = Self.repositoryRoot + "/results"
        let charts = (FileManager.default.subpaths(atPath: results) ?? []).filter { $0.hasSuffix(".svg") }.sorted()
        #expect(!charts.isEmpty)
        for chart in charts {
            let check = try SVGCheck(try String(contentsOfFile: results + "/" + chart, encoding: .utf8))
            #expect(check.problems().isEmpty, "results/\(chart): \(check.problems().prefix(5).joined(separator: "; "))")
        }
    }
}
