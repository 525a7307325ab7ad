/// What a checkpoint carries for `qnncut predict` (schema version 3): the fitted preprocessing
/// (`FeaturePipeline`) and the model — circuit, readout and cuts — as JSON bytes, packed eight
/// to an int64 element of `predict/model_json` (attribute `predict_model_json_bytes` holds the
/// length): the model must not depend on a config or QASM file that may have moved since.
import Foundation
import HDF5

extension Checkpoint {
    /// The largest model JSON read (a 64-qubit wide model is about 300 kB).
    static let maxModelJSONBytes = 32 << 20

    /// The checkpoint with the predictor of `model` trained behind `pipeline`.
    public func withPredictor(model: QNNModel, pipeline: FeaturePipeline?) throws -> Checkpoint {
        guard let pipeline else { return self }
        var copy = self
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        copy.modelJSON = Array(try encoder.encode(model))
        copy.pipeline = pipeline
        return copy
    }

    /// The model stored for prediction, or nil (a checkpoint older than version 3).
    public func storedModel(path: String) throws -> QNNModel? {
        guard let modelJSON else { return nil }
        do { return try JSONDecoder().decode(QNNModel.self, from: Data(modelJSON)) } catch {
            throw ConfigError("\(path): predict/model_json: not a model this qnncut can read")
        }
    }

    func writePredictor(to file: File) throws {
        guard let pipeline, let modelJSON else { return }
        try pipeline.write(to: file)
        var words = [Int64](repeating: 0, count: (modelJSON.count + 7) / 8)
        for (i, b) in modelJSON.enumerated() { words[i / 8] |= Int64(b) << Int64(8 * (i % 8)) }
        try file.setAttribute("predict_model_json_bytes", modelJSON.count)
        try file.createDataset("\(FeaturePipeline.group)/model_json", values: words)
    }

    mutating func readPredictor(from file: File, path: String) throws {
        guard try FeaturePipeline.isStored(in: file) else { return }
        pipeline = try FeaturePipeline.read(from: file, path: path, maxElements: Self.maxParameters)
        let count: Int = try file.attribute("predict_model_json_bytes")
        guard (1 ... Self.maxModelJSONBytes).contains(count) else {
            throw ConfigError("\(path): predict_model_json_bytes: \(count) is outside [1, \(Self.maxModelJSONBytes)]")
        }
        let dataset = try file.openUntrustedDataset("\(FeaturePipeline.group)/model_json", maxElements: (Self.maxModelJSONBytes + 7) / 8)
        let words = try dataset.read(as: Int64.self).values
        guard words.count == (count + 7) / 8 else {
            throw ConfigError("\(path): predict/model_json: \(words.count) words for \(count) bytes")
        }
        modelJSON = (0..<count).map { UInt8(truncatingIfNeeded: words[$0 / 8] >> Int64(8 * ($0 % 8))) }
    }
}
