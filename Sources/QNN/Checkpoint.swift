/// `checkpoint.h5`: everything a run needs to continue exactly where it stopped — θ, the
/// optimiser state, the RNG state, the step/epoch counters and the config hash. Written with
/// `writeAtomically`, so a kill at any moment leaves the previous complete checkpoint.
///
/// Layout (schema "qnncut-checkpoint" version 1): datasets `theta`, `optimizer/m`, `optimizer/v`
/// (Adam only); root attributes `schema`, `schema_version`, `step`, `epoch`, `step_in_epoch`,
/// `config_hash`, `config_name`, `optimizer`, `optimizer_t`, `seed`, `rng_algorithm`, `rng_state`
/// (the epoch-shuffle generator's four 64-bit words, as int64 bit patterns).
import Cutting
import HDF5

public struct Checkpoint: Sendable, Codable, Equatable {
    public static let schemaName = "qnncut-checkpoint"
    public static let schemaVersion = 1

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

    public init(theta: [Double], optimizer: String, optimizerState: OptimizerState, step: Int, epoch: Int,
                stepInEpoch: Int, configHash: String, configName: String, seed: UInt64, rngState: [UInt64]) {
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
        try writeAtomically(to: path) { file in
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
            try file.createDataset("theta", values: theta)
            try file.createDataset("optimizer/m", values: optimizerState.m)
            if !optimizerState.v.isEmpty { try file.createDataset("optimizer/v", values: optimizerState.v) }
        }
    }

    /// Read a checkpoint; errors name the file and what is wrong.
    public static func read(from path: String) throws -> Checkpoint {
        let file = try File.open(path)
        defer { try? file.close() }
        let schema: String = try file.attribute("schema")
        guard schema == schemaName else { throw ConfigError("\(path): not a qnncut checkpoint (schema '\(schema)')") }
        let version: Int = try file.attribute("schema_version")
        guard version == schemaVersion else { throw ConfigError("\(path): checkpoint schema version \(version); this qnncut reads \(schemaVersion)") }
        let m = try file.openDataset("optimizer/m").read(as: Double.self).values
        let v = try file.contains("optimizer/v") ? try file.openDataset("optimizer/v").read(as: Double.self).values : []
        let rng: [Int] = try file.attribute("rng_state")
        guard rng.count == 4 else { throw ConfigError("\(path): rng_state has \(rng.count) words, expected 4") }
        return Checkpoint(
            theta: try file.openDataset("theta").read(as: Double.self).values,
            optimizer: try file.attribute("optimizer"),
            optimizerState: OptimizerState(t: try file.attribute("optimizer_t"), m: m, v: v),
            step: try file.attribute("step"), epoch: try file.attribute("epoch"),
            stepInEpoch: try file.attribute("step_in_epoch"),
            configHash: try file.attribute("config_hash"), configName: try file.attribute("config_name"),
            seed: UInt64(bitPattern: Int64(try file.attribute("seed", as: Int.self))),
            rngState: rng.map { UInt64(bitPattern: Int64($0)) })
    }
}
