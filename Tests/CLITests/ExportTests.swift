/// `qnncut export` / `qnncut reconstruct`: counts produced offline give exactly the estimate that
/// `estimate --executor` computes from the same counts (same circuits, same shots, same
/// estimator); the output folder is only ever ours; the manifest and the counts are checked input.
import Foundation
import TestSupport
import Testing

@Suite(.serialized)
struct ExportTests {
    struct Reconstructed: Decodable { var values: [Double]; var stderrs: [Double] }
    struct Estimated: Decodable { var batch_values: [[Double]]?; var values: [Double]; var stderrs: [Double] }

    static func folder() throws -> String {
        let folder = NSTemporaryDirectory() + "export-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    static let observables = ["--observable", "Z3", "--observable", "0.5*X2 Z5 + 0.25*Y0 Y1"]
    static let binding = ["--theta", DistributedEstimateTests.theta, "--x", "0.1,0.2,0.3,0.4,0.5,0.6"]

    @Test("export → counts → reconstruct equals estimate --executor with the same counts", arguments: [nil, 40] as [Int?])
    func offlineEqualsOnline(samples: Int?) throws {
        let (circuit, _) = try DistributedEstimateTests.writeInputs()
        let work = try Self.folder()
        let sampling = ["--shots", "30000"] + (samples.map { ["--samples", "\($0)", "--seed", "4"] } ?? [])
        let export = try ProcessRunner.qnncut(["export", circuit] + Self.observables + Self.binding + ["--partition", "AAABBB", "--output", work + "/exp"] + sampling)
        try #require(export.exitCode == 0, "\(export.stderr)")
        let script = ExecutorTests.executorScript
        let counts = try ChildProcess.run("python3", [script, "export", work + "/exp", work + "/counts.json"], environment: TestEnvironment.childEnvironment())
        try #require(counts.exitCode == 0, "\(counts.stderr)")
        let offline = try ProcessRunner.qnncut(["reconstruct", work + "/exp", "--counts", work + "/counts.json", "--json"])
        try #require(offline.exitCode == 0, "\(offline.stderr)")
        let r = try JSONDecoder().decode(Reconstructed.self, from: Data(offline.stdout.utf8))
        let online = try ProcessRunner.mpirun(ranks: 2, ["estimate", circuit] + Self.observables + Self.binding + ["--partition", "AAABBB", "--json",
                                               "--executor", "python3 \(script) ok"] + sampling)
        try #require(online.exitCode == 0, "\(online.stderr)")
        let line = online.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let e = try JSONDecoder().decode(Estimated.self, from: Data(line.utf8))
        #expect(r.values == e.values)
        #expect(r.stderrs == e.stderrs)
        #expect(r.stderrs.allSatisfy { $0 > 0 })
    }

    @Test("the output folder is only ever ours; manifests and counts are checked")
    func refusals() throws {
        let (circuit, _) = try DistributedEstimateTests.writeInputs()
        let work = try Self.folder()
        let base = ["export", circuit, "--observable", "Z3", "--partition", "AAABBB", "--shots", "5000"] + Self.binding
        // A folder with someone else's file is refused and left as it was.
        try FileManager.default.createDirectory(atPath: work + "/other", withIntermediateDirectories: true)
        try "data".write(toFile: work + "/other/notes.txt", atomically: true, encoding: .utf8)
        let other = try ProcessRunner.qnncut(base + ["--output", work + "/other", "--overwrite"])
        #expect(other.exitCode == 1 && other.stderr.contains("not a qnncut export"), "\(other.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: work + "/other") == ["notes.txt"])
        // An earlier export needs --overwrite.
        #expect(try ProcessRunner.qnncut(base + ["--output", work + "/exp"]).exitCode == 0)
        let again = try ProcessRunner.qnncut(base + ["--output", work + "/exp"])
        #expect(again.exitCode == 1 && again.stderr.contains("--overwrite"), "\(again.stderr)")
        #expect(try ProcessRunner.qnncut(base + ["--output", work + "/exp", "--overwrite"]).exitCode == 0)

        let manifestPath = work + "/exp/manifest.json"
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as! [String: Any]
        let experiments = ((manifest["plans"] as! [[String: Any]])[0]["experiments"] as! [[String: Any]])
        let first = experiments[0]["name"] as! String, bits = experiments[0]["bits"] as! Int, shots = experiments[0]["shots"] as! Int
        var good: [String: [String: Int]] = [:]
        for e in experiments { good[e["name"] as! String] = [String(repeating: "0", count: e["bits"] as! Int): e["shots"] as! Int] }
        func reconstruct(_ counts: Any) throws -> ProcessResult {
            try JSONSerialization.data(withJSONObject: counts).write(to: URL(fileURLWithPath: work + "/c.json"))
            return try ProcessRunner.qnncut(["reconstruct", work + "/exp", "--counts", work + "/c.json"])
        }
        #expect(try reconstruct(good).exitCode == 0)
        var missing = good; missing[first] = nil
        var extra = good; extra["o9-u999999"] = ["0": 1]
        var width = good; width[first] = [String(repeating: "0", count: bits + 1): shots]
        var total = good; total[first] = [String(repeating: "0", count: bits): shots - 1]
        var negative = good; negative[first] = [String(repeating: "0", count: bits): shots + 1, String(repeating: "1", count: bits): -1]
        let cases: [(Any, String)] = [
            (missing, "no counts for experiment '\(first)'"),
            (extra, "'o9-u999999' is not an experiment"),
            (width, "is not \(bits) characters 0/1"),
            (total, "add up to \(shots - 1) shots"),
            (negative, "not in 0…"),
            (["a": "b"], "expected {"),
        ]
        for (counts, message) in cases {
            let result = try reconstruct(counts)
            #expect(result.exitCode == 1 && result.stderr.contains(message), "\(message): \(result.stderr)")
        }
        // A manifest whose experiments were edited, or whose blueprint is not the plan's, is refused.
        var edited = manifest
        var plans = edited["plans"] as! [[String: Any]]
        var shortened = experiments; shortened[0]["shots"] = shots + 7
        plans[0]["experiments"] = shortened
        edited["plans"] = plans
        try JSONSerialization.data(withJSONObject: edited).write(to: URL(fileURLWithPath: manifestPath))
        let tampered = try reconstruct(good)
        #expect(tampered.exitCode == 1 && tampered.stderr.contains("differ from the plan's"), "\(tampered.stderr)")
        plans[0]["experiments"] = experiments
        plans[0]["digest"] = "123"
        edited["plans"] = plans
        try JSONSerialization.data(withJSONObject: edited).write(to: URL(fileURLWithPath: manifestPath))
        let digest = try reconstruct(good)
        #expect(digest.exitCode == 1 && digest.stderr.contains("digest"), "\(digest.stderr)")
        try "{\"format\": 1".write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let broken = try reconstruct(good)
        #expect(broken.exitCode == 1 && broken.stderr.contains("not a manifest written by qnncut export"), "\(broken.stderr)")
    }
}
