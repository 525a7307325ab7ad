/// Creating a `traces.h5` table from its definition in `TraceSchema`: the layout must store
/// exactly the schema's columns in the schema's order, and the table carries the schema's
/// `description`, per-column `units` and `column_descriptions` as attributes, so the file
/// describes itself (docs/hdf5-schema.md).
import HDF5
import TraceSchema

extension Container {
    /// Creates table `schema.name` with `layout` and its self-description attributes.
    @discardableResult
    public func createTraceTable<Row>(_ schema: TraceSchema.Table, layout: CompoundLayout<Row>) throws -> Table<Row> {
        let stored = layout.fields.map(\.name)
        guard stored == schema.columnNames else {
            throw HDF5Error(call: "createTraceTable", path: schema.name,
                            message: "the row layout stores \(stored), the trace schema defines \(schema.columnNames)")
        }
        let table = try createTable(schema.name, layout: layout)
        try table.setAttribute(TraceSchema.TableAttribute.description, schema.description)
        try table.setAttribute(TraceSchema.TableAttribute.units, schema.columns.map(\.units))
        try table.setAttribute(TraceSchema.TableAttribute.columnDescriptions, schema.columns.map(\.description))
        return table
    }

    /// Sets the run attributes `values` as the schema declares them: an attribute the schema
    /// declares an integer (e.g. `world_size`) is stored as one, and must parse as one.
    public func setTraceAttributes(_ values: [String: String], declared: [TraceSchema.Attribute]) throws {
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            switch declared.first(where: { $0.name == key })?.kind {
            case .int:
                guard let number = Int(value) else {
                    throw HDF5Error(call: "setTraceAttributes", path: key, message: "'\(value)' is not an integer")
                }
                try setAttribute(key, number)
            case .double:
                guard let number = Double(value) else {
                    throw HDF5Error(call: "setTraceAttributes", path: key, message: "'\(value)' is not a number")
                }
                try setAttribute(key, number)
            default:
                try setAttribute(key, value)
            }
        }
    }
}
