/// What rank 0 does before `qnncut train` becomes collective: read config, data and model, say
/// what it read, and prepare the run folder (`RunFolder` in QNN).
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
        let checkpoint = try RunFolder.prepare(folder, userNamed: command.output != nil, config: config, resume: command.resume,
                                               overwrite: command.overwrite, parameterCount: model.parameterCount,
                                               stepsPerEpoch: stepsPerEpoch) { Log.info($0) }
        Log.info("\(config.name): \(data.trainInputs.count) train / \(data.testInputs.count) test samples, \(model.inputCount) features"
            + (config.data.reduction == "pca" ? String(format: " (PCA keeps %.1f%% of the variance)", 100 * data.explainedVariance) : "")
            + ", \(model.parameterCount) parameters, \(world.size) rank(s)")
        return TrainingJob(config: config, model: model, data: data, outputFolder: folder, checkpoint: checkpoint)
    }
}
