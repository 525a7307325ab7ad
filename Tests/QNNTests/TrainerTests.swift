/// The training loop in-process (a singleton MPI world): cut and uncut runs follow the same θ
/// trajectory; a run resumed from its checkpoint ends with the uninterrupted run's θ; shot mode
/// is reproducible; the traces hold steps, epochs and robustness rows.
import Estimator
import Foundation
import MPI
import Testing
@testable import QNN

@Suite(.serialized)
struct TrainerTests {
    func job(_ config: TrainingConfig, folder: String? = nil, checkpoint: Checkpoint? = nil) throws -> TrainingJob {
        let model = try QNNModel(config: config)
        let data = try PreparedData.prepare(try Dataset.readCSV(config.data.file), config: config.data, features: model.inputCount)
        return TrainingJob(config: config, model: model, data: data, outputFolder: try folder ?? TestConfigs.temporaryFolder(),
                           checkpoint: checkpoint)
    }

    func trainer(_ job: TrainingJob, trace: TrainingTraceWriter? = nil) throws -> Trainer {
        try Trainer(world: try Communicator.world(), job: job, options: EstimatorOptions(), trace: trace, observer: nil)
    }

    @Test("exact mode: cut (k = 2) and uncut runs of one seed follow the same θ trajectory (≤ 1e-9)")
    func trajectory() throws {
        let cutConfig = try TestConfigs.config(TestConfigs.irisYAML(cuts: 2, layers: 2))
        let uncutConfig = try TestConfigs.config(TestConfigs.irisYAML(cuts: 2, layers: 2), overrides: ["estimator.uncut=true"])
        let cut = try trainer(try job(cutConfig)), uncut = try trainer(try job(uncutConfig))
        #expect(cut.session.estimator.plan.cuts.count == 2 && uncut.session.estimator.plan.cuts.isEmpty)
        let data = cut.job.data
        #expect(cut.theta == uncut.theta)
        var largest = 0.0
        for s in 0..<6 {
            let batch = (0..<6).map { (s * 6 + $0) % data.trainInputs.count }
            let inputs = batch.map { data.trainInputs[$0] }, labels = batch.map { data.trainLabels[$0] }
            let start = cut.theta
            _ = try cut.takeStep(inputs: inputs, labels: labels)
            _ = try uncut.takeStep(inputs: inputs, labels: labels)
            #expect(cut.theta != start)
            largest = max(largest, zip(cut.theta, uncut.theta).map { abs($0 - $1) }.max()!)
        }
        #expect(largest <= 1e-9, "largest θ difference \(largest)")
        try cut.session.stop()
        try uncut.session.stop()
    }

    @Test("resuming from an epoch-end checkpoint ends with the uninterrupted θ", arguments: ["exact", "shots"])
    func resume(mode: String) throws {
        let extra = "checkpoint:\n  every_steps: 1\nestimator:\n  mode: \(mode)\n  shots: 300\n  term_samples: 40"
        let config = try TestConfigs.config(TestConfigs.irisYAML(extra: extra), overrides: ["training.epochs=3"])
        let full = try trainer(try job(config))
        let reference = try #require(try full.run()).theta

        let folder = try TestConfigs.temporaryFolder()
        let first = try TestConfigs.config(TestConfigs.irisYAML(extra: extra), overrides: ["training.epochs=1"])
        _ = try trainer(try job(first, folder: folder)).run()
        let checkpoint = try Checkpoint.read(from: folder + "/checkpoint.h5")
        #expect(checkpoint.step == 3 && checkpoint.epoch == 1 && checkpoint.stepInEpoch == 0)
        #expect(checkpoint.configHash == config.hash)
        let resumed = try #require(try trainer(try job(config, folder: folder, checkpoint: checkpoint)).run())
        #expect(resumed.steps == 9)
        #expect(resumed.resumedFromStep == 3)
        let difference = zip(resumed.theta, reference).map { abs($0 - $1) }.max()!
        #expect(difference <= 1e-12, "θ differs by \(difference)")
    }

    @Test("shot mode trains reproducibly, and its θ differs from exact mode's")
    func shotMode() throws {
        let config = try TestConfigs.config(TestConfigs.irisYAML(), overrides: ["estimator.mode=shots", "estimator.shots=500",
                                                                                 "estimator.term_samples=50", "training.epochs=1"])
        let a = try #require(try trainer(try job(config)).run())
        let b = try #require(try trainer(try job(config)).run())
        #expect(a.theta == b.theta)
        var exact = config
        exact.estimator.mode = "exact"
        let c = try #require(try trainer(try job(exact)).run())
        #expect(a.theta != c.theta)
    }

    @Test("traces.h5 gets steps, epochs and robustness rows; the checkpoint round-trips")
    func traces() throws {
        let config = try TestConfigs.config(TestConfigs.irisYAML(extra: "robustness:\n  gaussian_sigmas: [0.2]\n  fgsm_epsilons: [0.1, 0.3]"))
        let j = try job(config)
        let writer = try TrainingTraceWriter(path: j.tracePath, config: config, attributes: ["qnncut_version": "test"],
                                             resumedFromStep: nil)
        let summary = try #require(try trainer(j, trace: writer).run())
        try writer.close()
        #expect(summary.robustness.map(\.attack) == ["clean", "gaussian", "fgsm", "fgsm"])
        #expect(summary.robustness[0].testAccuracy == summary.finalTestAccuracy)
        let file = try HDF5Reader(path: j.tracePath)
        #expect(try file.rows("steps", StepTraceRow.layout).count == summary.steps)
        let epochs = try file.rows("epochs", EpochTraceRow.layout)
        #expect(epochs.count == 2 && epochs.last!.test_accuracy == summary.finalTestAccuracy)
        #expect(try file.rows("robustness", RobustnessTraceRow.layout).map(\.kind) == [0, 1, 2, 2])
        #expect(try file.configText() == config.canonicalText)
        let checkpoint = try Checkpoint.read(from: j.checkpointPath)
        #expect(checkpoint.theta == summary.theta && checkpoint.step == summary.steps && checkpoint.optimizer == "adam")
        #expect(checkpoint.optimizerState.m.count == summary.parameters)
    }
}
