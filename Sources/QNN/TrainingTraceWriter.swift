/// `traces.h5` of a training run: the estimator's `TraceWriter` (queries, batches, ranks, plan)
/// plus `steps`, `epochs` and `robustness` tables and the config as root attributes. Flushed
/// after every step, so a killed run leaves every finished step readable.
import Estimator
import HDF5

public final class TrainingTraceWriter {
    public let trace: TraceWriter
    let steps: Table<StepTraceRow>
    let epochs: Table<EpochTraceRow>
    let robustness: Table<RobustnessTraceRow>

    public init(path: String, config: TrainingConfig, attributes: [String: String], resumedFromStep: Int?) throws {
        var all = attributes
        all["config"] = config.canonicalText
        all["config_name"] = config.name
        all["config_file"] = config.source
        all["config_hash"] = config.hash
        trace = try TraceWriter(path: path, overwrite: false, attributes: all) { file in
            try file.setAttribute("training_schema_version", 1)
            try file.setAttribute("resumed_from_step", resumedFromStep ?? -1)
            _ = try file.createTable("steps", layout: StepTraceRow.layout)
            _ = try file.createTable("epochs", layout: EpochTraceRow.layout)
            _ = try file.createTable("robustness", layout: RobustnessTraceRow.layout)
        }
        steps = try trace.file.openTable("steps", layout: StepTraceRow.layout)
        epochs = try trace.file.openTable("epochs", layout: EpochTraceRow.layout)
        robustness = try trace.file.openTable("robustness", layout: RobustnessTraceRow.layout)
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
