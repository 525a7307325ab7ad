/// `checkpoint.h5`: everything a run needs to continue exactly where it stopped — θ, the
/// optimiser state, the RNG state, the step/epoch counters and the config hash. Written with
/// `writeAtomically`, so a kill at any moment leaves the previous complete checkpoint.
///
/// Layout (schema "qnncut-checkpoint" version 2: version 1 plus the seal in a 512-byte user block): datasets `theta`, `optimizer/m`, `optimizer/v`
/// (Adam only); root attributes `schema`, `schema_version`, `step`, `epoch`, `step_in_epoch`,
/// `config_hash`, `config_name`, `optimizer`, `optimizer_t`, `seed`, `rng_algorithm`, `rng_state`
/// (the epoch-shuffle generator's four 64-bit words, as int64 bit patterns), and `content_digest`
/// (FNV-1a 64 over every field, hex) so that a corrupted file is refused instead of resumed.
/// Optionally (since qnncut 0.2, same schema version: older readers ignore it) what `qnncut
/// predict` needs (Checkpoint+Predict.swift): the preprocessing (`predict/…` datasets,
/// `predict_*` attributes) and the model as JSON, with their own `predict_digest`; checkpoints
/// without it are still read and resumed (a resumed run writes it).
import Support
import HDF5

public struct Checkpoint: Sendable, Codable, Equatable {
    public static let schemaName = "qnncut-checkpoint"
    /// 2: the file is sealed (`FileSeal`: a checksum in a 512-byte user block). Version 1 files
    /// (unsealed) are still read.
    public static let schemaVersion = 2
    /// The largest checkpoint file read (θ and two moments of 2^20 parameters are 24 MiB).
    public static let maxFileBytes = 64 << 20

    public var theta: [Double]
    public var optimizer: String
    public var optimizerState: OptimizerState
    /// Steps (optimiser updates) completed.
    public var step: Int
    /// The epoch in progress (0-based); `stepInEpoch` of its steps are done.
    public var epoch: Int
    public var stepInEpoch: Int
    public var configHash: String
    public var configName: String
    public var seed: UInt64
    /// The epoch-shuffle generator after drawing this epoch's order. Every other draw (shots,
    /// noise) is re-derived from (seed, step), so this and the counters restore all randomness.
    public var rngState: [UInt64]
    /// The preprocessing and the model (`QNNModel` as JSON) for `qnncut predict` (optional).
    public var pipeline: FeaturePipeline?
    public var modelJSON: [UInt8]?

    public init(theta: [Double], optimizer: String, optimizerState: OptimizerState, step: Int, epoch: Int,
                stepInEpoch: Int, configHash: String, configName: String, seed: UInt64, rngState: [UInt64],
                pipeline: FeaturePipeline? = nil, modelJSON: [UInt8]? = nil) {
        self.pipeline = pipeline
        self.modelJSON = modelJSON
        self.theta = theta
        self.optimizer = optimizer
        self.optimizerState = optimizerState
        self.step = step
        self.epoch = epoch
        self.stepInEpoch = stepInEpoch
        self.configHash = configHash
        self.configName = configName
        self.seed = seed
        self.rngState = rngState
    }

    /// Replace `path` atomically.
    public func write(to path: String) throws {
        try writeAtomically(to: path, sealed: true) { file in
            try file.setAttribute("schema", Self.schemaName)
            try file.setAttribute("schema_version", Self.schemaVersion)
            try file.setAttribute("step", step)
            try file.setAttribute("epoch", epoch)
            try file.setAttribute("step_in_epoch", stepInEpoch)
            try file.setAttribute("config_hash", configHash)
            try file.setAttribute("config_name", configName)
            try file.setAttribute("optimizer", optimizer)
            try file.setAttribute("optimizer_t", optimizerState.t)
            try file.setAttribute("seed", Int(Int64(bitPattern: seed)))
            try file.setAttribute("rng_algorithm", "xoshiro256** seeded by SplitMix64 (stream epoch_shuffle)")
            try file.setAttribute("rng_state", rngState.map { Int(Int64(bitPattern: $0)) })
            try file.setAttribute("content_digest", digest)
            try file.createDataset("theta", values: theta)
            try file.createDataset("optimizer/m", values: optimizerState.m)
            if !optimizerState.v.isEmpty { try file.createDataset("optimizer/v", values: optimizerState.v) }
            try writePredictor(to: file)
        }
    }

    /// The most parameters a checkpoint may hold (the QASM reader's bound on `theta[i]`).
    public static let maxParameters = 1 << 20
    /// The most steps a checkpoint may count: a billion steps is years of training.
    public static let maxSteps = 1 << 40

    /// Read a checkpoint, treating the file as untrusted: only plain datasets stored inside the
    /// file are read (no external storage, virtual datasets or soft/external links), every shape
    /// is checked before anything is allocated, the content digest must be present and match,
    /// and every field must be in range (`checkFields`). Errors name the file and the field.
    public static func read(from path: String) throws -> Checkpoint {
        do {
            return try readUnchecked(path)
        } catch let error as ConfigError {
            throw error
        } catch let error as HDF5Error {
            // "checkpoint.h5: theta: is an external link; ..." rather than the C call's name.
            let object = error.path.hasPrefix(path + ":") ? String(error.path.dropFirst(path.count + 1)) : ""
            throw ConfigError("\(path): not a readable checkpoint: \(object.isEmpty ? "" : object + ": ")\(clip(error.message))")
        }
    }

    private static func readUnchecked(_ path: String) throws -> Checkpoint {
        // Before HDF5 parses anything: a damaged file must not reach its parser.
        let seal = try FileSeal.verify(path, maxBytes: maxFileBytes)
        let file = try File.open(path)
        defer { try? file.close() }
        let schema: String = try file.attribute("schema")
        guard schema == schemaName else { throw ConfigError("\(path): not a qnncut checkpoint (schema '\(clip(schema))')") }
        let version: Int = try file.attribute("schema_version")
        guard (1 ... schemaVersion).contains(version) else {
            throw ConfigError("\(path): checkpoint schema version \(version); this qnncut reads 1…\(schemaVersion)")
        }
        guard version == 1 || seal == .sealed else {
            throw ConfigError("\(path): checkpoint is corrupted (a version \(version) checkpoint without its seal)")
        }
        // Every checkpoint of this schema version has a digest: a missing one is damage, not age.
        guard try file.hasAttribute("content_digest") else {
            throw ConfigError("\(path): checkpoint is corrupted (the content_digest attribute is missing)")
        }
        func vector(_ name: String) throws -> [Double] {
            let dataset = try file.openUntrustedDataset(name, maxElements: maxParameters)
            let shape = try dataset.shape()
            guard shape.count == 1 else { throw ConfigError("\(path): \(name): shape \(shape), expected a 1-D vector") }
            return try dataset.read(as: Double.self).values
        }
        let m = try vector("optimizer/m")
        let v = try file.contains("optimizer/v") ? try vector("optimizer/v") : []
        let rng: [Int] = try file.attribute("rng_state")
        guard rng.count == 4 else { throw ConfigError("\(path): rng_state has \(rng.count) words, expected 4") }
        var checkpoint = Checkpoint(
            theta: try vector("theta"),
            optimizer: try file.attribute("optimizer"),
            optimizerState: OptimizerState(t: try file.attribute("optimizer_t"), m: m, v: v),
            step: try file.attribute("step"), epoch: try file.attribute("epoch"),
            stepInEpoch: try file.attribute("step_in_epoch"),
            configHash: try file.attribute("config_hash"), configName: try file.attribute("config_name"),
            seed: UInt64(bitPattern: Int64(try file.attribute("seed", as: Int.self))),
            rngState: rng.map { UInt64(bitPattern: Int64($0)) })
        try checkpoint.readPredictor(from: file, path: path)
        let stored: String = try file.attribute("content_digest")
        guard stored == checkpoint.digest else {
            throw ConfigError("\(path): checkpoint is corrupted (content digest \(checkpoint.digest) does not match the stored \(clip(stored)))")
        }
        try checkpoint.checkFields(path)
        return checkpoint
    }

    /// Ranges that hold for every checkpoint whatever the config: counters ≥ 0 and sane, finite
    /// numbers, a known optimiser with moments as long as θ.
    func checkFields(_ path: String) throws {
        func fail(_ field: String, _ what: String) -> ConfigError { ConfigError("\(path): \(field): \(what)") }
        guard !theta.isEmpty else { throw fail("theta", "is empty") }
        if let i = theta.firstIndex(where: { !$0.isFinite }) { throw fail("theta", "element \(i) is \(theta[i]), not a finite number") }
        guard let kind = Optimizer.Kind(rawValue: optimizer) else { throw fail("optimizer", "'\(clip(optimizer))' is not sgd or adam") }
        guard (0 ... Self.maxSteps).contains(step) else { throw fail("step", "\(step) is outside [0, 2^40]") }
        guard (0 ... Self.maxSteps).contains(epoch) else { throw fail("epoch", "\(epoch) is outside [0, 2^40]") }
        guard (0 ... Self.maxSteps).contains(stepInEpoch) else { throw fail("step_in_epoch", "\(stepInEpoch) is outside [0, 2^40]") }
        guard (0 ... Self.maxSteps).contains(optimizerState.t) else { throw fail("optimizer_t", "\(optimizerState.t) is outside [0, 2^40]") }
        guard optimizerState.t == step else { throw fail("optimizer_t", "\(optimizerState.t) differs from step \(step) (one update per step)") }
        guard optimizerState.m.count == theta.count else {
            throw fail("optimizer/m", "has \(optimizerState.m.count) values for \(theta.count) parameters")
        }
        let vCount = kind == .adam ? theta.count : 0
        guard optimizerState.v.count == vCount else {
            throw fail("optimizer/v", "has \(optimizerState.v.count) values; \(optimizer) keeps \(vCount)")
        }
        for (name, values) in [("optimizer/m", optimizerState.m), ("optimizer/v", optimizerState.v)] {
            if let i = values.firstIndex(where: { !$0.isFinite }) { throw fail(name, "element \(i) is \(values[i]), not a finite number") }
        }
        if optimizerState.v.contains(where: { $0 < 0 }) { throw fail("optimizer/v", "holds a negative second moment") }
    }

    /// Consistency with the run about to resume from it: θ as long as the model's parameters,
    /// the config's optimiser, and counters that fit the epoch length (a checkpoint is written
    /// after a step inside an epoch, or at an epoch's end with `stepInEpoch` 0). Checked before
    /// anything in the run folder changes.
    public func check(against config: TrainingConfig, parameterCount: Int, stepsPerEpoch: Int, path: String) throws {
        func fail(_ field: String, _ what: String) -> ConfigError { ConfigError("\(path): \(field): \(what)") }
        guard theta.count == parameterCount else {
            throw fail("theta", "has \(theta.count) values; the model has \(parameterCount) parameters")
        }
        guard optimizer == config.training.optimizer.rawValue else {
            throw fail("optimizer", "'\(clip(optimizer))' differs from the config's training.optimizer '\(config.training.optimizer.rawValue)'")
        }
        guard seed == config.training.seed else {
            throw fail("seed", "\(seed) differs from the config's training.seed \(config.training.seed)")
        }
        guard stepInEpoch < stepsPerEpoch else {
            throw fail("step_in_epoch", "\(stepInEpoch) is not within an epoch of \(stepsPerEpoch) step(s)")
        }
        let (done, overflow) = epoch.multipliedReportingOverflow(by: stepsPerEpoch)
        guard !overflow, done + stepInEpoch == step else {
            throw fail("step", "\(step) does not equal epoch \(epoch) × \(stepsPerEpoch) steps + step_in_epoch \(stepInEpoch)")
        }
    }


    /// FNV-1a 64 over every field in a fixed order: θ, the optimiser state, counters, strings, RNG.
    public var digest: String {
        var hash = FNV1a()
        func mix(_ word: UInt64) { hash.add(word: word) }
        func mix(_ values: [Double]) { mix(UInt64(values.count)); values.forEach { mix($0.bitPattern) } }
        func mix(_ text: String) { mix(UInt64(text.utf8.count)); text.utf8.forEach { mix(UInt64($0)) } }
        mix(theta)
        mix(optimizer)
        mix(UInt64(bitPattern: Int64(optimizerState.t)))
        mix(optimizerState.m)
        mix(optimizerState.v)
        [step, epoch, stepInEpoch].forEach { mix(UInt64(bitPattern: Int64($0))) }
        mix(configHash)
        mix(configName)
        mix(seed)
        rngState.forEach { mix($0) }
        return hash.hex
    }
}
