/// The typed training config (YAML schema in docs/training.md): data, model, training,
/// estimator, robustness and checkpoint sections. Rank 0 reads it (`load`) and broadcasts it.
import Circuits
import Foundation
import Simulator
import Support

public struct TrainingConfig: Codable, Sendable, Equatable {
    public struct DataSection: Codable, Sendable, Equatable {
        /// CSV path (resolved against the config file's folder); label = last column.
        public var file: String
        /// The two class labels of the binary task: the first maps to y = 0, the second to y = 1.
        public var classes: [Int]
        /// Keep at most this many samples per class (0 = all), chosen by the seeded shuffle.
        public var maxPerClass: Int
        public var testFraction: Double
        /// "pca" (principal components of the standardised training split) or "none".
        public var reduction: String
        /// PCA only: "readout-first" puts principal component 1 on the last input (next to the
        /// default readout qubit n−1), component 2 on input n−2, …; "natural" puts it on input 0;
        /// "blocks" deals components round-robin over the model's blocks, each block's readout
        /// (last) qubit first: component c goes to block c mod m, c/m places before its end.
        public var componentOrder: String
        /// The number of blocks m for `componentOrder == "blocks"` (model.fragments, or the two
        /// halves of the reference family); nil otherwise, so the config hash of other configs
        /// is what it was before this key existed.
        public var componentBlocks: Int?
        /// Angles after scaling: train min ↦ lower, train max ↦ upper.
        public var angleRange: [Double]
        /// nil (`data.angle_scaling: feature`, the default): every feature is stretched to the
        /// whole range. "shared": one factor for all features (the widest spans the range, each
        /// feature's minimum maps to the lower end), so PCA's low-variance components stay small
        /// angles instead of being stretched to full rotations. nil keeps the hash of configs
        /// written before the key existed.
        public var angleScaling: String?
        public var seed: UInt64
    }

    public struct ModelSection: Codable, Sendable, Equatable {
        public var qubits: Int
        public var layers: Int
        /// Boundary CNOTs kept (and cut) in the first `cuts` layers of the reference family.
        public var cuts: Int
        public var readout: Readout
        /// An OpenQASM 2 file with theta[i] / x[j] instead of the reference family (optional).
        public var circuit: String?
        /// Partition labels (one letter per qubit) for a QASM circuit; the reference family uses A…AB…B.
        public var partition: String?
        /// Initial θ ~ Uniform(−initScale, initScale).
        public var initScale: Double
        /// The wide family (`BlockQNN`): blocks of n/m qubits, one fragment each. Nil for the
        /// two-half family, and so are the three keys below: optionals left out of the JSON the
        /// config hash is taken over, so checkpoints of existing configs still resume.
        public var fragments: Int?
        /// Chain, or ring (the last block joins the first).
        public var topology: BlockQNN.Topology?
        /// Layers that keep the boundary gates (default 1).
        public var crossingLayers: Int?
        /// cx, cz or rzz (trainable angle).
        public var boundaryGate: BlockQNN.BoundaryGate?
        /// OpenQASM 3 circuits: which `input` parameters are θ and which x (`model.parameters.theta`,
        /// `model.parameters.inputs`); nil (left out of the hash) when not given.
        public var parameters: QASMParameterNames?

        /// The wide family this section names, or nil for the two-half family / a QASM circuit.
        public var blockFamily: BlockQNN? {
            guard let fragments, circuit == nil else { return nil }
            return BlockQNN(qubits: qubits, layers: layers, fragments: fragments,
                            topology: topology ?? .chain, crossingLayers: crossingLayers ?? 1,
                            boundaryGate: boundaryGate ?? .cx)
        }
    }

    public struct TrainingSection: Codable, Sendable, Equatable {
        public var epochs: Int
        public var batchSize: Int
        public var optimizer: Optimizer.Kind
        public var learningRate: Double
        public var momentum: Double
        public var beta1: Double
        public var beta2: Double
        public var epsilon: Double
        public var seed: UInt64
    }

    public struct EstimatorSection: Codable, Sendable, Equatable {
        public var mode: EstimatorMode
        /// Simulate the whole circuit instead of cutting it (the baseline).
        public var uncut: Bool
        /// Shots per query, shared by every sub-experiment the query uses (matched budget).
        public var shots: Int
        /// QPD terms drawn per query (cut runs); 0 = every term with its exact coefficient.
        public var termSamples: Int
        /// `estimator.noise` (docs/executors.md): every unit simulated by density matrix under
        /// this noise model (gradients by parameter shift). Nil, and left out of the hashed JSON,
        /// without it.
        public var noise: NoiseModel? = nil
        /// `estimator.executor` (docs/executors.md): every unit, and every shifted circuit of
        /// the parameter-shift gradients, run by this external command. Nil, and left out of
        /// the hashed JSON, without it.
        public var executor: ExecutorSection? = nil
    }

    public struct RobustnessSection: Codable, Sendable, Equatable {
        public var gaussianSigmas: [Double]
        public var fgsmEpsilons: [Double]
        public var seed: UInt64
    }

    /// Resource limits the run is checked against before it starts (see `ResourceGuard`); not part
    /// of the config hash, so a resumed run may raise them.
    public struct LimitsSection: Codable, Sendable, Equatable {
        /// Bytes the node may use (default: physical memory).
        public var maxMemory: Double?
        /// QPD terms per query (opt-in; default: not checked).
        public var maxQPDTerms: Double?
        /// Amplitude updates per round (default `ResourceLimits.defaultMaxWork`).
        public var maxWork: Double?
        /// Bytes traces.h5 may reach (default: the free space of the run folder's file system).
        public var maxTrace: Double?
    }

    public struct CheckpointSection: Codable, Sendable, Equatable {
        /// Also checkpoint every this many steps (0 = only at epoch ends).
        public var everySteps: Int
    }

    public var name: String
    /// The config file itself (for messages and resolving relative paths).
    public var source: String
    public var data: DataSection
    public var model: ModelSection
    public var training: TrainingSection
    public var estimator: EstimatorSection
    public var robustness: RobustnessSection
    public var checkpoint: CheckpointSection
    /// Optional so that the hash of a config without limits is what it was before limits existed.
    public var limits: LimitsSection?
    /// The tree after overrides, canonical text: stored in traces.h5 and hashed into checkpoints.
    public var canonicalText: String

    /// Read `path`, apply `--set` overrides, check every key and type.
    public static func load(path: String, overrides: [String] = []) throws -> TrainingConfig {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path, limit: InputFile.Limit.config, what: "config") } catch { throw ConfigError(error.description) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ConfigError("\(path): not UTF-8 text") }
        var tree = try ConfigNode.parse(yaml: text, fileName: path)
        for o in overrides { try tree.override(o) }
        return try TrainingConfig(tree: tree, source: path)
    }

    public init(tree: ConfigNode, source: String) throws {
        let r = ConfigReader(tree)
        let stem = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
        name = try r.string("name", default: stem)
        // The default run folder is results/<name>: a name must stay one folder inside results/.
        guard Self.isSafeFolderName(name) else {
            throw ConfigError("\(source): name: '\(clip(name))' cannot name a results folder (not '.' or '..', no '/' or control characters, at most 200 bytes)")
        }
        self.source = source
        let absolute = source.hasPrefix("/") ? source : FileManager.default.currentDirectoryPath + "/" + source
        let folder = URL(fileURLWithPath: absolute).deletingLastPathComponent()

        guard let file = try r.string("data.file") else { throw ConfigError("\(source): data.file is required (a CSV file, label last)") }
        let resolved = file.hasPrefix("/") ? file : folder.appendingPathComponent(file).standardized.path
        let classes = try r.ints("data.classes", default: [])
        guard classes.count == 2, classes[0] != classes[1] else {
            throw ConfigError("\(source): data.classes must list two different labels, e.g. [1, 2]")
        }
        let range = try r.doubles("data.angle_range", default: [0, .pi])
        guard range.count == 2, range[0] < range[1] else { throw ConfigError("\(source): data.angle_range must be [low, high] with low < high") }
        data = DataSection(file: resolved, classes: classes,
                    maxPerClass: try r.int("data.max_per_class", default: 0, range: 0 ... Int.max),
                    testFraction: try r.double("data.test_fraction", default: 0.3, range: 0.01 ... 0.99),
                    reduction: try r.choice("data.reduction", ["pca", "none"], default: "pca"),
                    componentOrder: try r.choice("data.component_order", ["readout-first", "natural", "blocks"], default: "readout-first"),
                    componentBlocks: nil, angleRange: range,
                    angleScaling: try r.choice("data.angle_scaling", ["feature", "shared"], default: "feature") == "shared" ? "shared" : nil,
                    seed: try r.uint64("data.seed", default: 0))

        let circuit = try r.string("model.circuit")
        let layers = try r.int("model.layers", default: 2, range: 1 ... 64)
        let cuts = try r.int("model.cuts", default: 0, range: 0 ... 64)
        if circuit == nil && cuts > layers {
            throw ConfigError("\(source): model.cuts (\(cuts)) cannot exceed model.layers (\(layers)): one boundary CNOT per layer")
        }
        let wide = try Self.readBlockKeys(r, source: source, layers: layers, hasCircuit: circuit != nil)
        if data.componentOrder == "blocks" {
            guard circuit == nil else {
                throw ConfigError("\(source): data.component_order: blocks needs the model's blocks (model.fragments or the reference family), not model.circuit")
            }
            data.componentBlocks = wide?.fragments ?? 2
        }
        // One block is simulated whole, so blocks, not the model, are held to the simulator's width.
        let qubits = try r.int("model.qubits", default: 4, range: 2 ... (wide == nil ? 24 : 24 * BlockQNN.maxFragments))
        if let m = wide?.fragments {
            guard qubits % m == 0 else {
                throw ConfigError("\(source): model.fragments: \(qubits) qubits do not split into \(m) equal blocks (model.qubits must be a multiple of model.fragments)")
            }
            guard qubits / m <= 24 else {
                throw ConfigError("\(source): model.fragments: blocks of \(qubits / m) qubits are wider than 24; raise model.fragments")
            }
        }
        model = ModelSection(qubits: qubits, layers: layers, cuts: cuts,
                      readout: Readout(spelling: try r.string("model.readout", default: "last") ?? "last"),
                      circuit: circuit.map { $0.hasPrefix("/") ? $0 : folder.appendingPathComponent($0).standardized.path },
                      partition: try r.string("model.partition"),
                      initScale: try r.double("model.init_scale", default: 0.1, range: 0 ... 100),
                      fragments: wide?.fragments, topology: wide?.topology, crossingLayers: wide?.crossingLayers,
                      boundaryGate: wide?.boundaryGate,
                      parameters: try Self.readParameterNames(r, source: source, hasCircuit: circuit != nil))

        training = TrainingSection(epochs: try r.int("training.epochs", default: 10, range: 1 ... 1_000_000),
                            batchSize: try r.int("training.batch_size", default: 16, range: 1 ... 1_000_000),
                            optimizer: try r.choice("training.optimizer", default: Optimizer.Kind.adam),
                            learningRate: try r.double("training.learning_rate", default: 0.05, range: 0 ... 1e6),
                            momentum: try r.double("training.momentum", default: 0, range: 0 ... 0.999999),
                            beta1: try r.double("training.beta1", default: 0.9, range: 0 ... 0.999999),
                            beta2: try r.double("training.beta2", default: 0.999, range: 0 ... 0.999999999),
                            epsilon: try r.double("training.epsilon", default: 1e-8, range: 1e-300 ... 1),
                            seed: try r.uint64("training.seed", default: 0))

        estimator = EstimatorSection(mode: try r.choice("estimator.mode", default: EstimatorMode.exact),
                              uncut: try r.bool("estimator.uncut", default: false),
                              shots: try r.int("estimator.shots", default: 1000, range: 1 ... Int(Int32.max)),
                              termSamples: try r.int("estimator.term_samples", default: 0, range: 0 ... 100_000_000))
        if try r.node("estimator.noise") != nil {
            estimator.noise = NoiseModel(depolarizing1: try r.double("estimator.noise.depolarizing_1q", default: 0, range: 0 ... 1),
                                         depolarizing2: try r.double("estimator.noise.depolarizing_2q", default: 0, range: 0 ... 1),
                                         readout: try r.double("estimator.noise.readout", default: 0, range: 0 ... 0.5))
        }
        estimator.executor = try ExecutorSection.read(r, estimator: estimator, source: source)

        let sigmas = try r.doubles("robustness.gaussian_sigmas", default: [])
        let epsilons = try r.doubles("robustness.fgsm_epsilons", default: [])
        guard sigmas.allSatisfy({ $0 >= 0 }), epsilons.allSatisfy({ $0 >= 0 }) else {
            throw ConfigError("\(source): robustness.gaussian_sigmas and fgsm_epsilons must be ≥ 0")
        }
        robustness = RobustnessSection(gaussianSigmas: sigmas, fgsmEpsilons: epsilons,
                                seed: try r.uint64("robustness.seed", default: 0))
        checkpoint = CheckpointSection(everySteps: try r.int("checkpoint.every_steps", default: 0, range: 0 ... Int.max))
        func bytes(_ key: String) throws -> Double? {
            guard let text = try r.string(key) else { return nil }
            guard let value = Quantities.parseBytes(text) else {
                throw ConfigError("\(source): \(key): expected bytes such as 8G or 512M, got '\(text)'")
            }
            return value
        }
        let maxMemory = try bytes("limits.max_memory"), maxTrace = try bytes("limits.max_trace")
        func count(_ key: String) throws -> Double? {
            let value = try r.double(key, default: 0, range: 0 ... 1e300)
            guard value == value.rounded() else { throw ConfigError("\(source): \(key): expected a whole number such as 1e8, got \(value)") }
            return value > 0 ? value : nil
        }
        let maxTerms = try count("limits.max_qpd_terms"), maxWork = try count("limits.max_work")
        limits = maxMemory == nil && maxTrace == nil && maxTerms == nil && maxWork == nil ? nil
            : LimitsSection(maxMemory: maxMemory, maxQPDTerms: maxTerms, maxWork: maxWork, maxTrace: maxTrace)
        try r.finish()
        canonicalText = tree.canonicalText
    }

    /// The wide-family keys, or nil when the model is the two-half family: no `fragments`, or
    /// `fragments: 2` without any of the other three keys (so existing configs build exactly
    /// today's circuit). `model.cuts` and `model.partition` belong to the other families.
    static func readBlockKeys(_ r: ConfigReader, source: String, layers: Int, hasCircuit: Bool)
        throws -> (fragments: Int, topology: BlockQNN.Topology?, crossingLayers: Int?, boundaryGate: BlockQNN.BoundaryGate?)? {
        let fragments = try r.string("model.fragments") == nil ? nil
            : r.int("model.fragments", default: 2, range: 2 ... BlockQNN.maxFragments)
        let topology = try r.string("model.topology") == nil ? nil
            : r.choice("model.topology", default: BlockQNN.Topology.chain)
        let crossing = try r.string("model.crossing_layers") == nil ? nil
            : r.int("model.crossing_layers", default: 1, range: 0 ... layers)
        let gate = try r.string("model.boundary_gate") == nil ? nil
            : r.choice("model.boundary_gate", default: BlockQNN.BoundaryGate.cx)
        let extras = [("model.topology", topology != nil), ("model.crossing_layers", crossing != nil),
                      ("model.boundary_gate", gate != nil)].filter(\.1).map(\.0)
        guard let fragments else {
            if let key = extras.first { throw ConfigError("\(source): \(key) needs model.fragments (the wide family)") }
            return nil
        }
        if hasCircuit { throw ConfigError("\(source): model.fragments builds the model; it cannot be used with model.circuit") }
        if fragments == 2 && extras.isEmpty { return nil }
        for key in ["model.cuts", "model.partition"] where try r.string(key) != nil {
            throw ConfigError("\(source): \(key) belongs to the two-half family; with model.fragments use model.crossing_layers (the partition follows from the blocks)")
        }
        return (fragments, topology, crossing, gate)
    }

    /// A single path component that stays inside its parent: not empty, not `.` or `..`, no
    /// separator or control character, short enough for any file system.
    static func isSafeFolderName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name.utf8.count <= 200
            && !name.unicodeScalars.contains { $0 == "/" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7f }
    }


    /// FNV-1a 64 of the canonical config without `training.epochs` (so a run may be extended
    /// on resume) — a checkpoint from a different config is refused. The data file and a QASM
    /// circuit enter by their contents, not their paths: a project moved to another folder (or
    /// cluster) still resumes, and a data file edited under a run's feet is caught.
    public var hash: String {
        var copy = self
        copy.training.epochs = 0
        copy.source = ""
        copy.canonicalText = ""
        copy.limits = nil
        // How lines are batched and how long one may take do not change what a run computes.
        copy.estimator.executor?.maxBatch = 0
        copy.estimator.executor?.timeout = 0
        copy.data.file = Self.contentDigest(ofFile: data.file)
        copy.model.circuit = model.circuit.map(Self.contentDigest(ofFile:))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Self.fnv1a((try? encoder.encode(copy)) ?? Data())
    }

    /// Content digest of a file (FNV-1a 64 of its bytes), or its path when it cannot
    /// be read (the run then fails on reading it anyway).
    static func contentDigest(ofFile path: String) -> String {
        guard let bytes = try? InputFile.read(path, limit: InputFile.Limit.csv, what: "input") else { return path }
        return "fnv1a:" + fnv1a(Data(bytes))
    }

    static func fnv1a(_ bytes: Data) -> String { FNV1a(bytes).paddedHex }
}

/// `estimator.mode`.
public enum EstimatorMode: String, Sendable, Codable, CaseIterable {
    /// The contraction's exact values, adjoint gradients.
    case exact
    /// A matched per-query shot budget (`ShotMode`), parameter-shift gradients.
    case shots
}

/// `model.readout`: a named readout or an observable text such as "Z0 Z3" or "0.5*Z0 + 0.5*Z3".
/// Encoded as its spelling, so configs hash as they always did.
public enum Readout: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Z on the last qubit.
    case last
    /// Z⊗…⊗Z on every qubit.
    case parity
    /// The mean of Z on every block's readout qubit (`mean_z`).
    case meanZ
    /// The product of Z on every block's readout qubit (`parity_blocks`).
    case parityBlocks
    case observable(String)

    public init(spelling: String) {
        switch spelling {
        case "last": self = .last
        case "parity": self = .parity
        case "mean_z": self = .meanZ
        case "parity_blocks": self = .parityBlocks
        default: self = .observable(spelling)
        }
    }

    /// The YAML spelling.
    public var description: String {
        switch self {
        case .last: return "last"
        case .parity: return "parity"
        case .meanZ: return "mean_z"
        case .parityBlocks: return "parity_blocks"
        case .observable(let text): return text
        }
    }

    public init(from decoder: Decoder) throws { self.init(spelling: try decoder.singleValueContainer().decode(String.self)) }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
