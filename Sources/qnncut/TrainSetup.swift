/// What rank 0 does before `qnncut train` becomes collective: read config, data and model, and
/// make the run folder safe to write (never silently overwrite; resume only a matching config).
import Foundation
import HDF5
import MPI
import QNN

enum TrainSetup {
    static func prepare(_ command: Train, world: Communicator) throws -> TrainingJob {
        let config = try TrainingConfig.load(path: command.config,
                                            overrides: command.overrides + (command.maxMemory.map { ["limits.max_memory=\($0)"] } ?? []))
        let model = try QNNModel(config: config)
        let dataset = try Dataset.readCSV(config.data.file)
        let data = try PreparedData.prepare(dataset, config: config.data, features: model.inputCount)
        guard data.trainInputs.count >= 1 else { throw InputError(description: "\(config.source): the training split is empty") }
        if config.estimator.mode == "shots" && config.estimator.uncut && model.observable.terms.count != 1 {
            throw InputError(description: "\(config.source): shot mode draws ±1 shots of one Pauli readout; model.readout '\(config.model.readout)' has \(model.observable.terms.count) terms")
        }
        let folder = command.output ?? "results/\(config.name)"
        let checkpoint = try prepareFolder(folder, config: config, resume: command.resume, overwrite: command.overwrite)
        Log.info("\(config.name): \(data.trainInputs.count) train / \(data.testInputs.count) test samples, \(model.inputCount) features"
            + (config.data.reduction == "pca" ? String(format: " (PCA keeps %.1f%% of the variance)", 100 * data.explainedVariance) : "")
            + ", \(model.parameterCount) parameters, \(world.size) rank(s)")
        return TrainingJob(config: config, model: model, data: data, outputFolder: folder, checkpoint: checkpoint)
    }

    /// Create or check the run folder; returns the checkpoint to resume from, if any.
    static func prepareFolder(_ folder: String, config: TrainingConfig, resume: Bool, overwrite: Bool) throws -> Checkpoint? {
        let fm = FileManager.default
        let tracePath = folder + "/traces.h5", checkpointPath = folder + "/checkpoint.h5"
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: folder, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue { throw InputError(description: "--output \(folder): exists and is not a folder") }
        let used = exists && (fm.fileExists(atPath: tracePath) || fm.fileExists(atPath: checkpointPath))
        if !exists { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        // What a run killed while publishing a checkpoint or creating its trace left behind.
        for path in [checkpointPath, tracePath] { try removeOrphanTemporaryFiles(of: path) }
        if used && !resume && !overwrite {
            throw InputError(description: "\(folder) already holds a run; pass --resume to continue it or --overwrite to replace it")
        }
        if overwrite { return nil }
        guard resume else { return nil }
        var checkpoint: Checkpoint?
        if fm.fileExists(atPath: checkpointPath) {
            let c = try Checkpoint.read(from: checkpointPath)
            guard c.configHash == config.hash else {
                throw InputError(description: "\(checkpointPath): written by a different config (hash \(c.configHash), \(config.source) with overrides has \(config.hash)); only training.epochs may change on --resume")
            }
            checkpoint = c
        } else {
            Log.info("\(folder): no checkpoint.h5 yet; starting from step 0")
        }
        return checkpoint
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
