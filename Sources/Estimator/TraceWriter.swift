/// Writes `traces.h5` at rank 0: run attributes, the plan's one-off facts, and per round the
/// query, batch and rank rows — flushed after every round, so a killed run leaves a readable
/// file with every finished round (DESIGN §5; schema in docs/hdf5-schema.md).
import Cutting
import Foundation
import HDF5
import TraceSchema

public final class TraceWriter {
    /// The schema written (its one definition: `TraceSchema`).
    public static let schemaName = TraceSchema.name
    public static let schemaVersion = TraceSchema.version

    public let file: File
    let queries: Table<QueryTraceRow>
    let batches: Table<BatchTraceRow>
    let ranks: Table<RankTraceRow>

    /// Create the file; refuses to replace an existing one unless `overwrite`.
    /// - Parameters:
    ///   - attributes: run facts stored as root attributes (config, versions, command); those the
    ///     schema declares numeric (`world_size`, …) are stored as numbers.
    ///   - extend: writes what a caller adds to the file's first state (e.g. more tables).
    ///
    /// The first state — attributes and empty tables — appears on disk complete or not at all
    /// (`createAtomically`), so a run killed at any moment leaves no trace or a readable one.
    public init(path: String, overwrite: Bool, attributes: [String: String],
                extend: (File) throws -> Void = { _ in }) throws {
        file = try createAtomically(path, mode: overwrite ? .truncate : .exclusive) { file in
            try file.setAttribute("schema", Self.schemaName)
            try file.setAttribute("schema_version", Self.schemaVersion)
            try file.setAttribute("created", ISO8601DateFormatter().string(from: Date()))
            try file.setTraceAttributes(attributes, declared: TraceSchema.rootAttributes + TraceSchema.trainingAttributes)
            try file.createTraceTable(TraceSchema.queries, layout: QueryTraceRow.layout)
            try file.createTraceTable(TraceSchema.batches, layout: BatchTraceRow.layout)
            try file.createTraceTable(TraceSchema.ranks, layout: RankTraceRow.layout)
            try extend(file)
        }
        queries = try file.openTable(TraceSchema.queries.name, layout: QueryTraceRow.layout)
        batches = try file.openTable(TraceSchema.batches.name, layout: BatchTraceRow.layout)
        ranks = try file.openTable(TraceSchema.ranks.name, layout: RankTraceRow.layout)
    }

    /// The one-off facts of a plan, as attributes of group `plans/<index>`.
    public func recordPlan(_ index: Int, estimator: DistributedEstimator, label: String) throws {
        let plan = estimator.plan
        let group = try file.createGroup("plans/\(index)")
        try group.setAttribute("observable", label)
        try group.setAttribute("cuts", plan.cuts.count)
        try group.setAttribute("cut_locations", plan.cuts.map(\.location.text))
        try group.setAttribute("fragment_qubits", plan.fragments.map(\.width))
        try group.setAttribute("terms", plan.termCount)
        try group.setAttribute("subexperiments", plan.uniqueSettingCount)
        try group.setAttribute("work_units", plan.workUnits.count)
        try group.setAttribute("gamma", plan.planningGamma)
        try group.setAttribute("partition_s", estimator.setup.planBuild)
        try group.setAttribute("plan_broadcast_s", estimator.setup.planBroadcast)
        try group.setAttribute("plan_derive_s", estimator.setup.planDerive)
        try group.setAttribute("plan_agree_s", estimator.setup.planAgree)
        try group.setAttribute("blueprint_bytes", estimator.setup.blueprintBytes)
        try group.setAttribute("policy", estimator.options.policy.rawValue)
        try group.setAttribute("ranks", estimator.world.size)
        try file.flush()
    }

    /// Append one round's rows and flush.
    public func record(_ batch: BatchResult, step: Int, observable: Int) throws {
        let count = batch.estimate.values.count
        let perQuery = batch.stages.divided(by: count)
        let errors = batch.standardErrors, exact = batch.exactValues
        try queries.append(batch.estimate.values.enumerated().map { q, value in
            QueryTraceRow(step: Int64(step), round: Int64(batch.round), query: Int64(q), observable: Int32(observable),
                          value: value, stderr: errors[q], exact_value: exact[q], partition_s: 0,
                          generate_s: perQuery.generate, execute_s: perQuery.execute, wait_s: perQuery.wait,
                          reconstruct_s: perQuery.reconstruct, total_s: perQuery.total)
        })
        try batches.append([BatchTraceRow(
            step: Int64(step), round: Int64(batch.round), batch_size: Int32(count),
            gradients: batch.estimate.thetaGradients.isEmpty ? 0 : 1,
            units: Int32(batch.ranks.reduce(0) { $0 + $1.units }), chunks: Int32(batch.chunkCount),
            generate_s: batch.stages.generate, execute_s: batch.stages.execute, wait_s: batch.stages.wait,
            reconstruct_s: batch.stages.reconstruct, reduce_s: batch.reduceSeconds,
            contract_s: batch.contractSeconds, total_s: batch.stages.total, slowest_execute_s: batch.slowestExecute)])
        try ranks.append(batch.ranks.map { RankTraceRow(step: step, round: batch.round, $0) })
        try file.flush()
    }

    public func close() throws { try file.close() }
}

extension Cut.Location {
    /// "gate 12" or "wire q3 before gate 7".
    public var text: String {
        switch self {
        case .gate(let index): return "gate \(index)"
        case .wire(let w): return "wire q\(w.qubit) before gate \(w.beforeGate)"
        }
    }
}
