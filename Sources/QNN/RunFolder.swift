/// The run folder of `qnncut train` (`results/<name>` or `--output`): checked before a run may
/// write there (never silently overwritten; resumed only by a matching config), locked for the
/// run's life (`RunLock`), and committed once nothing can refuse the run any more. Every refusal
/// happens before anything in the folder changes.
import Circuits
import Foundation
import HDF5

#if canImport(Glibc)
import Glibc
#endif

/// A run folder that cannot be used, and why.
public struct RunFolderError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public enum RunFolder {
    /// Check the run folder, read and check the checkpoint when resuming, then create the folder
    /// and take its lock (`RunLock`); returns the checkpoint to resume from, if any. Everything
    /// that can refuse the run from the folder's contents happens before anything in it changes.
    ///
    /// Files the run will write (traces, checkpoint, segments) must be absent or regular files: a
    /// symbolic link, FIFO, device or folder under those names is refused, never replaced or
    /// followed out of the folder. The folder itself may be a symbolic link only when the user
    /// named it with `--output`; the default `results/<name>` is not followed.
    public static func prepare(_ folder: String, userNamed: Bool, config: TrainingConfig, resume: Bool, overwrite: Bool,
                               parameterCount: Int, stepsPerEpoch: Int, note: (String) -> Void) throws -> Checkpoint? {
        let fm = FileManager.default
        let tracePath = folder + "/traces.h5", checkpointPath = folder + "/checkpoint.h5"
        var link = stat()
        if !userNamed && lstat(folder, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK {
            throw RunFolderError("\(folder): the default run folder is a symbolic link; pass it with --output to write there")
        }
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: folder, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue { throw RunFolderError("--output \(folder): exists and is not a folder") }
        var used = false
        if exists {
            try RunLock.refuseIfHeld(folder: folder)
            for path in [tracePath, checkpointPath] + segmentPaths(folder) {
                do { used = try InputFile.requireRegularOrAbsent(path, what: "run file") || used } catch {
                    throw RunFolderError(error.description)
                }
            }
        }
        if used && !resume && !overwrite {
            throw RunFolderError("\(folder) already holds a run; pass --resume to continue it or --overwrite to replace it")
        }
        var checkpoint: Checkpoint?
        if resume && fm.fileExists(atPath: checkpointPath) {
            let c = try Checkpoint.read(from: checkpointPath)
            guard c.configHash == config.hash else {
                throw RunFolderError("\(checkpointPath): written by a different config (hash \(c.configHash), \(config.source) with overrides has \(config.hash)); only training.epochs may change on --resume")
            }
            try c.check(against: config, parameterCount: parameterCount, stepsPerEpoch: stepsPerEpoch, path: checkpointPath)
            checkpoint = c
        }
        if !exists {
            try makeFolders(folder)
        }
        try RunLock.acquire(folder: folder)
        // What a run killed while publishing a checkpoint or creating its trace left behind (no
        // other run can be writing them: we hold the lock).
        for path in [checkpointPath, tracePath] { try removeOrphanTemporaryFiles(of: path) }
        if resume && checkpoint == nil { note("\(folder): no checkpoint.h5 yet; starting from step 0") }
        return checkpoint
    }

    /// `mkdir -p`, with the system's reason (and the component that failed) in the error.
    /// The corresponding C function is `mkdir`.
    static func makeFolders(_ folder: String) throws {
        var prefix = folder.hasPrefix("/") ? "/" : ""
        for component in folder.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                let reason = String(cString: strerror(errno))
                throw RunFolderError("\(folder): cannot create the folder (\(prefix): \(reason))")
            }
        }
    }

    /// `traces.segment-K.h5` names present in `folder` (K = 1, 2, … while they exist).
    static func segmentPaths(_ folder: String) -> [String] {
        var paths: [String] = []
        var k = 1
        while true {
            let path = folder + "/traces.segment-\(k).h5"
            var info = stat()
            guard lstat(path, &info) == 0 else { return paths }
            paths.append(path)
            k += 1
        }
    }

    /// Rank 0, once the plan is built and checked (nothing can refuse the run any more): replace
    /// the old files on --overwrite; on --resume keep the old traces as a numbered segment. Until
    /// here a refused run has changed nothing in the folder.
    public static func commit(_ folder: String, resume: Bool, overwrite: Bool, note: (String) -> Void) throws {
        let fm = FileManager.default
        let tracePath = folder + "/traces.h5", checkpointPath = folder + "/checkpoint.h5"
        if overwrite {
            for path in [tracePath, checkpointPath] where fm.fileExists(atPath: path) { try fm.removeItem(atPath: path) }
            return
        }
        // The old traces cover steps up to the kill; keep them as a numbered segment.
        if resume && fm.fileExists(atPath: tracePath) {
            var k = 1
            while fm.fileExists(atPath: folder + "/traces.segment-\(k).h5") { k += 1 }
            try fm.moveItem(atPath: tracePath, toPath: folder + "/traces.segment-\(k).h5")
            note("kept the previous traces as \(folder)/traces.segment-\(k).h5")
        }
    }
}
