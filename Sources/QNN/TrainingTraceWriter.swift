/// `traces.h5` of a training run: the estimator's `TraceWriter` (queries, batches, ranks, plan)
/// plus `steps`, `epochs` and `robustness` tables and the config as root attributes (the config
/// as JSON, docs/hdf5-schema.md). Flushed after every step, so a killed run leaves every finished
/// step readable.
import Estimator
import HDF5
import TraceSchema

public final class TrainingTraceWriter {
    public let trace: TraceWriter
    let steps: Table<StepTraceRow>
    let epochs: Table<EpochTraceRow>
    let robustness: Table<RobustnessTraceRow>

    public init(path: String, config: TrainingConfig, attributes: [String: String], resumedFromStep: Int?) throws {
        var all = attributes
        all["config"] = try ConfigNode.parse(yaml: config.canonicalText, fileName: "config").jsonText
        all["config_name"] = config.name
        all["config_file"] = config.source
        all["config_hash"] = config.hash
        trace = try TraceWriter(path: path, overwrite: false, attributes: all) { file in
            try file.setAttribute("training_schema_version", TraceSchema.trainingVersion)
            try file.setAttribute("resumed_from_step", resumedFromStep ?? -1)
            try file.createTraceTable(TraceSchema.steps, layout: StepTraceRow.layout)
            try file.createTraceTable(TraceSchema.epochs, layout: EpochTraceRow.layout)
            try file.createTraceTable(TraceSchema.robustness, layout: RobustnessTraceRow.layout)
        }
        steps = try trace.file.openTable(TraceSchema.steps.name, layout: StepTraceRow.layout)
        epochs = try trace.file.openTable(TraceSchema.epochs.name, layout: EpochTraceRow.layout)
        robustness = try trace.file.openTable(TraceSchema.robustness.name, layout: RobustnessTraceRow.layout)
    }

    public func record(step row: StepTraceRow) throws {
        try steps.append(row)
        try trace.file.flush()
    }

    public func record(epoch row: EpochTraceRow) throws {
        try epochs.append(row)
        try trace.file.flush()
    }

    public func record(robustness rows: [RobustnessTraceRow]) throws {
        try robustness.append(rows)
        try trace.file.flush()
    }

    public func close() throws { try trace.close() }
}
