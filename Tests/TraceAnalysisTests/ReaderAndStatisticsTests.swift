/// The reader and the statistics on traces written by the test: numbers from the definitions.
import Foundation
import Testing
import TraceSchema
@testable import TraceAnalysis

struct ReaderAndStatisticsTests {
    /// The q-quantile with linear interpolation between order statistics, from numpy's definition.
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        let s = values.sorted()
        let h = Double(s.count - 1) * q
        let i = Int(h)
        return i + 1 < s.count ? s[i] + (h - Double(i)) * (s[i + 1] - s[i]) : s[i]
    }

    @Test("Spread: mean, median and p95 as numpy computes them; empty samples have none")
    func spread() {
        let values = [5.0, 1, 4, 2, 3, 100, 7]
        let s = Spread(values)
        #expect(s.mean == values.reduce(0, +) / 7)
        #expect(s.median == 4)
        #expect(s.p95 == Self.quantile(values, 0.95))
        let empty = Spread([])
        #expect(empty.mean == nil && empty.median == nil && empty.p95 == nil)
        #expect(Spread([2]).p95 == 2)
    }

    @Test("a written trace reads back with its plan, rows and world size (integer or, before schema 3, string)")
    func readBack() throws {
        let folder = try TraceFixture.folder()
        for asString in [false, true] {
            let path = try TraceFixture.write(folder + "/t\(asString).h5", cuts: 2, config: "iris-cuts-2", rounds: 5,
                                              batch: 4, ranks: 3, worldSizeAsString: asString)
            let run = try TraceReader.read(path)
            #expect(run.worldSize == 3)
            #expect(run.plans.map(\.cuts) == [2] && run.plans[0].terms == 64 && run.plans[0].setup["partition_s"] == 0.01)
            #expect(run.queries.count == 20 && run.batches.count == 5 && run.ranks.count == 15 && run.steps.count == 5)
            #expect(run.configName == "iris-cuts-2")
            let summary = RunSummary(run)
            let ms = run.queries.map { 1000 * $0.total_s }
            #expect(summary.perQueryMs.total.median == Self.quantile(ms, 0.5))
            #expect(summary.finalTestAccuracy == 0.9)
            #expect(summary.rankUtilisation.map(\.rank) == [0, 1, 2])
        }
    }

    @Test("files of another schema or a newer version are refused, naming the file")
    func refusals() throws {
        let folder = try TraceFixture.folder()
        let newer = try TraceFixture.write(folder + "/newer.h5", cuts: 1, version: TraceSchema.version + 1)
        #expect(throws: AnalyzeError.self) { try TraceReader.read(newer) }
        do { _ = try TraceReader.read(newer) } catch { #expect("\(error)".contains(newer) && "\(error)".contains("newer qnncut")) }
        #expect(throws: AnalyzeError.self) { try TraceReader.read(folder + "/missing.h5") }
    }

    @Test("the tables: one Markdown row per group, CSV rows as wide as the header, JSON that decodes")
    func tables() throws {
        let folder = try TraceFixture.folder()
        let files = [try TraceFixture.write(folder + "/a.h5", cuts: 1, config: "iris-cuts-1"),
                     try TraceFixture.write(folder + "/b.h5", cuts: 2, config: "iris-cuts-2")]
        let analysis = try Analysis(files: files)
        let lines = analysis.csv().split(separator: "\n")
        let width = lines[0].split(separator: ",", omittingEmptySubsequences: false).count
        #expect(lines.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == width })
        #expect(lines.count == 1 + 2 + 2)
        let json = try JSONSerialization.jsonObject(with: Data(try analysis.json().utf8)) as? [String: Any]
        #expect((json?["runs"] as? [Any])?.count == 2)
        #expect(analysis.markdown().contains("## Per-rank utilisation"))
    }
}
