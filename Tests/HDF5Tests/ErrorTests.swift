/// Failures surface as `HDF5Error`s naming the C call, the file or object, and HDF5's reason.
import Foundation
import HDF5
import Testing

@Suite struct ErrorTests {
    @Test func openingAMissingFileNamesThePathAndReason() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("missing.h5")
        let error = #expect(throws: HDF5Error.self) { try File.open(path) }
        #expect(error?.call == "H5Fopen")
        #expect(error?.path == path)
        #expect(error?.description == "H5Fopen failed for \(path): No such file or directory")
        #expect(error?.stack.first?.hasPrefix("H5Fopen(): ") == true)
        #expect(error?.kind == .library)
    }

    @Test func aFileLockedByAnotherHolderIsALockConflictByKind() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("held.h5")
        try File.create(path).close()
        // Another holder's exclusive flock (as a writer in another process would hold): HDF5's own
        // open meets it, and File.open gives up after about a second of retries.
        let descriptor = open(path, O_RDONLY)
        #expect(descriptor >= 0 && flock(descriptor, LOCK_EX) == 0)
        defer { close(descriptor) }
        let error = #expect(throws: HDF5Error.self) { try File.open(path, mode: .readWrite) }
        #expect(error?.kind == .lockConflict)
        #expect(error?.message.hasPrefix("the file is locked") == true)
    }

    @Test func openingANonHDF5FileSaysSo() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("plain.txt")
        try "not an HDF5 file\n".write(toFile: path, atomically: false, encoding: .utf8)
        let error = #expect(throws: HDF5Error.self) { try File.open(path) }
        #expect(error?.description == "H5Fopen failed for \(path): file signature not found")
    }

    @Test func exclusiveCreateOfAnExistingFileFailsAndLeavesItAlone() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("exists.h5")
        try File.create(path).createGroup("kept")
        let error = #expect(throws: HDF5Error.self) { try File.create(path, mode: .exclusive) }
        #expect(error?.call == "H5Fcreate")
        #expect(error?.description.contains(path) == true)
        #expect(error?.message == "File exists")
        #expect(try File.open(path).contains("kept"))
    }

    @Test func missingObjectsAndAttributesAreNamedInsideTheFile() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("objects.h5")
        let file = try File.create(path)
        let group = try file.createGroup("g")

        let noGroup = #expect(throws: HDF5Error.self) { try group.openGroup("nope") }
        #expect(noGroup?.call == "H5Gopen2")
        #expect(noGroup?.path == "\(path):/g/nope")

        let noDataset = #expect(throws: HDF5Error.self) { try file.openDataset("d") }
        #expect(noDataset?.path == "\(path):/d")

        let noAttribute = #expect(throws: HDF5Error.self) { try group.attribute("a", as: Int.self) }
        #expect(noAttribute?.call == "H5Aopen")
        #expect(noAttribute?.path == "\(path):/g@a")
    }

    @Test func writingToAReadOnlyFileFails() throws {
        let scratch = try ScratchFolder()
        let path = scratch.file("ro.h5")
        try File.create(path).createGroup("g")
        let file = try File.open(path, mode: .readOnly)
        let error = #expect(throws: HDF5Error.self) { try file.createGroup("h") }
        #expect(error?.call == "H5Gcreate2")
        #expect(error?.path == "\(path):/h")
    }

    @Test func hdf5PrintsNothingToStderrOnAFreshThread() throws {
        // HDF5's automatic error printing is a per-thread setting in the thread-safe build, so it
        // must be silenced on every thread the module runs on, not once per process. Run a failing
        // call on a brand-new thread with stderr redirected to a file.
        let scratch = try ScratchFolder()
        let missing = scratch.file("nothing.h5")
        let captured = scratch.file("stderr.txt")
        let message = MessageBox()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let saved = dup(2)
            let capture = open(captured, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            dup2(capture, 2)
            do {
                _ = try File.open(missing)
                message.text = "opened"
            } catch {
                message.text = "\(error)"
            }
            dup2(saved, 2)
            close(capture)
            close(saved)
            done.signal()
        }
        thread.start()
        done.wait()
        #expect(message.text == "H5Fopen failed for \(missing): No such file or directory")
        let printed = try String(contentsOfFile: captured, encoding: .utf8)
        #expect(!printed.contains("HDF5-DIAG"), "HDF5 printed its error stack: \(printed)")
    }
}

/// The worker thread's result; the semaphore orders its write before the test's read.
private final class MessageBox: @unchecked Sendable {
    var text = ""
}

@Suite struct LockTests {
    @Test func reopeningRightAfterCloseSurvivesChildProcessesSpawnedMeanwhile() throws {
        // A child process spawned by another thread holds copies of our descriptors, and with
        // them HDF5's flock, until it execs; `File.open` retries such short conflicts.
        let scratch = try ScratchFolder()
        let path = scratch.file("race.h5")
        let stop = StopFlag()
        let spawner = Thread {
            while !stop.isSet {
                _ = try? runCommand("/bin/true", [])
            }
        }
        spawner.start()
        defer { stop.set() }
        for cycle in 0..<200 {
            try File.create(path).createGroup("g\(cycle)")
            #expect(try File.open(path).memberNames() == ["g\(cycle)"])
        }
    }
}

/// A flag one thread sets and another polls.
private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
