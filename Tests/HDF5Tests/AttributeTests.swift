/// Attributes of every supported type on files, groups, datasets and tables: typed round trips,
/// h5dump's view of the stored types, replacement, listing, deletion and type mismatches.
import Foundation
import HDF5
import Testing

@Suite struct AttributeTests {
    struct Row {
        var x: Double
    }

    @Test func everyTypeRoundTripsOnEveryKindOfObject() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("attrs.h5")
        do {
            let file = try File.create(path)
            let group = try file.createGroup("g")
            let dataset = try group.createDataset("d", values: [1.0])
            let table = try file.createTable("t", layout: CompoundLayout<Row>([.field("x", \.x)]))
            let objects: [any HDF5Object] = [file, group, dataset, table]
            for object in objects {
                try object.setAttribute("int", -42)
                try object.setAttribute("double", 2.5e-300)
                try object.setAttribute("ints", [1, -2, Int.max])
                try object.setAttribute("doubles", [0.1, -1e10, .infinity])
                try object.setAttribute("string", "π ≈ 3.14159 — UTF-8")
                try object.setAttribute("strings", ["alpha", "", "γ"])
                try object.setAttribute("empty", [Int]())
            }
            try file.close()
        }
        let file = try File.open(path)
        let objects: [any HDF5Object] = [
            file, try file.openGroup("g"), try file.openDataset("g/d"),
            try file.openTable("t", layout: CompoundLayout<Row>([.field("x", \.x)])),
        ]
        for object in objects {
            #expect(try object.attribute("int", as: Int.self) == -42)
            #expect(try object.attribute("double", as: Double.self) == 2.5e-300)
            #expect(try object.attribute("ints", as: [Int].self) == [1, -2, Int.max])
            #expect(try object.attribute("doubles", as: [Double].self) == [0.1, -1e10, .infinity])
            #expect(try object.attribute("string", as: String.self) == "π ≈ 3.14159 — UTF-8")
            #expect(try object.attribute("strings", as: [String].self) == ["alpha", "", "γ"])
            #expect(try object.attribute("empty", as: [Int].self) == [])
            #expect(try object.attribute("int") == .int(-42))
            #expect(try object.attribute("strings") == .strings(["alpha", "", "γ"]))
            #expect(
                try object.attributeNames()
                    == ["double", "doubles", "empty", "int", "ints", "string", "strings"])
        }
    }

    @Test func h5dumpSeesScalarsArraysAndUTF8VariableLengthStrings() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("dump.h5")
        do {
            let file = try File.create(path)
            try file.setAttribute("seed", 1234)
            try file.setAttribute("lr", 0.125)
            try file.setAttribute("shape", [3, 4])
            try file.setAttribute("name", "iris-run")
            try file.setAttribute("stages", ["partition", "generate"])
        }
        let seed = try h5dump(["-a", "/seed", path])
        #expect(seed.contains("H5T_STD_I64LE"))
        #expect(seed.contains("DATASPACE  SCALAR"))
        #expect(h5dumpItems(seed) == ["1234"])

        let lr = try h5dump(["-a", "/lr", path])
        #expect(lr.contains("H5T_IEEE_F64LE"))
        #expect(h5dumpItems(lr) == ["0.125"])

        let shape = try h5dump(["-a", "/shape", path])
        #expect(shape.contains("SIMPLE { ( 2 ) / ( 2 ) }"))
        #expect(h5dumpItems(shape) == ["3", "4"])

        // Variable-length UTF-8 is what h5py returns as `str` (fixed-length would be `bytes`).
        let name = try h5dump(["-a", "/name", path])
        #expect(name.contains("STRSIZE H5T_VARIABLE"))
        #expect(name.contains("CSET H5T_CSET_UTF8"))
        #expect(h5dumpItems(name) == ["iris-run"])

        let stages = try h5dump(["-a", "/stages", path])
        #expect(stages.contains("STRSIZE H5T_VARIABLE"))
        #expect(h5dumpItems(stages) == ["partition", "generate"])
    }

    @Test func settingAnAttributeAgainReplacesValueAndType() throws {
        let scratch = try ScratchFolder()
        let file = try File.create(scratch.file("replace.h5"))
        try file.setAttribute("step", 1)
        try file.setAttribute("step", 2)
        #expect(try file.attribute("step", as: Int.self) == 2)
        try file.setAttribute("step", "done")
        #expect(try file.attribute("step", as: String.self) == "done")
        #expect(try file.attributeNames() == ["step"])
    }

    @Test func aFailedReplacementKeepsTheOldValue() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("keep.h5")
        try File.create(path).setAttribute("step", 3)
        let file = try File.open(path, mode: .readOnly)
        let error = #expect(throws: HDF5Error.self) { try file.setAttribute("step", 4) }
        #expect(error?.call == "H5Acreate2")
        #expect(try file.attribute("step", as: Int.self) == 3)
        #expect(try file.attributeNames() == ["step"])
    }

    @Test func deleteAndExistence() throws {
        let scratch = try ScratchFolder()
        let file = try File.create(scratch.file("delete.h5"))
        try file.setAttribute("a", 1.0)
        #expect(try file.hasAttribute("a"))
        try file.deleteAttribute("a")
        #expect(try !file.hasAttribute("a"))
        #expect(throws: HDF5Error.self) { try file.deleteAttribute("a") }
    }

    @Test func readingAsTheWrongTypeNamesStoredAndRequestedTypes() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("mismatch.h5")
        let file = try File.create(path)
        try file.setAttribute("count", 7)
        try file.setAttribute("pair", [1.0, 2.0])
        let asString = #expect(throws: HDF5Error.self) { try file.attribute("count", as: String.self) }
        #expect(asString?.description == "H5Aread failed for \(path):/@count: attribute holds Int, not String")
        let asDouble = #expect(throws: HDF5Error.self) { try file.attribute("pair", as: Double.self) }
        #expect(asDouble?.message == "attribute holds [Double] of 2, not Double")
        // A one-element array and a scalar convert both ways.
        try file.setAttribute("one", [5])
        #expect(try file.attribute("one", as: Int.self) == 5)
        #expect(try file.attribute("count", as: [Int].self) == [7])
    }
}
