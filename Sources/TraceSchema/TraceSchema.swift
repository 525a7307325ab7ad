/// The one definition of `traces.h5` (docs/hdf5-schema.md): its schema name and versions, the
/// root and plan attributes, and every table with its columns in file order, each with units and a
/// description. The writers (Estimator's `TraceWriter`, QNN's `TrainingTraceWriter`) store the
/// units and descriptions beside the data; the reader (TraceAnalysis) and the Python package
/// (python/qnncut_traces) read columns by these names. No dependencies, so every side can import it.

/// What a column or attribute measures. `"s"` seconds, `"bytes"`, `"rad"` radians, `"count"`,
/// `"index"` (a position counted from 0 or 1, as the description says), `"code"` (an enumerated
/// value, listed in the description), `"1"` dimensionless, `"text"` for strings.
public enum TraceSchema {
    public static let name = "qnncut-traces"
    /// 3: `units`/`description` attributes on every table, `world_size` an integer, `config` JSON.
    /// 2: `wait_s` in queries, batches and ranks; `slowest_execute_s`, `compile_s`; plan setup
    /// attributes `plan_derive_s`, `plan_agree_s`, `blueprint_bytes`.
    public static let version = 3
    /// The version of the three training tables (`steps`, `epochs`, `robustness`).
    public static let trainingVersion = 1

    /// One column of a compound table.
    public struct Column: Sendable, Equatable {
        public let name: String
        public let units: String
        public let description: String
    }

    /// A table (1-D extendible compound dataset) and its columns in file order.
    public struct Table: Sendable, Equatable {
        public let name: String
        public let description: String
        public let columns: [Column]

        /// `name`, checked against the schema: a writer or reader naming a column the schema does
        /// not define stops at its first use (the layouts are built once, on first use).
        public subscript(_ column: String) -> String {
            precondition(columns.contains { $0.name == column }, "trace schema: table '\(name)' has no column '\(column)'")
            return column
        }

        public var columnNames: [String] { columns.map(\.name) }
    }

    /// How an attribute is stored.
    public enum Kind: String, Sendable, Equatable {
        case string, int, double, strings, ints
    }

    /// A root or plan attribute.
    public struct Attribute: Sendable, Equatable {
        public let name: String
        public let kind: Kind
        public let units: String
        public let description: String
    }

    // MARK: - Attributes

    /// Root attributes of every trace.
    public static let rootAttributes: [Attribute] = [
        .init(name: "schema", kind: .string, units: "text", description: "qnncut-traces"),
        .init(name: "schema_version", kind: .int, units: "count", description: "version of this schema"),
        .init(name: "created", kind: .string, units: "text", description: "ISO 8601 time the file was created"),
        .init(name: "qnncut_version", kind: .string, units: "text", description: "version of the writer"),
        .init(name: "command", kind: .string, units: "text", description: "the command line"),
        .init(name: "mpi_library", kind: .string, units: "text", description: "MPI library version"),
        .init(name: "hdf5_version", kind: .string, units: "text", description: "HDF5 library version"),
        .init(name: "world_size", kind: .int, units: "count", description: "number of MPI ranks (a string before version 3)"),
    ]

    /// Root attributes a training run adds.
    public static let trainingAttributes: [Attribute] = [
        .init(name: "training_schema_version", kind: .int, units: "count", description: "version of the steps, epochs and robustness tables"),
        .init(name: "config", kind: .string, units: "text", description: "the configuration after --set overrides, as JSON with sorted keys (canonical flow YAML before version 3)"),
        .init(name: "config_name", kind: .string, units: "text", description: "the config's name"),
        .init(name: "config_file", kind: .string, units: "text", description: "the file the config came from"),
        .init(name: "config_hash", kind: .string, units: "text", description: "FNV-1a 64 of the config without training.epochs (16 hex digits); matches checkpoint.h5"),
        .init(name: "resumed_from_step", kind: .int, units: "index", description: "step of the checkpoint this run resumed from; -1 for a fresh run"),
    ]

    /// Attributes of group `plans/<i>`, one per cut plan.
    public static let planAttributes: [Attribute] = [
        .init(name: "observable", kind: .string, units: "text", description: "the observable as given"),
        .init(name: "cuts", kind: .int, units: "count", description: "number of cuts"),
        .init(name: "cut_locations", kind: .strings, units: "text", description: "where each cut is: 'gate 12', 'wire q3 before gate 7'"),
        .init(name: "fragment_qubits", kind: .ints, units: "count", description: "width of every fragment"),
        .init(name: "terms", kind: .int, units: "count", description: "QPD terms: the product of the cuts' term counts"),
        .init(name: "subexperiments", kind: .int, units: "count", description: "unique fragment circuits (settings)"),
        .init(name: "work_units", kind: .int, units: "count", description: "sub-experiments x observable restrictions: what the ranks share"),
        .init(name: "gamma", kind: .double, units: "1", description: "sampling overhead factor gamma (overhead gamma^2), angle-dependent cuts at their worst case"),
        .init(name: "partition_s", kind: .double, units: "s", description: "one-off: cut finding and validation on rank 0"),
        .init(name: "plan_broadcast_s", kind: .double, units: "s", description: "one-off: broadcasting the plan's blueprint"),
        .init(name: "plan_derive_s", kind: .double, units: "s", description: "one-off: the slowest rank deriving fragments and units from the blueprint"),
        .init(name: "plan_agree_s", kind: .double, units: "s", description: "one-off: comparing the ranks' plan digests"),
        .init(name: "blueprint_bytes", kind: .int, units: "bytes", description: "size of the broadcast blueprint"),
        .init(name: "policy", kind: .string, units: "text", description: "scheduling policy"),
        .init(name: "ranks", kind: .int, units: "count", description: "MPI ranks"),
    ]

    /// The one-off setup seconds of a plan, in the order analyze reports them.
    public static let planSetupKeys = ["partition_s", "plan_broadcast_s", "plan_derive_s", "plan_agree_s"]

    /// The attribute names every table carries (the column arrays are in column order).
    public enum TableAttribute {
        /// The table's meaning: what one row is.
        public static let description = "description"
        /// One unit string per column, in column order.
        public static let units = "units"
        /// One description per column, in column order.
        public static let columnDescriptions = "column_descriptions"
    }

    // MARK: - Tables

    private static func stage(_ name: String, _ what: String) -> Column { Column(name: name, units: "s", description: what) }

    public static let queries = Table(
        name: "queries", description: "one row per query (one input vector x one observable) of every round",
        columns: [
            Column(name: "step", units: "index", description: "training step (0 for qnncut estimate)"),
            Column(name: "round", units: "index", description: "estimator round from 0, one per batch"),
            Column(name: "query", units: "index", description: "index of the query in its batch"),
            Column(name: "observable", units: "index", description: "observable / plan index"),
            Column(name: "value", units: "1", description: "the estimate the caller used: exact, or sampled in shot mode"),
            Column(name: "stderr", units: "1", description: "standard error of value (0 in exact mode)"),
            Column(name: "exact_value", units: "1", description: "the exact value (= value in exact mode; the value shot mode drew from; NaN with an external executor)"),
            stage("partition_s", "always 0 per query: partition is a one-off (plans/<i>)"),
            stage("generate_s", "the batch's generate seconds / batch size"),
            stage("execute_s", "the batch's execute seconds / batch size"),
            stage("wait_s", "the batch's wait seconds / batch size"),
            stage("reconstruct_s", "the batch's reconstruct seconds / batch size"),
            stage("total_s", "generate + execute + wait + reconstruct"),
        ])

    public static let batches = Table(
        name: "batches", description: "one row per round, at rank 0",
        columns: [
            Column(name: "step", units: "index", description: "training step (0 for qnncut estimate)"),
            Column(name: "round", units: "index", description: "estimator round from 0"),
            Column(name: "batch_size", units: "count", description: "queries in the round"),
            Column(name: "gradients", units: "code", description: "1 when gradients were computed, else 0"),
            Column(name: "units", units: "count", description: "work units evaluated, summed over ranks (backups count twice)"),
            Column(name: "chunks", units: "count", description: "chunks of the schedule"),
            stage("generate_s", "broadcast of theta and the batch"),
            stage("execute_s", "rank 0's execute phase, less time blocked with nothing to run"),
            stage("wait_s", "rank 0 waiting for the slowest rank to finish executing (barrier, or blocked with nothing to run)"),
            stage("reconstruct_s", "the reduction once every rank has arrived, and the contraction"),
            stage("reduce_s", "inside reconstruct: MPI_Reduce at rank 0"),
            stage("contract_s", "inside reconstruct: the contraction at rank 0"),
            stage("total_s", "generate + execute + wait + reconstruct: the round's wall time at rank 0"),
            stage("slowest_execute_s", "the slowest rank's execute phase"),
        ])

    public static let ranks = Table(
        name: "ranks", description: "one row per rank per round",
        columns: [
            Column(name: "step", units: "index", description: "training step (0 for qnncut estimate)"),
            Column(name: "round", units: "index", description: "estimator round from 0"),
            Column(name: "rank", units: "index", description: "MPI rank"),
            Column(name: "units", units: "count", description: "work units completed"),
            Column(name: "chunks", units: "count", description: "chunks completed"),
            Column(name: "backups", units: "count", description: "chunks run as speculative backups"),
            Column(name: "cancelled", units: "count", description: "chunks abandoned because another rank finished them first"),
            stage("busy_s", "simulating"),
            stage("idle_s", "waiting inside the round other than wait_s"),
            stage("comm_s", "inside MPI calls of the round"),
            stage("delay_s", "injected straggler delay"),
            stage("execute_s", "wall time of the rank's execute phase, less time blocked with nothing to run"),
            stage("wait_s", "waiting for the other ranks: the barrier, or blocked with nothing to run"),
            stage("compile_s", "compiling unit circuits so far in the run, cumulative"),
        ])

    public static let steps = Table(
        name: "steps", description: "one row per optimiser step (training only)",
        columns: [
            Column(name: "step", units: "index", description: "steps completed after this one (1, 2, ...)"),
            Column(name: "epoch", units: "index", description: "0-based epoch of the step"),
            Column(name: "batch_size", units: "count", description: "samples in the minibatch"),
            Column(name: "loss", units: "1", description: "mean binary cross-entropy of the batch, before the update"),
            Column(name: "accuracy", units: "1", description: "fraction of the batch classified correctly, before the update"),
            Column(name: "gradient_norm", units: "1", description: "Euclidean norm of the loss gradient in theta"),
            Column(name: "learning_rate", units: "1", description: "learning rate of the update"),
            Column(name: "shots", units: "count", description: "shots per query for the estimate (0 in exact mode)"),
            Column(name: "gradient_shots", units: "count", description: "mean shots per query the parameter-shift gradient spent (0 in exact mode)"),
            stage("seconds", "wall time of the step at rank 0"),
        ])

    public static let epochs = Table(
        name: "epochs", description: "one row per finished epoch (training only)",
        columns: [
            Column(name: "epoch", units: "index", description: "0-based epoch"),
            Column(name: "step", units: "count", description: "steps completed when the epoch ended"),
            Column(name: "train_loss", units: "1", description: "BCE on the whole training split at the epoch's end"),
            Column(name: "train_accuracy", units: "1", description: "accuracy on the whole training split at the epoch's end"),
            Column(name: "test_loss", units: "1", description: "BCE on the test split at the epoch's end"),
            Column(name: "test_accuracy", units: "1", description: "accuracy on the test split at the epoch's end"),
            stage("seconds", "wall time of the epoch, evaluation included"),
        ])

    public static let robustness = Table(
        name: "robustness", description: "one row per perturbation of the test split, written at the end of training",
        columns: [
            Column(name: "kind", units: "code", description: "0 = clean, 1 = Gaussian input noise, 2 = FGSM"),
            Column(name: "strength", units: "rad", description: "noise standard deviation (kind 1), step (kind 2), 0 (kind 0)"),
            Column(name: "test_loss", units: "1", description: "BCE on the perturbed test split"),
            Column(name: "test_accuracy", units: "1", description: "accuracy on the perturbed test split"),
        ])

    /// The `robustness.kind` codes.
    public static let attackNames = [0: "clean", 1: "gaussian", 2: "fgsm"]

    /// Every table, estimator tables first.
    public static let tables = [queries, batches, ranks, steps, epochs, robustness]
}
