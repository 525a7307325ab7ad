/// `qnncut _hdf5-writer PATH`: appends batches of known compound rows to an extendible table,
/// flushing after each batch and printing "flushed K" once batch K is on disk. The kill test
/// (Tests/HDF5Tests/KillTests.swift) SIGKILLs it at a random moment and checks that every flushed
/// row is readable: the crash-safety promise traces rely on. Hidden: a test instrument.
import ArgumentParser
import CSupport
import HDF5

struct HDF5WriterSelftest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_hdf5-writer", abstract: "Append and flush HDF5 rows until killed (test instrument).",
        shouldDisplay: false)

    @Argument(help: "The HDF5 file to create (replaced if it exists).")
    var path: String

    @Option(help: "Stop after this many batches (default: run until killed).")
    var batches: Int?

    @Option(help: "Rows appended per batch.")
    var rowsPerBatch = 100

    /// One row; its contents are a function of `index` alone, so a reader can check every row
    /// without knowing how far the writer got. Tests/HDF5Tests/KillTests.swift mirrors this.
    struct Row {
        var index: Int64
        var batch: Int32
        var value: Double
        var label: FixedString<12>

        init(index: Int, batch: Int) {
            self.index = Int64(index)
            self.batch = Int32(batch)
            value = Double(index) * 0.25 - 3.0
            label = FixedString("row-\(index)")
        }
    }

    func run() throws {
        csupport_line_buffer_stdio()
        let layout = try CompoundLayout<Row>([
            .field("index", \.index), .field("batch", \.batch), .field("value", \.value),
            .field("label", \.label),
        ])
        let file = try File.create(path)
        try file.setAttribute("rows_per_batch", rowsPerBatch)
        let table = try file.createTable("rows", layout: layout, chunkRows: 256)
        try file.flush()
        var batch = 0
        while batches.map({ batch < $0 }) ?? true {
            let first = batch * rowsPerBatch
            try table.append((first..<(first + rowsPerBatch)).map { Row(index: $0, batch: batch) })
            try file.flush()
            batch += 1
            csupport_write_stdout("flushed \(batch)\n")
        }
        try file.close()
    }
}
