/// Files and groups: create modes, nested groups, membership, listing, flush and close semantics.
import Foundation
import HDF5
import Testing

@Suite struct FileAndGroupTests {
    @Test func nestedGroupsAreCreatedListedAndFoundAfterReopen() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("groups.h5")
        do {
            let file = try File.create(path)
            try file.createGroup("runs/2026/a")
            try file.createGroup("config")
            let runs = try file.openGroup("runs")
            try runs.createGroup("2027")
            #expect(runs.name == "/runs")
            #expect(try runs.openGroup("2026/a").name == "/runs/2026/a")
            try file.close()
        }
        let file = try File.open(path)
        #expect(try file.memberNames() == ["config", "runs"])
        #expect(try file.openGroup("runs").memberNames() == ["2026", "2027"])
        #expect(try file.contains("runs/2026/a"))
        #expect(try file.contains("/runs/2026"))
        #expect(try !file.contains("runs/2025/a"))
        #expect(try !file.contains("missing"))
        #expect(try file.openGroup("runs").contains("2026/a"))

        let listing = try h5dump(["-n", path])
        #expect(listing.contains("group      /runs/2026/a"))
    }

    @Test func requireGroupOpensExistingAndCreatesMissing() throws {
        let scratch = try ScratchFolder()
        let file = try File.create(scratch.file("require.h5"))
        let first = try file.requireGroup("a/b")
        try first.setAttribute("mark", 1)
        let again = try file.requireGroup("a/b")
        #expect(try again.attribute("mark", as: Int.self) == 1)
        #expect(throws: HDF5Error.self) { try file.createGroup("a/b") }
    }

    @Test func groupsOutliveTheFileValueThatOpenedThem() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("outlive.h5")
        let group = try File.create(path).createGroup("g")
        try group.setAttribute("still", "open")
        #expect(try group.attribute("still", as: String.self) == "open")
    }

    @Test func closingTheFileClosesItsObjectsAndLaterUseThrows() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("closed.h5")
        let file = try File.create(path)
        let group = try file.createGroup("g")
        try file.close()
        try file.close()
        #expect(!file.isOpen)
        let error = #expect(throws: HDF5Error.self) { try group.setAttribute("x", 1) }
        #expect(error?.description.contains("closed.h5:/g") == true)
        // Closed for real: another handle can open it read-write without a lock conflict.
        let reopened = try File.open(path, mode: .readWrite)
        #expect(try reopened.memberNames() == ["g"])
    }

    @Test func truncateReplacesAnExistingFile() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("trunc.h5")
        try File.create(path).createGroup("old")
        let file = try File.create(path, mode: .truncate)
        #expect(try file.memberNames() == [])
    }

    @Test func flushMakesDataVisibleToAnotherReaderWhileOpen() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("flush.h5")
        let file = try File.create(path)
        try file.createDataset("x", values: [1.0, 2.0, 3.0])
        try file.flush()
        let items = h5dumpItems(try h5dump(["-d", "/x", path], ignoreLocks: true))
        #expect(items == ["1", "2", "3"])
        try file.close()
    }

    @Test func removedMembersDisappear() throws {
        let scratch = try ScratchFolder()
        let file = try File.create(scratch.file("remove.h5"))
        try file.createGroup("a")
        try file.createGroup("b")
        try file.removeMember("a")
        #expect(try file.memberNames() == ["b"])
    }

    @Test func libraryVersionIsTheLinkedOne() throws {
        let version = try Library.version()
        #expect(version.major == 1 && version.minor >= 10)
        #expect(try Library.versionString() == "\(version.major).\(version.minor).\(version.release)")
    }
}
