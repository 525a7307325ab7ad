/// Reading one `traces.h5`: checks that the file is ours and of a schema version we know, then
/// loads the plan attributes and every flushed row of every table. Tables a run did not write (an
/// estimate run has no `steps`) read as empty, so interrupted runs load too. Traces are input:
/// every table read is bounded by the file's size (`openUntrustedTable`).
import Foundation
import HDF5
import TraceSchema

/// A failure of trace analysis, naming the file and what is wrong with it.
public struct AnalyzeError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Everything `analyze` uses from one traces file. The row structs name only the columns read:
/// tables are read by field name (docs/hdf5-schema.md).
public struct TraceRun: Sendable {
    struct Plan { var observable: String; var cuts: Int; var terms: Int; var subexperiments: Int; var policy: String; var ranks: Int
        /// One-off seconds: cut search at rank 0 (`partition_s`), blueprint broadcast, and (schema
        /// 2) the slowest rank's plan derivation and the digest agreement; absent ones are 0.
        var setup: [String: Double] = [:] }
    struct Query: BitwiseCopyable { var step: Int64; var round: Int64; var observable: Int32
        var generate_s: Double; var execute_s: Double; var reconstruct_s: Double; var total_s: Double
        /// Schema 2; 0 for older traces (whose reconstruct_s includes the waiting).
        var wait_s = 0.0 }
    struct QueryWait: BitwiseCopyable { var wait_s: Double }
    struct Batch: BitwiseCopyable { var step: Int64; var round: Int64; var batch_size: Int32; var gradients: Int32
        var total_s: Double }
    struct Rank: BitwiseCopyable { var step: Int64; var round: Int64; var rank: Int32
        var busy_s: Double; var idle_s: Double; var comm_s: Double; var delay_s: Double }
    struct Step: BitwiseCopyable { var step: Int64; var loss: Double; var accuracy: Double; var seconds: Double }
    struct Epoch: BitwiseCopyable { var epoch: Int32; var test_loss: Double; var test_accuracy: Double
        var train_accuracy: Double; var seconds: Double }
    struct Robustness: BitwiseCopyable { var kind: Int32; var strength: Double; var test_accuracy: Double }

    var path: String
    /// Files read for this run: 1, or more for a resumed training run (AnalyzeRunFiles.swift).
    var segments = 1
    var worldSize: Int
    var configName: String?
    /// The training config as stored: JSON since schema 3, canonical flow YAML before.
    var config: String?
    /// The command line that wrote the file.
    var command: String?
    /// The training config's hash (absent in estimate traces): every segment of one run has the same.
    var configHash: String?
    var plans: [Plan]
    var queries: [Query]
    var batches: [Batch]
    var ranks: [Rank]
    var steps: [Step]
    var epochs: [Epoch]
    var robustness: [Robustness]
}

public enum TraceReader {
    /// The newest `schema_version` this reader understands: the writers' (one definition).
    static let schemaVersion = TraceSchema.version

    /// Read a trace in this process. HDF5 1.10 itself crashes (SIGSEGV inside the library) on some
    /// damaged files: a caller that reads files from shared folders should let a child process
    /// read each first (`qnncut analyze` does, through its hidden `_read-files`).
    public static func read(_ path: String) throws -> TraceRun {
        guard FileManager.default.fileExists(atPath: path) else { throw AnalyzeError("\(path): no such file") }
        let file: File
        do { file = try File.open(path) } catch let error as HDF5Error {
            if error.message.hasPrefix("the file is locked") {
                throw AnalyzeError("\(path): a running qnncut is writing it; to read it live set HDF5_USE_FILE_LOCKING=FALSE")
            }
            throw AnalyzeError("\(path): not a readable HDF5 file (\(error.message))")
        }
        defer { try? file.close() }
        let version = try checkSchema(file, path)
        // An integer since schema 3; a decimal string before.
        let world = (try? file.attribute("world_size", as: Int.self))
            ?? (try? file.attribute("world_size", as: String.self)).flatMap { Int($0) } ?? 0
        // Every stored row takes at least 8 bytes of the file (no table is compressed): a table
        // declaring more rows than that is damaged or crafted, and is refused before allocating.
        let maxRows = ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 8
        var queries = try rows(file, TraceSchema.queries.name, Queries.layout, path, required: true, maxRows: maxRows)
        if version >= 2 {
            let waits = try rows(file, TraceSchema.queries.name, Queries.waitLayout, path, required: true, maxRows: maxRows)
            guard waits.count == queries.count else { throw AnalyzeError("\(path): table 'queries' changed while being read") }
            for i in queries.indices { queries[i].wait_s = waits[i].wait_s }
        }
        let run = TraceRun(
            path: path, worldSize: world, configName: try? file.attribute("config_name", as: String.self),
            config: try? file.attribute("config", as: String.self), command: try? file.attribute("command", as: String.self),
            configHash: try? file.attribute("config_hash", as: String.self),
            plans: try readPlans(file, path),
            queries: queries,
            batches: try rows(file, TraceSchema.batches.name, Batches.layout, path, required: true, maxRows: maxRows),
            ranks: try rows(file, TraceSchema.ranks.name, Ranks.layout, path, required: true, maxRows: maxRows),
            steps: try rows(file, TraceSchema.steps.name, Steps.layout, path, maxRows: maxRows),
            epochs: try rows(file, TraceSchema.epochs.name, Epochs.layout, path, maxRows: maxRows),
            robustness: try rows(file, TraceSchema.robustness.name, RobustnessRows.layout, path, maxRows: maxRows))
        try checkCounters(run)
        return run
    }

    /// Steps and rounds count from 0 and stay far below 2^40 in any real run; larger values (a
    /// flipped bit, a crafted file) would overflow when segments are joined.
    static func checkCounters(_ run: TraceRun) throws {
        let sane: ClosedRange<Int64> = 0 ... (1 << 40)
        func check(_ table: String, _ column: String, _ values: some Sequence<Int64>) throws {
            if let bad = values.first(where: { !sane.contains($0) }) {
                throw AnalyzeError("\(run.path): table '\(table)': \(column) \(bad) is outside [0, 2^40]")
            }
        }
        try check("queries", "round", run.queries.lazy.map(\.round))
        try check("queries", "step", run.queries.lazy.map(\.step))
        try check("batches", "round", run.batches.lazy.map(\.round))
        try check("batches", "step", run.batches.lazy.map(\.step))
        try check("ranks", "round", run.ranks.lazy.map(\.round))
        try check("ranks", "step", run.ranks.lazy.map(\.step))
        try check("steps", "step", run.steps.lazy.map(\.step))
    }

    /// Refuses files that are not traces (a checkpoint, someone else's HDF5) or that are newer.
    @discardableResult
    static func checkSchema(_ file: File, _ path: String) throws -> Int {
        guard (try? file.hasAttribute("schema")) == true, let schema = try? file.attribute("schema", as: String.self) else {
            throw AnalyzeError("\(path): not a qnncut traces file (no 'schema' attribute at the root)")
        }
        guard schema == TraceSchema.name else {
            throw AnalyzeError("\(path): schema '\(schema)' is not '\(TraceSchema.name)'; analyze reads traces.h5 files")
        }
        guard let version = try? file.attribute("schema_version", as: Int.self) else {
            throw AnalyzeError("\(path): the 'schema_version' attribute is missing or not an integer")
        }
        guard (1 ... schemaVersion).contains(version) else {
            throw AnalyzeError("\(path): schema_version \(version) is not one this qnncut reads (1…\(schemaVersion)); use a newer qnncut")
        }
        return version
    }

    static func readPlans(_ file: File, _ path: String) throws -> [TraceRun.Plan] {
        guard try file.contains("plans") else { return [] }
        let group = try file.openGroup("plans")
        let names = try group.memberNames().filter { Int($0) != nil }.sorted { Int($0)! < Int($1)! }
        return try names.map { name in
            let g = try group.openGroup(name)
            do {
                var plan = TraceRun.Plan(observable: try g.attribute("observable"), cuts: try g.attribute("cuts"),
                                         terms: try g.attribute("terms"), subexperiments: try g.attribute("subexperiments"),
                                         policy: try g.attribute("policy"), ranks: try g.attribute("ranks"))
                for key in TraceSchema.planSetupKeys
                where (try? g.hasAttribute(key)) == true {
                    plan.setup[key] = try g.attribute(key, as: Double.self)
                }
                return plan
            } catch let error as HDF5Error {
                throw AnalyzeError("\(path): plans/\(name): \(error.message) (\(error.path))")
            }
        }
    }

    /// Every row of table `name`; a missing optional table reads as no rows.
    static func rows<Row>(_ file: File, _ name: String, _ layout: CompoundLayout<Row>, _ path: String,
                          required: Bool = false, maxRows: Int) throws -> [Row] {
        do {
            guard try file.contains(name) else {
                if required { throw AnalyzeError("\(path): table '\(name)' is missing; not a complete qnncut traces file") }
                return []
            }
            return try file.openUntrustedTable(name, layout: layout, maxRows: maxRows).readAll()
        } catch let error as HDF5Error {
            throw AnalyzeError("\(path): table '\(name)': \(error.message)")
        }
    }
}

/// The columns read from each table (docs/hdf5-schema.md).
private enum Queries {
    static let c = TraceSchema.queries
    static let layout = try! CompoundLayout<TraceRun.Query>([
        .field(c["step"], \.step), .field(c["round"], \.round), .field(c["observable"], \.observable),
        .field(c["generate_s"], \.generate_s), .field(c["execute_s"], \.execute_s),
        .field(c["reconstruct_s"], \.reconstruct_s), .field(c["total_s"], \.total_s),
    ])
    static let waitLayout = try! CompoundLayout<TraceRun.QueryWait>([.field(c["wait_s"], \.wait_s)])
}

private enum Batches {
    static let c = TraceSchema.batches
    static let layout = try! CompoundLayout<TraceRun.Batch>([
        .field(c["step"], \.step), .field(c["round"], \.round), .field(c["batch_size"], \.batch_size),
        .field(c["gradients"], \.gradients), .field(c["total_s"], \.total_s),
    ])
}

private enum Ranks {
    static let c = TraceSchema.ranks
    static let layout = try! CompoundLayout<TraceRun.Rank>([
        .field(c["step"], \.step), .field(c["round"], \.round), .field(c["rank"], \.rank), .field(c["busy_s"], \.busy_s),
        .field(c["idle_s"], \.idle_s), .field(c["comm_s"], \.comm_s), .field(c["delay_s"], \.delay_s),
    ])
}

private enum Steps {
    static let c = TraceSchema.steps
    static let layout = try! CompoundLayout<TraceRun.Step>([
        .field(c["step"], \.step), .field(c["loss"], \.loss), .field(c["accuracy"], \.accuracy), .field(c["seconds"], \.seconds),
    ])
}

private enum Epochs {
    static let c = TraceSchema.epochs
    static let layout = try! CompoundLayout<TraceRun.Epoch>([
        .field(c["epoch"], \.epoch), .field(c["test_loss"], \.test_loss), .field(c["test_accuracy"], \.test_accuracy),
        .field(c["train_accuracy"], \.train_accuracy), .field(c["seconds"], \.seconds),
    ])
}

private enum RobustnessRows {
    static let c = TraceSchema.robustness
    static let layout = try! CompoundLayout<TraceRun.Robustness>([
        .field(c["kind"], \.kind), .field(c["strength"], \.strength), .field(c["test_accuracy"], \.test_accuracy),
    ])
}
