/// `checkpoint.h5`: everything a run needs to continue exactly where it stopped — θ, the
/// optimiser state, the RNG state, the step/epoch counters and the config hash. Written with
/// `writeAtomically`, so a kill at any moment leaves the previous complete checkpoint.
///
/// Layout (schema "qnncut-checkpoint" version 1): datasets `theta`, `optimizer/m`, `optimizer/v`
/// (Adam only); root attributes `schema`, `schema_version`, `step`, `epoch`, `step_in_epoch`,
/// `config_hash`, `config_name`, `optimizer`, `optimizer_t`, `seed`, `rng_algorithm`, `rng_state`
/// (the epoch-shuffle generator's four 64-bit words, as int64 bit patterns), and `content_digest`
/// (FNV-1a 64 over every field, hex) so that a corrupted file is refused instead of resumed.
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
            try file.setAttribute("content_digest", digest)
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
        let checkpoint = Checkpoint(
            theta: try file.openDataset("theta").read(as: Double.self).values,
            optimizer: try file.attribute("optimizer"),
            optimizerState: OptimizerState(t: try file.attribute("optimizer_t"), m: m, v: v),
            step: try file.attribute("step"), epoch: try file.attribute("epoch"),
            stepInEpoch: try file.attribute("step_in_epoch"),
            configHash: try file.attribute("config_hash"), configName: try file.attribute("config_name"),
            seed: UInt64(bitPattern: Int64(try file.attribute("seed", as: Int.self))),
            rngState: rng.map { UInt64(bitPattern: Int64($0)) })
        // Files written before the digest existed have none; every newer file must match its own.
        if try file.hasAttribute("content_digest") {
            let stored: String = try file.attribute("content_digest")
            guard stored == checkpoint.digest else {
                throw ConfigError("\(path): checkpoint is corrupted (content digest \(checkpoint.digest) does not match the stored \(stored))")
            }
        }
        return checkpoint
    }

    /// FNV-1a 64 over every field in a fixed order: θ, the optimiser state, counters, strings, RNG.
    var digest: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ word: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) {
                hash ^= (word >> UInt64(shift)) & 0xff
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
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
        return String(hash, radix: 16)
    }
}
