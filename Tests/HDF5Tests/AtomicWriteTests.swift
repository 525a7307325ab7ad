/// `writeAtomically`: the new file replaces the old only when complete; a throwing body leaves the
/// old file intact and no temporary file behind; orphaned temporary files can be cleaned up.
/// `createAtomically`: a file's first state appears complete or not at all.
import Foundation
import HDF5
import Testing

@Suite struct AtomicWriteTests {
    struct BodyFailed: Error {}

    @Test func replacesTheTargetWithTheNewFile() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("checkpoint.h5")
        try writeAtomically(to: path) { file in
            try file.setAttribute("step", 1)
            try file.createDataset("theta", values: [0.1, 0.2])
        }
        try writeAtomically(to: path) { file in
            try file.setAttribute("step", 2)
            try file.createDataset("theta", values: [0.3, 0.4])
        }
        let file = try File.open(path)
        #expect(try file.attribute("step", as: Int.self) == 2)
        #expect(try file.openDataset("theta").read(as: Double.self).values == [0.3, 0.4])
        #expect(try scratch.names() == ["checkpoint.h5"])
        #expect(h5dumpItems(try h5dump(["-d", "/theta", path])) == ["0.3", "0.4"])
    }

    @Test func aThrowingBodyLeavesTheOldFileIntactAndNoTemporaryFile() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("checkpoint.h5")
        try writeAtomically(to: path) { try $0.setAttribute("step", 7) }
        #expect(throws: BodyFailed.self) {
            try writeAtomically(to: path) { file in
                try file.setAttribute("step", 8)
                try file.createDataset("half", values: [1.0])
                throw BodyFailed()
            }
        }
        #expect(try scratch.names() == ["checkpoint.h5"])
        let file = try File.open(path)
        #expect(try file.attribute("step", as: Int.self) == 7)
        #expect(try !file.contains("half"))
    }

    @Test func aBodyThatKeepsObjectsOpenStillProducesACompleteFile() throws {
        // The file is closed with the strong close degree, so objects the body leaves open (here a
        // table it returns to the caller's scope) cannot keep unwritten data out of the rename.
        let scratch = try ScratchFolder()
        let path = scratch.file("state.h5")
        var leaked: Table<QueryRow>?
        try writeAtomically(to: path) { file in
            let table = try file.createTable("q", layout: QueryRow.layout)
            try table.append((0..<50).map(QueryRow.make))
            leaked = table
        }
        #expect(throws: HDF5Error.self) { try leaked?.append(QueryRow.make(50)) }
        #expect(try File.open(path).openTable("q", layout: QueryRow.layout).readAll() == (0..<50).map(QueryRow.make))
    }

    @Test func orphanTemporaryFilesOfATargetAreRemovedOthersKept() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("checkpoint.h5")
        try writeAtomically(to: path) { try $0.setAttribute("step", 1) }
        for name in [".checkpoint.h5.tmp-123-abc", ".checkpoint.h5.tmp-9-f", ".traces.h5.tmp-1-2", "notes.txt"] {
            #expect(FileManager.default.createFile(atPath: scratch.file(name), contents: Data([1])))
        }
        let removed = try removeOrphanTemporaryFiles(of: path)
        #expect(removed == [scratch.file(".checkpoint.h5.tmp-123-abc"), scratch.file(".checkpoint.h5.tmp-9-f")])
        #expect(try scratch.names() == [".traces.h5.tmp-1-2", "checkpoint.h5", "notes.txt"])
        #expect(try removeOrphanTemporaryFiles(of: path) == [])
    }

    @Test func aMissingFolderIsAnErrorNamingIt() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("no/such/dir/checkpoint.h5")
        let error = #expect(throws: HDF5Error.self) { try writeAtomically(to: path) { _ in } }
        #expect(error?.call == "H5Fcreate")
        #expect(error?.path == path)
    }

    @Test func createAtomicallyPublishesTheFirstStateCompleteThenOpensItForWriting() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("traces.h5")
        let file = try createAtomically(path, mode: .exclusive) { file in
            // Until the body is done nothing exists under the target's name: a kill here leaves
            // no file rather than an unreadable one.
            #expect(!FileManager.default.fileExists(atPath: path))
            try file.setAttribute("schema", "test")
            _ = try file.createTable("q", layout: QueryRow.layout)
        }
        try file.openTable("q", layout: QueryRow.layout).append((0..<3).map(QueryRow.make))
        try file.close()
        let reread = try File.open(path)
        #expect(try reread.attribute("schema", as: String.self) == "test")
        #expect(try reread.openTable("q", layout: QueryRow.layout).readAll() == (0..<3).map(QueryRow.make))
        #expect(try scratch.names() == ["traces.h5"])
    }

    @Test func createAtomicallyExclusiveNeverReplacesTruncateDoes() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("traces.h5")
        try writeAtomically(to: path) { try $0.setAttribute("run", 1) }
        let error = #expect(throws: HDF5Error.self) {
            _ = try createAtomically(path, mode: .exclusive) { try $0.setAttribute("run", 2) }
        }
        #expect(error?.call == "link" && error?.path == path)
        #expect(try File.open(path).attribute("run", as: Int.self) == 1)
        #expect(try scratch.names() == ["traces.h5"])
        let replaced = try createAtomically(path, mode: .truncate) { try $0.setAttribute("run", 3) }
        try replaced.close()
        #expect(try File.open(path).attribute("run", as: Int.self) == 3)
        #expect(try scratch.names() == ["traces.h5"])
    }
}
