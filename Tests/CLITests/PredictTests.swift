/// `qnncut predict` on the held-back test split a training run wrote (DIR/test.csv) reproduces
/// the run's reported test accuracy and loss — the checkpoint's preprocessing and model are the
/// ones training used — at np 1, 2 and 3; rows without labels classify too; bad inputs refused.
import Foundation
import HDF5
import TestSupport
import Testing

@Suite(.serialized)
struct PredictTests {
    struct Summary: Decodable {
        var final_test_accuracy: Double
        var final_test_loss: Double
    }
    struct Prediction: Decodable {
        struct Row: Decodable { var `class`: Int; var probability: Double; var estimate: Double; var label: Int? }
        var rows: [Row]
        var accuracy: Double?
        var classes: [Int]
        var ranks: Int
    }

    static var config: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs/iris.yaml").path
    }

    static func lastJSON<T: Decodable>(_ text: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data((text.split(separator: "\n").last.map(String.init) ?? "").utf8))
    }

    @Test("predict on DIR/test.csv reproduces the reported test accuracy and loss at np 1, 2, 3")
    func reproducesTestAccuracy() throws {
        let output = NSTemporaryDirectory() + "predict-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: output) }
        // Two epochs: an accuracy below 1, so agreement is not luck.
        let train = try ProcessRunner.mpirun(ranks: 2, ["train", Self.config, "--output", output, "--set", "training.epochs=2", "--json"], timeout: 300)
        try #require(train.exitCode == 0, "\(train.stderr)")
        let summary = try Self.lastJSON(train.stdout, as: Summary.self)
        #expect(summary.final_test_accuracy < 1)
        for ranks in [1, 2, 3] {
            let result = try ProcessRunner.mpirun(ranks: ranks, ["predict", output + "/checkpoint.h5", output + "/test.csv", "--json"])
            try #require(result.exitCode == 0, "\(result.stderr)")
            let p = try Self.lastJSON(result.stdout, as: Prediction.self)
            #expect(p.ranks == ranks && p.classes == [1, 2] && p.rows.count == 30)
            #expect(p.accuracy == summary.final_test_accuracy, "np \(ranks): \(p.accuracy ?? -1) vs trained \(summary.final_test_accuracy)")
            let loss = p.rows.map { r -> Double in
                let q = min(max((1 + r.estimate) / 2, 1e-12), 1 - 1e-12)
                return r.label == 2 ? -log(q) : -log(1 - q)
            }.reduce(0, +) / Double(p.rows.count)
            #expect(abs(loss - summary.final_test_loss) <= 1e-12, "np \(ranks): loss \(loss) vs \(summary.final_test_loss)")
            for r in p.rows { #expect(r.probability >= 0.5 && r.probability <= 1) }
        }
        // Unlabelled rows (the header and label column dropped) classify the same.
        let csv = try String(contentsOfFile: output + "/test.csv", encoding: .utf8)
        let unlabelled = output + "/new.csv"
        try csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",").dropLast().joined(separator: ",") }
            .joined(separator: "\n").write(toFile: unlabelled, atomically: true, encoding: .utf8)
        let text = try ProcessRunner.qnncut(["predict", output + "/checkpoint.h5", unlabelled])
        try #require(text.exitCode == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("row 1: class ") && !text.stdout.contains("accuracy"))
        let bad = output + "/bad.csv"
        try "1,2,3\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try ProcessRunner.qnncut(["predict", output + "/checkpoint.h5", bad])
        #expect(refused.exitCode != 0)
        #expect(refused.stderr.contains("bad.csv:1: 3 column(s); the model takes 4 feature(s)"), "\(refused.stderr)")
    }

    @Test("a checkpoint without preprocessing (before 0.2) still resumes; predict says how to get one")
    func oldCheckpoints() throws {
        let output = NSTemporaryDirectory() + "predict-old-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let train = try ProcessRunner.qnncut(["train", Self.config, "--output", output, "--set", "training.epochs=1"], timeout: 300)
        try #require(train.exitCode == 0, "\(train.stderr)")
        // Rewrite it as an older qnncut would have: no predict/ group (hidden instrument).
        let strip = try ProcessRunner.qnncut(["_checkpoint-strip-predictor", output + "/checkpoint.h5"])
        try #require(strip.exitCode == 0, "\(strip.stderr)")
        let refused = try ProcessRunner.qnncut(["predict", output + "/checkpoint.h5", output + "/test.csv"])
        #expect(refused.exitCode != 0)
        #expect(refused.stderr.contains("holds no preprocessing"), "\(refused.stderr)")
        let resumed = try ProcessRunner.qnncut(["train", Self.config, "--output", output, "--resume", "--set", "training.epochs=2"], timeout: 300)
        try #require(resumed.exitCode == 0, "\(resumed.stderr)")
        let now = try ProcessRunner.qnncut(["predict", output + "/checkpoint.h5", output + "/test.csv"])
        #expect(now.exitCode == 0 && now.stdout.contains("accuracy"), "\(now.stderr)")
    }
}
