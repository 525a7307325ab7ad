/// Compound tables: layouts from key paths, batched appends, reads through the module and h5dump,
/// reopen and append, field checks on open, and layout validation.
import Foundation
import HDF5
import Testing

/// A trace-like row with padding between fields (Int32 then Double) and a fixed string.
struct QueryRow: Equatable {
    var query: Int64
    var rank: Int32
    var seconds: Double
    var stage: FixedString<12>
    var weight: Float

    static let layout = try! CompoundLayout<QueryRow>([
        .field("query", \.query), .field("rank", \.rank), .field("seconds", \.seconds),
        .field("stage", \.stage), .field("weight", \.weight),
    ])

    static func make(_ i: Int) -> QueryRow {
        let stages = ["partition", "generate", "execute", "reconstruct"]
        return QueryRow(
            query: Int64(i), rank: Int32(i % 3), seconds: Double(i) / 8, stage: FixedString(stages[i % 4]),
            weight: Float(i) * 0.5)
    }
}

@Suite struct TableTests {
    @Test func batchedAppendsRoundTripThroughModuleAndH5dump() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("traces.h5")
        let rows = (0..<700).map(QueryRow.make)
        do {
            let file = try File.create(path)
            let table = try file.createTable("traces/queries", layout: QueryRow.layout, chunkRows: 256, gzipLevel: 4)
            for start in stride(from: 0, to: rows.count, by: 300) {
                try table.append(Array(rows[start..<min(start + 300, rows.count)]))
                try file.flush()
            }
            #expect(table.count == 700)
            #expect(try table.read(298..<302) == Array(rows[298..<302]))
        }
        let file = try File.open(path)
        let table = try file.openTable("traces/queries", layout: QueryRow.layout)
        #expect(table.count == 700)
        #expect(try table.readAll() == rows)

        let dump = try h5dump(["-p", "-d", "/traces/queries", path])
        #expect(dump.contains("SIMPLE { ( 700 ) / ( H5S_UNLIMITED ) }"))
        #expect(dump.contains("CHUNKED ( 256 )"))
        #expect(dump.contains("DEFLATE { LEVEL 4 }"))
        #expect(dump.contains("H5T_STD_I64LE \"query\";"))
        #expect(dump.contains("H5T_STD_I32LE \"rank\";"))
        #expect(dump.contains("H5T_IEEE_F64LE \"seconds\";"))
        #expect(dump.contains("H5T_IEEE_F32LE \"weight\";"))
        #expect(dump.contains("STRSIZE 12;"))
        #expect(dump.contains("STRPAD H5T_STR_NULLPAD;"))
        let items = h5dumpItems(dump)
        #expect(items.count == 700 * 5)
        // Row 5: query 5, rank 2, seconds 0.625, stage "generate", weight 2.5.
        #expect(Array(items[25..<30]) == ["5", "2", "0.625", "generate", "2.5"])
        #expect(Array(items[(699 * 5)...]) == ["699", "0", "87.375", "reconstruct", "349.5"])
    }

    @Test func theFileTypeIsPackedWhileMemoryKeepsSwiftPadding() throws {
        // In memory QueryRow has 4 bytes of padding after `rank`; on disk 8+4+8+12+4 = 36 bytes.
        #expect(MemoryLayout<QueryRow>.offset(of: \QueryRow.seconds) == 16)
        let scratch = try ScratchFolder()
        let path = scratch.file("packed.h5")
        try File.create(path).createTable("t", layout: QueryRow.layout).append(QueryRow.make(1))
        let dump = try h5dump(["-H", "-d", "/t", path])
        #expect(dump.contains("H5T_COMPOUND"))
        let file = try File.open(path)
        #expect(try file.openTable("t", layout: QueryRow.layout).readAll() == [QueryRow.make(1)])
        // h5dump does not print type sizes; `h5ls -v` does.
        let ls = try runCommand("/usr/bin/h5ls", ["-v", path + "/t"])
        #expect(ls.stdout.contains("36 bytes"), "h5ls -v output: \(ls.stdout)")
        #expect(MemoryLayout<QueryRow>.size > 36)
    }

    @Test func reopenReadWriteAndKeepAppending() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("resume.h5")
        try File.create(path).createTable("q", layout: QueryRow.layout).append((0..<10).map(QueryRow.make))
        do {
            let file = try File.open(path, mode: .readWrite)
            let table = try file.openTable("q", layout: QueryRow.layout)
            try table.append((10..<25).map(QueryRow.make))
        }
        #expect(try File.open(path).openTable("q", layout: QueryRow.layout).readAll() == (0..<25).map(QueryRow.make))
    }

    @Test func aSubsetLayoutReadsByFieldNameAndLeavesOtherBytesZero() throws {
        struct Partial: Equatable {
            var seconds: Double
            var query: Int64
            var unrelated: Int64
        }
        let scratch = try ScratchFolder()
        let path = scratch.file("subset.h5")
        try File.create(path).createTable("q", layout: QueryRow.layout).append((0..<4).map(QueryRow.make))
        let layout = try CompoundLayout<Partial>([.field("query", \.query), .field("seconds", \.seconds)])
        let rows = try File.open(path).openTable("q", layout: layout).readAll()
        #expect(rows == (0..<4).map { Partial(seconds: Double($0) / 8, query: Int64($0), unrelated: 0) })
    }

    @Test func openingWithMissingOrMistypedFieldsNamesThem() throws {
        struct Wrong { var query: Double; var extra: Int32 }
        let scratch = try ScratchFolder()
        let path = scratch.file("wrong.h5")
        let file = try File.create(path)
        try file.createTable("q", layout: QueryRow.layout)
        try file.createDataset("plain", values: [1.0])
        let layout = try CompoundLayout<Wrong>([.field("query", \.query), .field("extra", \.extra)])
        let error = #expect(throws: HDF5Error.self) { try file.openTable("q", layout: layout) }
        #expect(error?.description == "H5Dopen2 failed for \(path):/q: field 'query' is integer, not float; no field 'extra'")
        let notCompound = #expect(throws: HDF5Error.self) { try file.openTable("plain", layout: QueryRow.layout) }
        #expect(notCompound?.message == "a table holds compound rows, this dataset holds float values")
    }

    @Test func layoutsRejectDuplicatesComputedPropertiesAndEmptiness() throws {
        struct Row {
            var a: Double
            var b: Int32
            var doubled: Double { a * 2 }
        }
        #expect(throws: HDF5Error.self) { try CompoundLayout<Row>([]) }
        let duplicate = #expect(throws: HDF5Error.self) {
            try CompoundLayout<Row>([.field("a", \.a), .field("a", \.b)])
        }
        #expect(duplicate?.message == "field name 'a' appears twice")
        let computed = #expect(throws: HDF5Error.self) {
            try CompoundLayout<Row>([.field("a", \.a), .field("d", \.doubled)])
        }
        #expect(computed?.message.contains("'d'") == true)
    }

    @Test func readingOutsideTheRowsIsAnError() throws {
        let scratch = try ScratchFolder()
        let table = try File.create(scratch.file("range.h5")).createTable("q", layout: QueryRow.layout)
        try table.append([QueryRow.make(0)])
        try table.append([])
        #expect(table.count == 1)
        #expect(throws: HDF5Error.self) { try table.read(0..<2) }
    }

    @Test func fixedStringsTruncateAtWholeCharacters() {
        #expect(FixedString<4>("abcdef").string == "abcd")
        #expect(FixedString<4>("aéé").string == "aé")  // é is 2 bytes: 1 + 2 fits, 1 + 2 + 2 does not
        #expect(FixedString<4>("").string == "")
        #expect(FixedString<4>("ab") == "ab")
        #expect(FixedString<4>("ab") != "abc")
    }
}
