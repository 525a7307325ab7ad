/// The rows of `traces.h5` (schema: docs/hdf5-schema.md). Plain structs of numbers, so HDF5
/// stores them as compound rows that h5py reads as numpy structured arrays. Times are seconds.
import HDF5
import TraceSchema

/// One estimator query (one input vector, one observable) of a round.
public struct QueryTraceRow: BitwiseCopyable, Sendable, Equatable {
    public var step: Int64
    public var round: Int64
    /// Index of the query within its batch.
    public var query: Int64
    public var observable: Int32
    /// What the caller got: the exact value, or in shot mode the sampled estimate.
    public var value: Double
    /// Standard error of `value` (0 in exact mode).
    public var stderr: Double
    /// The exact value (= `value` in exact mode; in shot mode the value the shots were drawn
    /// from). Schema 3.
    public var exact_value: Double
    /// Per-query stage seconds: the batch's stage time divided by the batch size. Partition is a
    /// one-off (see the `plan` group) and therefore 0 here.
    public var partition_s: Double
    public var generate_s: Double
    public var execute_s: Double
    /// Waiting for the slowest rank to finish executing (schema 2).
    public var wait_s: Double
    public var reconstruct_s: Double
    public var total_s: Double

    public static let layout: CompoundLayout<QueryTraceRow> = {
        let c = TraceSchema.queries
        return try! CompoundLayout([
            .field(c["step"], \.step), .field(c["round"], \.round), .field(c["query"], \.query),
            .field(c["observable"], \.observable), .field(c["value"], \.value), .field(c["stderr"], \.stderr),
            .field(c["exact_value"], \.exact_value), .field(c["partition_s"], \.partition_s), .field(c["generate_s"], \.generate_s),
            .field(c["execute_s"], \.execute_s), .field(c["wait_s"], \.wait_s),
            .field(c["reconstruct_s"], \.reconstruct_s), .field(c["total_s"], \.total_s),
        ])
    }()
}

/// One round (a batch of queries sharing θ), at rank 0.
public struct BatchTraceRow: BitwiseCopyable, Sendable, Equatable {
    public var step: Int64
    public var round: Int64
    public var batch_size: Int32
    public var gradients: Int32
    public var units: Int32
    public var chunks: Int32
    public var generate_s: Double
    public var execute_s: Double
    /// Rank 0 waiting for the slowest rank to finish executing (schema 2).
    public var wait_s: Double
    public var reconstruct_s: Double
    /// Inside reconstruct_s: the MPI_Reduce at rank 0 and the contraction there.
    public var reduce_s: Double
    public var contract_s: Double
    public var total_s: Double
    /// The slowest rank's execute phase (schema 2).
    public var slowest_execute_s: Double

    public static let layout: CompoundLayout<BatchTraceRow> = {
        let c = TraceSchema.batches
        return try! CompoundLayout([
            .field(c["step"], \.step), .field(c["round"], \.round), .field(c["batch_size"], \.batch_size),
            .field(c["gradients"], \.gradients), .field(c["units"], \.units), .field(c["chunks"], \.chunks),
            .field(c["generate_s"], \.generate_s), .field(c["execute_s"], \.execute_s),
            .field(c["wait_s"], \.wait_s), .field(c["reconstruct_s"], \.reconstruct_s),
            .field(c["reduce_s"], \.reduce_s), .field(c["contract_s"], \.contract_s),
            .field(c["total_s"], \.total_s), .field(c["slowest_execute_s"], \.slowest_execute_s),
        ])
    }()
}

/// One rank in one round.
public struct RankTraceRow: BitwiseCopyable, Sendable, Equatable {
    public var step: Int64
    public var round: Int64
    public var rank: Int32
    public var units: Int32
    public var chunks: Int32
    public var backups: Int32
    public var cancelled: Int32
    public var busy_s: Double
    public var idle_s: Double
    public var comm_s: Double
    public var delay_s: Double
    public var execute_s: Double
    /// Waiting after this rank's execute phase for the others (schema 2).
    public var wait_s: Double
    /// Seconds compiling unit circuits so far in the run, cumulative (schema 2).
    public var compile_s: Double

    public static let layout: CompoundLayout<RankTraceRow> = {
        let c = TraceSchema.ranks
        return try! CompoundLayout([
            .field(c["step"], \.step), .field(c["round"], \.round), .field(c["rank"], \.rank),
            .field(c["units"], \.units), .field(c["chunks"], \.chunks), .field(c["backups"], \.backups),
            .field(c["cancelled"], \.cancelled), .field(c["busy_s"], \.busy_s), .field(c["idle_s"], \.idle_s),
            .field(c["comm_s"], \.comm_s), .field(c["delay_s"], \.delay_s), .field(c["execute_s"], \.execute_s),
            .field(c["wait_s"], \.wait_s), .field(c["compile_s"], \.compile_s),
        ])
    }()

    init(step: Int, round: Int, _ t: RankTimes) {
        self.step = Int64(step)
        self.round = Int64(round)
        rank = Int32(t.rank)
        units = Int32(t.units)
        chunks = Int32(t.chunks)
        backups = Int32(t.backups)
        cancelled = Int32(t.cancelled)
        busy_s = t.busy
        idle_s = t.idle
        comm_s = t.communication
        delay_s = t.injectedDelay
        execute_s = t.executeSeconds
        wait_s = t.wait
        compile_s = t.compile
    }
}
