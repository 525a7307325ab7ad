/// What rank 0 does before `qnncut train` becomes collective: read config, data and model, and
/// make the run folder safe to write (never silently overwrite; resume only a matching config).
import Circuits
import Foundation
import HDF5
import MPI
import QNN

enum TrainSetup {
    static func prepare(_ command: Train, world: Communicator) throws -> TrainingJob {
        let config = try TrainingConfig.load(path: command.config,
                                            overrides: command.overrides + (command.maxMemory.map { ["limits.max_memory=\($0)"] } ?? []))
        let model = try QNNModel(config: config)
        if let warning = model.lightConeWarning { Log.warning("\(config.source): \(warning)") }
        // The model read the circuit already; read it again only for the reader's warnings.
        if let circuit = config.model.circuit,
           let program = try? QASM.read(contentsOf: circuit, parameters: config.model.parameters ?? QASMParameterNames()) {
            for warning in program.warnings { Log.warning(warning) }
            for note in program.notes { Log.info("note: \(note)") }
        }
        let dataset = try Dataset.readCSV(config.data.file)
        let data = try PreparedData.prepare(dataset, config: config.data, features: model.inputCount)
        guard data.trainInputs.count >= 1 else { throw InputError(description: "\(config.source): the training split is empty") }
        // An empty test split would report a test accuracy of 0 that measured nothing.
        guard data.testInputs.count >= 1 else {
            throw InputError(description: "\(config.source): the test split is empty; raise data.max_per_class or data.test_fraction")
        }
        if config.estimator.mode == .shots && config.estimator.uncut && model.observable.terms.count != 1 {
            throw InputError(description: "\(config.source): shot mode draws ±1 shots of one Pauli readout; model.readout '\(config.model.readout)' has \(model.observable.terms.count) terms")
        }
        let folder = command.output ?? "results/\(config.name)"
        let stepsPerEpoch = (data.trainInputs.count + config.training.batchSize - 1) / config.training.batchSize
        let checkpoint = try prepareFolder(folder, userNamed: command.output != nil, config: config, resume: command.resume,
                                           overwrite: command.overwrite, parameterCount: model.parameterCount,
                                           stepsPerEpoch: stepsPerEpoch)
        Log.info("\(config.name): \(data.trainInputs.count) train / \(data.testInputs.count) test samples, \(model.inputCount) features"
            + (config.data.reduction == "pca" ? String(format: " (PCA keeps %.1f%% of the variance)", 100 * data.explainedVariance) : "")
            + ", \(model.parameterCount) parameters, \(world.size) rank(s)")
        return TrainingJob(config: config, model: model, data: data, outputFolder: folder, checkpoint: checkpoint)
    }

    /// Check the run folder, read and check the checkpoint when resuming, then create the folder
    /// and take its lock (`RunLock`); returns the checkpoint to resume from, if any. Everything
    /// that can refuse the run from the folder's contents happens before anything in it changes.
    ///
    /// Files the run will write (traces, checkpoint, segments) must be absent or regular files: a
    /// symbolic link, FIFO, device or folder under those names is refused, never replaced or
    /// followed out of the folder. The folder itself may be a symbolic link only when the user
    /// named it with `--output`; the default `results/<name>` is not followed.
    static func prepareFolder(_ folder: String, userNamed: Bool, config: TrainingConfig, resume: Bool, overwrite: Bool,
                              parameterCount: Int, stepsPerEpoch: Int) throws -> Checkpoint? {
        let fm = FileManager.default
        let tracePath = folder + "/traces.h5", checkpointPath = folder + "/checkpoint.h5"
        var link = stat()
        if !userNamed && lstat(folder, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK {
            throw InputError(description: "\(folder): the default run folder is a symbolic link; pass it with --output to write there")
        }
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: folder, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue { throw InputError(description: "--output \(folder): exists and is not a folder") }
        var used = false
        if exists {
            try RunLock.refuseIfHeld(folder: folder)
            for path in [tracePath, checkpointPath] + segmentPaths(folder) {
                do { used = try InputFile.requireRegularOrAbsent(path, what: "run file") || used } catch {
                    throw InputError(description: error.description)
                }
            }
        }
        if used && !resume && !overwrite {
            throw InputError(description: "\(folder) already holds a run; pass --resume to continue it or --overwrite to replace it")
        }
        var checkpoint: Checkpoint?
        if resume && fm.fileExists(atPath: checkpointPath) {
            let c = try Checkpoint.read(from: checkpointPath)
            guard c.configHash == config.hash else {
                throw InputError(description: "\(checkpointPath): written by a different config (hash \(c.configHash), \(config.source) with overrides has \(config.hash)); only training.epochs may change on --resume")
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
        if resume && checkpoint == nil { Log.info("\(folder): no checkpoint.h5 yet; starting from step 0") }
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
                throw InputError(description: "--output \(folder): cannot create the folder (\(prefix): \(reason))")
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

    /// The operating system's reason from a Foundation error, without the NSError dump.
    static func systemReason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription.split(separator: "\n").first.map(String.init) ?? "unknown reason"
    }

    /// Rank 0, once the plan is built and checked (nothing can refuse the run any more): replace
    /// the old files on --overwrite; on --resume keep the old traces as a numbered segment. Until
    /// here a refused run has changed nothing in the folder.
    static func commitFolder(_ folder: String, resume: Bool, overwrite: Bool) throws {
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
            Log.info("kept the previous traces as \(folder)/traces.segment-\(k).h5")
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
