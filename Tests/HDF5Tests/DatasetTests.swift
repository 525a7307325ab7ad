/// N-D datasets: gzip-chunked 2-D round trips checked through the module and h5dump, element
/// types and widths, scalar datasets, and the errors for wrong sizes, classes and chunk shapes.
import Foundation
import HDF5
import Testing

@Suite struct DatasetTests {
    @Test func gzipChunked2DRoundTripThroughModuleAndH5dump() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("grid.h5")
        let rows = 40, columns = 25
        let values = (0..<(rows * columns)).map { Double($0) * 0.5 - 100 }
        do {
            let file = try File.create(path)
            let dataset = try file.createDataset(
                "fields/grid", of: Double.self, shape: [rows, columns], chunks: [8, 25], gzipLevel: 6)
            try dataset.write(values)
            try dataset.setAttribute("units", "hartree")
        }
        let file = try File.open(path)
        let dataset = try file.openDataset("fields/grid")
        let read = try dataset.read(as: Double.self)
        #expect(read == ShapedArray(shape: [rows, columns], values: values))

        let dump = try h5dump(["-p", "-d", "/fields/grid", path])
        #expect(dump.contains("H5T_IEEE_F64LE"))
        #expect(dump.contains("SIMPLE { ( 40, 25 ) / ( 40, 25 ) }"))
        #expect(dump.contains("CHUNKED ( 8, 25 )"))
        #expect(dump.contains("DEFLATE { LEVEL 6 }"))
        let items = h5dumpItems(dump)
        // h5dump lists elements in row-major order, the order `values` is in.
        #expect(items.map { Double($0) } == values.map { Optional($0) })
        #expect(items[1 * columns + 3] == "-86")
    }

    @Test func integerDatasetsOfEachWidth() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("ints.h5")
        let file = try File.create(path)
        try file.createDataset("i64", values: [Int64.min, 0, Int64.max], shape: [3])
        try file.createDataset("i32", values: [Int32(-7), 8, 9, 10], shape: [2, 2])
        try file.createDataset("int", values: [1, 2, 3, 4, 5, 6], shape: [1, 2, 3])
        try file.flush()
        #expect(try file.openDataset("i64").read(as: Int64.self).values == [Int64.min, 0, Int64.max])
        #expect(try file.openDataset("i32").read(as: Int32.self) == ShapedArray(shape: [2, 2], values: [-7, 8, 9, 10]))
        #expect(try file.openDataset("int").read(as: Int.self).shape == [1, 2, 3])
        // HDF5 converts between integer widths on read.
        #expect(try file.openDataset("i32").read(as: Int64.self).values == [-7, 8, 9, 10])
        try file.close()
        #expect(try h5dump(["-d", "/i32", path]).contains("H5T_STD_I32LE"))
        #expect(h5dumpItems(try h5dump(["-d", "/i64", path])) == ["-9223372036854775808", "0", "9223372036854775807"])
    }

    @Test func scalarAndEmptyDatasets() throws {
        let scratch = try ScratchFolder()
        let file = try File.create(scratch.file("scalar.h5"))
        try file.createDataset("loss", values: [0.75], shape: [])
        #expect(try file.openDataset("loss").read(as: Double.self) == ShapedArray(shape: [], values: [0.75]))
        try file.createDataset("none", values: [Double](), shape: [0, 3])
        #expect(try file.openDataset("none").read(as: Double.self) == ShapedArray(shape: [0, 3], values: []))
    }

    @Test func gzipWithoutChunksStoresOneChunk() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("onechunk.h5")
        try File.create(path).createDataset("v", values: Array(repeating: 1.0, count: 1000), gzipLevel: 9)
        let dump = try h5dump(["-p", "-H", "-d", "/v", path])
        #expect(dump.contains("CHUNKED ( 1000 )"))
        #expect(dump.contains("DEFLATE { LEVEL 9 }"))
        #expect(try File.open(path).openDataset("v").read(as: Double.self).values == Array(repeating: 1.0, count: 1000))
    }

    @Test func wrongSizeWrongClassAndBadChunksAreErrors() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("bad.h5")
        let file = try File.create(path)
        let dataset = try file.createDataset("d", of: Double.self, shape: [2, 3])
        let size = #expect(throws: HDF5Error.self) { try dataset.write([1.0, 2.0]) }
        #expect(size?.description == "H5Dwrite failed for \(path):/d: got 2 values for a dataset of 6 elements")
        let cls = #expect(throws: HDF5Error.self) { try dataset.read(as: Int64.self) }
        #expect(cls?.message == "dataset holds float values, not integer")
        let rank = #expect(throws: HDF5Error.self) {
            try file.createDataset("c", of: Double.self, shape: [4, 4], chunks: [4])
        }
        #expect(rank?.path == "\(path):/c")
        #expect(throws: HDF5Error.self) {
            try file.createDataset("z", of: Double.self, shape: [4], gzipLevel: 10)
        }
        #expect(throws: HDF5Error.self) { try file.createDataset("d", of: Double.self, shape: [1]) }
        let scalar = #expect(throws: HDF5Error.self) {
            try file.createDataset("s", values: [1.0], shape: [], gzipLevel: 1)
        }
        #expect(scalar?.message == "a scalar dataset (shape []) cannot be chunked or compressed")
    }
}
