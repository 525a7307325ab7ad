/// From a labelled CSV to angles: binary task by class pair, seeded stratified train/test split,
/// standardisation and PCA fitted on the training split only, then min–max scaling (also fitted
/// on the training split) to the encoding's angle range.
import Support

/// The samples a run trains and tests on, already as circuit inputs (angles).
public struct PreparedData: Sendable, Codable, Equatable {
    public var trainInputs: [[Double]]
    public var trainLabels: [Int]
    public var testInputs: [[Double]]
    public var testLabels: [Int]
    /// Fraction of the standardised training variance the kept components explain (1 without PCA).
    public var explainedVariance: Double
    /// The fitted preprocessing, for `qnncut predict` (saved in the checkpoint).
    public var pipeline: FeaturePipeline? = nil
    /// The test split as raw data-file rows (features, then the original label), written to the
    /// run folder as `test.csv`.
    public var testRows: [[Double]] = []

    public var featureCount: Int { trainInputs.first?.count ?? 0 }
}

/// Per-feature affine maps fitted on training data.
public struct FeatureScaler: Sendable, Codable, Equatable {
    public var offset: [Double]
    public var scale: [Double]

    /// Standardisation: (x − mean)/std (std 0 → 1, so constant features become 0).
    public static func standardising(_ rows: [[Double]]) -> FeatureScaler {
        let d = rows[0].count, m = Double(rows.count)
        var mean = [Double](repeating: 0, count: d), variance = mean
        for r in rows { for j in 0..<d { mean[j] += r[j] / m } }
        for r in rows { for j in 0..<d { variance[j] += (r[j] - mean[j]) * (r[j] - mean[j]) / m } }
        return FeatureScaler(offset: mean, scale: variance.map { $0 > 1e-24 ? 1 / $0.squareRoot() : 1 })
    }

    /// Min–max onto [low, high].
    public static func minMax(_ rows: [[Double]], low: Double, high: Double) -> FeatureScaler {
        let d = rows[0].count
        var lo = [Double](repeating: .infinity, count: d), hi = [Double](repeating: -.infinity, count: d)
        for r in rows { for j in 0..<d { lo[j] = min(lo[j], r[j]); hi[j] = max(hi[j], r[j]) } }
        // y = low + (x − lo)·(high − low)/(hi − lo) = (x − offset)·scale.
        let scale = (0..<d).map { hi[$0] - lo[$0] > 1e-24 ? (high - low) / (hi[$0] - lo[$0]) : 1 }
        let offset = (0..<d).map { lo[$0] - low / scale[$0] }
        return FeatureScaler(offset: offset, scale: scale)
    }

    /// Min–max with one factor shared by all features: the widest feature spans [low, high],
    /// every feature's minimum maps to `low`, and narrower features keep their relative width.
    public static func sharedMinMax(_ rows: [[Double]], low: Double, high: Double) -> FeatureScaler {
        let d = rows[0].count
        var lo = [Double](repeating: .infinity, count: d), hi = [Double](repeating: -.infinity, count: d)
        for r in rows { for j in 0..<d { lo[j] = min(lo[j], r[j]); hi[j] = max(hi[j], r[j]) } }
        let widest = (0..<d).map { hi[$0] - lo[$0] }.max() ?? 0
        let shared = widest > 1e-24 ? (high - low) / widest : 1
        // y = low + (x − lo)·shared = (x − offset)·shared.
        return FeatureScaler(offset: lo.map { $0 - low / shared }, scale: [Double](repeating: shared, count: d))
    }

    public func apply(_ x: [Double]) -> [Double] { x.indices.map { (x[$0] - offset[$0]) * scale[$0] } }
}

/// Principal components of standardised training rows.
public struct PCA: Sendable, Codable, Equatable {
    /// `components[k]`: the k-th principal direction.
    public var components: [[Double]]
    public var explainedVariance: Double

    public init(_ rows: [[Double]], components k: Int) throws {
        let eigen = try SymmetricEigen(Self.covariance(rows))
        components = Array(eigen.vectors.prefix(k))
        let total = eigen.values.reduce(0) { $0 + max($1, 0) }
        explainedVariance = total > 0 ? eigen.values.prefix(k).reduce(0) { $0 + max($1, 0) } / total : 1
    }

    /// The sample covariance (divisor m − 1) of `rows`. One pass of rank-1 updates of the upper
    /// triangle on a flat buffer: m·d²/2 multiply-adds (3·10^8 for 800 MNIST rows of 784 pixels).
    static func covariance(_ rows: [[Double]]) -> [[Double]] {
        let d = rows[0].count, m = Double(max(rows.count - 1, 1))
        var mean = [Double](repeating: 0, count: d)
        for r in rows { for j in 0..<d { mean[j] += r[j] / Double(rows.count) } }
        var upper = [Double](repeating: 0, count: d * d)
        var centred = [Double](repeating: 0, count: d)
        upper.withUnsafeMutableBufferPointer { c in
            for r in rows {
                for j in 0..<d { centred[j] = r[j] - mean[j] }
                centred.withUnsafeBufferPointer { x in
                    for i in 0..<d where x[i] != 0 {
                        let xi = x[i], row = c.baseAddress! + i * d
                        for j in i..<d { row[j] += xi * x[j] }
                    }
                }
            }
        }
        return (0..<d).map { i in (0..<d).map { j in (i <= j ? upper[i * d + j] : upper[j * d + i]) / m } }
    }

    public func project(_ x: [Double]) -> [Double] {
        x.withUnsafeBufferPointer { x in
            components.map { c in
                c.withUnsafeBufferPointer { c in
                    var sum = 0.0
                    for j in 0..<c.count { sum += c[j] * x[j] }
                    return sum
                }
            }
        }
    }
}

extension PreparedData {
    /// `component_order: blocks`: input q = b·w + (w − 1 − j) (block b, j places before its last
    /// qubit) gets component c = j·m + b, so every block's readout qubit carries one of the m
    /// leading components, its neighbour one of the next m, … — with `mean_z` every block then
    /// carries signal, instead of the one block holding components 1…w.
    static func dealtOverBlocks(_ components: [[Double]], blocks m: Int, source: String) throws -> [[Double]] {
        let n = components.count
        guard m >= 1, n % m == 0 else {
            throw ConfigError("\(source): data.component_order: blocks needs the \(n) inputs to split into \(m) equal blocks")
        }
        let w = n / m
        return (0..<n).map { q in
            let b = q / w, j = w - 1 - q % w
            return components[j * m + b]
        }
    }

    /// The binary task of `config.data` with `features` circuit inputs.
    public static func prepare(_ dataset: Dataset, config: TrainingConfig.DataSection, features: Int) throws -> PreparedData {
        let source = config.file
        var rng = Seeds.generator(config.seed, .dataSplit)
        var trainRows: [[Double]] = [], trainLabels: [Int] = [], testRows: [[Double]] = [], testLabels: [Int] = []
        for (y, label) in config.classes.enumerated() {
            var indices = dataset.labels.indices.filter { dataset.labels[$0] == label }
            guard indices.count >= 2 else {
                throw ConfigError("\(source): class \(label) (data.classes) has \(indices.count) sample(s); need at least 2")
            }
            indices = rng.permutation(indices.count).map { indices[$0] }
            if config.maxPerClass > 0 { indices = Array(indices.prefix(config.maxPerClass)) }
            // Stratified: every class contributes the same fraction to the test split.
            let testCount = min(indices.count - 1, max(1, Int((Double(indices.count) * config.testFraction).rounded())))
            for i in indices.prefix(testCount) { testRows.append(dataset.features[i]); testLabels.append(y) }
            for i in indices.dropFirst(testCount) { trainRows.append(dataset.features[i]); trainLabels.append(y) }
        }
        // Interleave the classes so that files sorted by label do not yield one-class batches
        // before the first shuffle (the epoch shuffle reorders anyway).
        let order = rng.permutation(trainRows.count)
        trainRows = order.map { trainRows[$0] }
        trainLabels = order.map { trainLabels[$0] }

        let standard = FeatureScaler.standardising(trainRows)
        var train = trainRows.map(standard.apply), test = testRows.map(standard.apply)
        var explained = 1.0
        var directions: [[Double]]?
        switch config.reduction {
        case "pca":
            guard features <= dataset.featureCount else {
                throw ConfigError("\(source): PCA to \(features) component(s) needs at least as many features; the file has \(dataset.featureCount)")
            }
            var pca = try PCA(train, components: features)
            switch config.componentOrder {
            case "readout-first": pca.components.reverse()
            case "blocks": pca.components = try Self.dealtOverBlocks(pca.components, blocks: config.componentBlocks ?? 1, source: source)
            default: break
            }
            train = train.map(pca.project)
            test = test.map(pca.project)
            explained = pca.explainedVariance
            directions = pca.components
        default:
            guard features == dataset.featureCount else {
                throw ConfigError("\(source): data.reduction none needs \(features) feature column(s) (one per circuit input); the file has \(dataset.featureCount)")
            }
        }
        let angles = config.angleScaling == "shared"
            ? FeatureScaler.sharedMinMax(train, low: config.angleRange[0], high: config.angleRange[1])
            : FeatureScaler.minMax(train, low: config.angleRange[0], high: config.angleRange[1])
        let pipeline = FeaturePipeline(featureNames: dataset.featureNames, standard: standard, pca: directions,
                                       angles: angles, classes: config.classes)
        return PreparedData(trainInputs: train.map(angles.apply), trainLabels: trainLabels,
                            testInputs: test.map(angles.apply), testLabels: testLabels, explainedVariance: explained,
                            pipeline: pipeline,
                            testRows: zip(testRows, testLabels).map { $0 + [Double(config.classes[$1])] })
    }
}
