/// Trace files written by the tests themselves, through HDF5 and the column names of
/// `TraceSchema` (the same names the writers use), with known rows: the analysis's numbers can be
/// checked against values computed here from the definitions.
import Foundation
import HDF5
import TraceSchema

struct TraceFixture {
    struct Query: BitwiseCopyable { var step: Int64; var round: Int64; var observable: Int32
        var generate_s: Double; var execute_s: Double; var wait_s: Double; var reconstruct_s: Double; var total_s: Double }
    struct Batch: BitwiseCopyable { var step: Int64; var round: Int64; var batch_size: Int32; var gradients: Int32; var total_s: Double }
    struct Rank: BitwiseCopyable { var step: Int64; var round: Int64; var rank: Int32
        var busy_s: Double; var idle_s: Double; var comm_s: Double; var delay_s: Double }
    struct Step: BitwiseCopyable { var step: Int64; var loss: Double; var accuracy: Double; var seconds: Double }
    struct Epoch: BitwiseCopyable { var epoch: Int32; var test_loss: Double; var test_accuracy: Double
        var train_accuracy: Double; var seconds: Double }

    static let queryLayout: CompoundLayout<Query> = {
        let c = TraceSchema.queries
        return try! CompoundLayout([.field(c["step"], \.step), .field(c["round"], \.round), .field(c["observable"], \.observable),
                                    .field(c["generate_s"], \.generate_s), .field(c["execute_s"], \.execute_s),
                                    .field(c["wait_s"], \.wait_s), .field(c["reconstruct_s"], \.reconstruct_s),
                                    .field(c["total_s"], \.total_s)])
    }()
    static let batchLayout: CompoundLayout<Batch> = {
        let c = TraceSchema.batches
        return try! CompoundLayout([.field(c["step"], \.step), .field(c["round"], \.round), .field(c["batch_size"], \.batch_size),
                                    .field(c["gradients"], \.gradients), .field(c["total_s"], \.total_s)])
    }()
    static let rankLayout: CompoundLayout<Rank> = {
        let c = TraceSchema.ranks
        return try! CompoundLayout([.field(c["step"], \.step), .field(c["round"], \.round), .field(c["rank"], \.rank),
                                    .field(c["busy_s"], \.busy_s), .field(c["idle_s"], \.idle_s), .field(c["comm_s"], \.comm_s),
                                    .field(c["delay_s"], \.delay_s)])
    }()
    static let stepLayout: CompoundLayout<Step> = {
        let c = TraceSchema.steps
        return try! CompoundLayout([.field(c["step"], \.step), .field(c["loss"], \.loss), .field(c["accuracy"], \.accuracy),
                                    .field(c["seconds"], \.seconds)])
    }()
    static let epochLayout: CompoundLayout<Epoch> = {
        let c = TraceSchema.epochs
        return try! CompoundLayout([.field(c["epoch"], \.epoch), .field(c["test_loss"], \.test_loss),
                                    .field(c["test_accuracy"], \.test_accuracy), .field(c["train_accuracy"], \.train_accuracy),
                                    .field(c["seconds"], \.seconds)])
    }()

    /// A fresh folder under the temporary directory.
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "trace-analysis-tests-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes a trace of `rounds` rounds of `batch` queries each on `ranks` ranks. Query q of
    /// round r takes generate 1e-6·(q+1) s, execute 1e-3·(r+1) s, reconstruct 1e-4 s; round
    /// `slowRound` (if any) takes 100× longer to execute. A `config` name makes it a training
    /// run with one step per round (loss 1/(r+1)) and one epoch of test accuracy `accuracy`.
    @discardableResult
    static func write(_ path: String, cuts: Int, config: String? = nil, accuracy: Double = 0.9, rounds: Int = 4,
                      batch: Int = 3, ranks: Int = 2, slowRound: Int? = nil, worldSizeAsString: Bool = false,
                      version: Int = TraceSchema.version) throws -> String {
        let file = try File.create(path, mode: .truncate)
        defer { try? file.close() }
        try file.setAttribute("schema", TraceSchema.name)
        try file.setAttribute("schema_version", version)
        if worldSizeAsString { try file.setAttribute("world_size", "\(ranks)") } else { try file.setAttribute("world_size", ranks) }
        if let config {
            try file.setAttribute("config_name", config)
            try file.setAttribute("config_hash", "hash-of-\(config)")
            try file.setAttribute("config", #"{"name": "\#(config)"}"#)
        }
        let plan = try file.createGroup("plans/0")
        try plan.setAttribute("observable", "Z0")
        try plan.setAttribute("cuts", cuts)
        try plan.setAttribute("terms", 1 << (3 * cuts))
        try plan.setAttribute("subexperiments", 2 * (cuts + 1))
        try plan.setAttribute("policy", "static")
        try plan.setAttribute("ranks", ranks)
        try plan.setAttribute("partition_s", 0.01)
        var queries: [Query] = [], batches: [Batch] = [], rankRows: [Rank] = [], steps: [Step] = []
        for r in 0 ..< rounds {
            let execute = 1e-3 * Double(r + 1) * (r == slowRound ? 100 : 1)
            for q in 0 ..< batch {
                let generate = 1e-6 * Double(q + 1), reconstruct = 1e-4
                queries.append(Query(step: Int64(config == nil ? 0 : r + 1), round: Int64(r), observable: 0,
                                     generate_s: generate, execute_s: execute, wait_s: 0, reconstruct_s: reconstruct,
                                     total_s: generate + execute + reconstruct))
            }
            let step = Int64(config == nil ? 0 : r + 1)
            batches.append(Batch(step: step, round: Int64(r), batch_size: Int32(batch), gradients: config == nil ? 0 : 1,
                                 total_s: Double(batch) * execute))
            for k in 0 ..< ranks {
                rankRows.append(Rank(step: step, round: Int64(r), rank: Int32(k), busy_s: execute * Double(batch),
                                     idle_s: 1e-4 * Double(k), comm_s: 1e-5, delay_s: 0))
            }
            steps.append(Step(step: Int64(r + 1), loss: 1 / Double(r + 1), accuracy: 0.5, seconds: 0.01))
        }
        try file.createTable(TraceSchema.queries.name, layout: queryLayout).append(queries)
        try file.createTable(TraceSchema.batches.name, layout: batchLayout).append(batches)
        try file.createTable(TraceSchema.ranks.name, layout: rankLayout).append(rankRows)
        if config != nil {
            try file.createTable(TraceSchema.steps.name, layout: stepLayout).append(steps)
            try file.createTable(TraceSchema.epochs.name, layout: epochLayout)
                .append([Epoch(epoch: 0, test_loss: 0.3, test_accuracy: accuracy, train_accuracy: accuracy, seconds: 1)])
        }
        return path
    }
}
