/// Real trace files for the `qnncut analyze` tests, made once per test process by the built
/// qnncut: estimate runs at 1, 2 and 3 cuts (one rank), a 2-rank run and the same run with a
/// straggler, and a short training run (traces.h5 + checkpoint.h5).
import Foundation
import HDF5
import TestSupport
import Testing

struct AnalyzeFixtures: Sendable {
    let folder: String
    /// Estimate traces, in the order they are passed to analyze.
    let estimateTraces: [String]
    let baselineTrace: String
    let stragglerTrace: String
    /// The training run's folder (traces.h5, checkpoint.h5).
    let trainingFolder: String
    var allTraces: [String] { estimateTraces + [baselineTrace, stragglerTrace, trainingFolder + "/traces.h5"] }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Built on first use; every test of every analyze suite shares it.
    static let shared: Result<AnalyzeFixtures, any Error> = Result { try make() }

    static func get() throws -> AnalyzeFixtures { try shared.get() }

    private static func make() throws -> AnalyzeFixtures {
        let (circuit, inputs) = try DistributedEstimateTests.writeInputs()
        let folder = (circuit as NSString).deletingLastPathComponent
        func estimate(_ name: String, ranks: Int, _ extra: [String]) throws -> String {
            let path = folder + "/" + name
            let arguments = ["estimate", circuit, "--observable", "Z3", "--theta", DistributedEstimateTests.theta,
                             "--inputs", inputs, "--trace", path] + extra
            let result = ranks == 1 ? try ProcessRunner.qnncut(arguments) : try ProcessRunner.mpirun(ranks: ranks, arguments)
            guard result.exitCode == 0 else { throw FixtureError("qnncut \(arguments): exit \(result.exitCode): \(result.stderr)") }
            return path
        }
        let estimates = [try estimate("one-cut.h5", ranks: 1, ["--partition", "AABBBB"]),
                         try estimate("two-cuts.h5", ranks: 1, ["--max-fragment-qubits", "2"]),
                         try estimate("three-cuts.h5", ranks: 1, ["--partition", "AAABBB"])]
        // Static: a straggler's cost must show as waiting (the adaptive default would absorb it).
        let baseline = try estimate("np2.h5", ranks: 2, ["--partition", "AAABBB", "--schedule", "static"])
        let straggler = try estimate("np2-straggler.h5", ranks: 2, ["--partition", "AAABBB", "--schedule", "static",
                                                                    "--straggler-ranks", "1", "--straggler-delay", "0.002"])
        let training = folder + "/iris"
        let result = try ProcessRunner.qnncut(["train", repositoryRoot + "/configs/iris.yaml", "--set", "training.epochs=2",
                                               "--output", training], timeout: 300)
        guard result.exitCode == 0 else { throw FixtureError("qnncut train: exit \(result.exitCode): \(result.stderr)") }
        return AnalyzeFixtures(folder: folder, estimateTraces: estimates, baselineTrace: baseline, stragglerTrace: straggler,
                               trainingFolder: training)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The `qnncut analyze --format json` output, as the tests read it.
struct AnalyzeJSON: Decodable {
    struct Spread: Decodable { var mean: Double?; var median: Double?; var p95: Double? }
    struct Times: Decodable { var total: Spread; var generate: Spread; var execute: Spread; var reconstruct: Spread
        var wait: Spread? }
    struct Rank: Decodable { var rank: Int; var busyS: Double; var idleS: Double; var commS: Double; var delayS: Double; var busyShare: Double }
    struct Robustness: Decodable { var attack: String; var strength: Double; var testAccuracy: Double }
    struct Run: Decodable {
        var run: String; var label: String; var task: String; var segments: Int; var cuts: Int; var terms: Double; var subexperiments: Double; var ranks: Int; var queries: Int
        var perQueryMs: Times; var reconstructionShare: Spread; var trainingSeconds: Double?; var steps: Int
        var finalTestAccuracy: Double?; var robustness: [Robustness]; var stragglerRanks: [Int]
        var injectedDelaySeconds: Double; var rankUtilisation: [Rank]
        var setupSeconds: [String: Double]?
    }
    struct Group: Decodable { var task: String; var cuts: Int; var runs: [String]; var perQueryMs: Spread; var testAccuracy: Double? }
    struct Straggler: Decodable {
        var run: String; var stragglerRanks: [Int]; var perQueryMs: Double?; var baselinePerQueryMs: Double?
        var perQuerySlowdownPercent: Double?
    }
    var runs: [Run]
    var groups: [Group]
    var stragglers: [Straggler]

    static func decode(_ text: String) throws -> AnalyzeJSON {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(AnalyzeJSON.self, from: Data(text.utf8))
    }
}
