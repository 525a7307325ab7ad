/// What a checkpoint carries for `qnncut predict`: the fitted preprocessing (`FeaturePipeline`)
/// and the model — circuit, readout and cuts — as JSON bytes, packed eight to an int64 element of
/// `predict/model_json` (attribute `predict_model_json_bytes` holds the length): the model must
/// not depend on a config or QASM file that may have moved since. Optional within schema version
/// 2, so it has its own digest (`predict_digest`) and `content_digest` stays what older qnncut
/// versions compute: they read these checkpoints and ignore the predictor.
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

    /// The model stored for prediction, or nil (a checkpoint written before qnncut 0.2).
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
        try file.setAttribute("predict_digest", predictorDigest ?? "")
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
        let stored: String = try file.attribute("predict_digest")
        guard stored == predictorDigest else {
            throw ConfigError("\(path): checkpoint is corrupted (predict_digest \(predictorDigest ?? "") does not match the stored \(clip(stored)))")
        }
    }

    /// FNV-1a 64 over the predictor's fields in a fixed order, or nil without one.
    var predictorDigest: String? {
        guard let pipeline, let modelJSON else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ word: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) {
                hash ^= (word >> UInt64(shift)) & 0xff
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        func mix(_ values: [Double]) { mix(UInt64(values.count)); values.forEach { mix($0.bitPattern) } }
        func mix(_ text: String) { mix(UInt64(text.utf8.count)); text.utf8.forEach { mix(UInt64($0)) } }
        pipeline.featureNames.forEach(mix)
        pipeline.classes.forEach { mix(UInt64(bitPattern: Int64($0))) }
        [pipeline.standard.offset, pipeline.standard.scale, pipeline.angles.offset, pipeline.angles.scale,
         (pipeline.pca ?? []).flatMap { $0 }].forEach(mix)
        mix(UInt64(modelJSON.count))
        modelJSON.forEach { mix(UInt64($0)) }
        return String(hash, radix: 16)
    }
}
