/// Tiny configs for fast debug tests: written to a temporary folder, pointing at the repository's
/// data/ (found from #filePath).
import Foundation
@testable import QNN

enum TestConfigs {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
    static var irisPath: String { repository.appendingPathComponent("data/iris.csv").path }

    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "qnn-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Iris 1-vs-2 on 4 qubits, `layers` layers, `cuts` cut boundary CNOTs, few samples.
    static func irisYAML(cuts: Int = 2, layers: Int = 2, extra: String = "") -> String {
        """
        name: tiny
        data:
          file: \(irisPath)
          classes: [1, 2]
          max_per_class: 12
          test_fraction: 0.25
          seed: 1
        model:
          qubits: 4
          layers: \(layers)
          cuts: \(cuts)
        training:
          epochs: 2
          batch_size: 6
          optimizer: adam
          learning_rate: 0.1
          seed: 5
        \(extra)
        """
    }

    static func write(_ yaml: String, name: String = "tiny.yaml") throws -> String {
        let path = try temporaryFolder() + "/" + name
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func config(_ yaml: String, overrides: [String] = []) throws -> TrainingConfig {
        try TrainingConfig.load(path: try write(yaml), overrides: overrides)
    }
}
