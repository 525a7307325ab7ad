/// The preprocessing a model was trained behind, fitted on its training split: which CSV columns
/// (in order), standardisation, the PCA directions (already in input order), the min–max map to
/// angles, and the two class labels. Saved in the checkpoint (`predict/`), so `qnncut predict`
/// turns raw rows of new data into the angles the circuit saw in training.
import HDF5

public struct FeaturePipeline: Sendable, Codable, Equatable {
    /// CSV feature columns a row must have (label excluded), and their names (header or f0, f1, …).
    public var featureNames: [String]
    public var standard: FeatureScaler
    /// Rows: one direction per circuit input, in input order; nil for `data.reduction: none`.
    public var pca: [[Double]]?
    public var angles: FeatureScaler
    /// The labels of class 0 and class 1 (`data.classes`).
    public var classes: [Int]

    public var featureCount: Int { featureNames.count }
    public var inputCount: Int { angles.offset.count }

    /// The circuit inputs (angles) for one raw row of `featureCount` values.
    public func inputs(_ row: [Double]) -> [Double] {
        var x = standard.apply(row)
        if let pca { x = pca.map { c in zip(c, x).reduce(0) { $0 + $1.0 * $1.1 } } }
        return angles.apply(x)
    }

    // MARK: - In a checkpoint

    static let group = "predict"

    func write(to file: File) throws {
        try file.setAttribute("predict_feature_names", featureNames.joined(separator: "\n"))
        try file.setAttribute("predict_classes", classes)
        try file.createDataset("\(Self.group)/standard_offset", values: standard.offset)
        try file.createDataset("\(Self.group)/standard_scale", values: standard.scale)
        try file.createDataset("\(Self.group)/angle_offset", values: angles.offset)
        try file.createDataset("\(Self.group)/angle_scale", values: angles.scale)
        if let pca {
            // Row-major, one row per circuit input; the row count is the input count.
            try file.createDataset("\(Self.group)/pca_components", values: pca.flatMap { $0 })
        }
    }

    /// Reads what `write` wrote, treating the file as untrusted (bounded, shapes checked).
    static func read(from file: File, path: String, maxElements: Int) throws -> FeaturePipeline {
        func fail(_ what: String) -> ConfigError { ConfigError("\(path): \(group): \(what)") }
        func vector(_ name: String) throws -> [Double] {
            let dataset = try file.openUntrustedDataset("\(group)/\(name)", maxElements: maxElements)
            guard try dataset.shape().count == 1 else { throw fail("\(name) is not a 1-D vector") }
            let values = try dataset.read(as: Double.self).values
            if values.contains(where: { !$0.isFinite }) { throw fail("\(name) holds a value that is not finite") }
            return values
        }
        let names: String = try file.attribute("predict_feature_names")
        let featureNames = names.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let classes: [Int] = try file.attribute("predict_classes")
        guard classes.count == 2 else { throw fail("predict_classes has \(classes.count) labels, expected 2") }
        let standard = FeatureScaler(offset: try vector("standard_offset"), scale: try vector("standard_scale"))
        let angles = FeatureScaler(offset: try vector("angle_offset"), scale: try vector("angle_scale"))
        let d = featureNames.count, k = angles.offset.count
        guard d >= 1, standard.offset.count == d, standard.scale.count == d else {
            throw fail("the standardisation has \(standard.offset.count) values for \(d) feature(s)")
        }
        guard k >= 1, angles.scale.count == k else { throw fail("the angle map has \(angles.scale.count) scales for \(k) input(s)") }
        var pca: [[Double]]?
        if try file.contains("\(group)/pca_components") {
            let flat = try vector("pca_components")
            guard flat.count == d * k else { throw fail("pca_components has \(flat.count) values, expected \(k) × \(d)") }
            pca = (0..<k).map { Array(flat[$0 * d ..< ($0 + 1) * d]) }
        } else if k != d {
            throw fail("\(k) circuit input(s) from \(d) feature(s) without PCA")
        }
        return FeaturePipeline(featureNames: featureNames, standard: standard, pca: pca, angles: angles, classes: classes)
    }

    static func isStored(in file: File) throws -> Bool { try file.contains("\(group)/angle_offset") }
}
