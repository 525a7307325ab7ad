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
        #expect(cut.estimator.plan.cuts.count == 2 && uncut.estimator.plan.cuts.isEmpty)
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
        try cut.estimator.stop()
        try uncut.estimator.stop()
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
        exact.estimator.mode = .exact
        let c = try #require(try trainer(try job(exact)).run())
        #expect(a.theta != c.theta)
    }

    @Test("shot mode: the trace's value is the sampled value the optimiser used (not the exact one), exact_value the exact one")
    func shotModeTraceRecordsWhatTheOptimiserUsed() throws {
        let shots = try TestConfigs.config(TestConfigs.irisYAML(), overrides: ["estimator.mode=shots", "estimator.shots=100",
                                                                                "estimator.term_samples=0"])
        var exactConfig = shots
        exactConfig.estimator.mode = .exact
        func firstStep(_ config: TrainingConfig) throws -> (row: StepTraceRow, queries: [QueryTraceRow], labels: [Int]) {
            let j = try job(config)
            let writer = try TrainingTraceWriter(path: j.tracePath, config: config, attributes: [:], resumedFromStep: nil)
            let t = try trainer(j, trace: writer)
            let batch = Array(0..<6)
            let labels = batch.map { j.data.trainLabels[$0] }
            let row = try t.takeStep(inputs: batch.map { j.data.trainInputs[$0] }, labels: labels)
            try t.estimator.stop()
            try writer.close()
            return (row, try HDF5Reader(path: j.tracePath).rows("queries", QueryTraceRow.layout), labels)
        }
        let sampled = try firstStep(shots), exact = try firstStep(exactConfig)
        #expect(sampled.queries.count == 6 && exact.queries.count == 6)
        // The loss the optimiser minimised is the mean BCE of the traced values.
        let tracedLoss = zip(sampled.queries, sampled.labels).reduce(0.0) {
            $0 + BinaryCrossEntropy.loss(estimate: $1.0.value, label: $1.1)
        } / 6
        #expect(abs(tracedLoss - sampled.row.loss) < 1e-12, "traced values give loss \(tracedLoss), the step's loss is \(sampled.row.loss)")
        #expect(zip(sampled.queries, exact.queries).contains { $0.value != $1.value }, "shot-mode values equal the exact ones")
        #expect(sampled.queries.allSatisfy { $0.stderr > 0 })
        // exact_value holds the exact value in both runs (same θ at step 0), value = exact_value in exact mode.
        #expect(zip(sampled.queries, exact.queries).allSatisfy { abs($0.exact_value - $1.value) < 1e-12 })
        #expect(exact.queries.allSatisfy { $0.value == $0.exact_value && $0.stderr == 0 })
        #expect(sampled.row.gradient_shots > 0 && exact.row.gradient_shots == 0)
    }

    @Test("traces.h5 gets steps, epochs and robustness rows; the checkpoint round-trips")
    func traces() throws {
        let config = try TestConfigs.config(TestConfigs.irisYAML(extra: "robustness:\n  gaussian_sigmas: [0.2]\n  fgsm_epsilons: [0.1, 0.3]"))
        let j = try job(config)
        let writer = try TrainingTraceWriter(path: j.tracePath, config: config, attributes: ["qnncut_version": "test"],
                                             resumedFromStep: nil)
        let summary = try #require(try trainer(j, trace: writer).run())
        try writer.close()
        #expect(summary.robustness.map(\.attack) == [.clean, .gaussian, .fgsm, .fgsm])
        #expect(summary.robustness[0].testAccuracy == summary.finalTestAccuracy)
        let file = try HDF5Reader(path: j.tracePath)
        #expect(try file.rows("steps", StepTraceRow.layout).count == summary.steps)
        let epochs = try file.rows("epochs", EpochTraceRow.layout)
        #expect(epochs.count == 2 && epochs.last!.test_accuracy == summary.finalTestAccuracy)
        #expect(try file.rows("robustness", RobustnessTraceRow.layout).map(\.kind) == [0, 1, 2, 2])
        // `config` is JSON (schema 3): valid JSON, and as YAML the same tree as the config.
        let json = try file.configText()
        #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) is [String: Any], "\(json)")
        #expect(try ConfigNode.parse(yaml: json, fileName: "config").canonicalText == config.canonicalText)
        let checkpoint = try Checkpoint.read(from: j.checkpointPath)
        #expect(checkpoint.theta == summary.theta && checkpoint.step == summary.steps && checkpoint.optimizer == "adam")
        #expect(checkpoint.optimizerState.m.count == summary.parameters)
    }
}

/// A config may name its own OpenQASM 2 circuit (theta[i], x[j]), partition and readout. In the
/// serialized suite: every in-process MPI collective must stay on one test at a time.
extension TrainerTests {
    static let qasm = """
        OPENQASM 2.0;
        include "qelib1.inc";
        qreg q[4];
        ry(x[0]) q[0]; ry(x[1]) q[1]; ry(x[2]) q[2]; ry(x[3]) q[3];
        ry(theta[0]) q[0]; ry(theta[1]) q[1]; ry(theta[2]) q[2]; ry(theta[3]) q[3];
        cx q[0], q[1]; cx q[1], q[2]; cx q[2], q[3];
        rz(theta[4]) q[2]; ry(0.5*theta[5] + pi/4) q[3];
        """

    @Test("a QASM model with partition AABB and parity readout trains like its uncut twin")
    func qasmModel() throws {
        let folder = try TestConfigs.temporaryFolder()
        try Self.qasm.write(toFile: folder + "/model.qasm", atomically: true, encoding: .utf8)
        let yaml = TestConfigs.irisYAML().replacingOccurrences(of: "  qubits: 4\n  layers: 2\n  cuts: 2\n",
                                                               with: "  circuit: model.qasm\n  partition: AABB\n  readout: parity\n")
        let path = folder + "/qasm.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let cut = try TrainingConfig.load(path: path, overrides: ["training.epochs=1"])
        let uncut = try TrainingConfig.load(path: path, overrides: ["training.epochs=1", "estimator.uncut=true"])
        let model = try QNNModel(config: cut)
        #expect(model.parameterCount == 6 && model.inputCount == 4)
        #expect(model.observable.terms.count == 1 && model.observable.terms[0].qubits.count == 4)
        func run(_ config: TrainingConfig) throws -> (TrainingSummary, Int) {
            let m = try QNNModel(config: config)
            let data = try PreparedData.prepare(try Dataset.readCSV(config.data.file), config: config.data, features: 4)
            let job = TrainingJob(config: config, model: m, data: data, outputFolder: try TestConfigs.temporaryFolder(), checkpoint: nil)
            let trainer = try Trainer(world: try Communicator.world(), job: job, options: EstimatorOptions(), trace: nil, observer: nil)
            let cuts = trainer.estimator.plan.cuts.count
            return (try #require(try trainer.run()), cuts)
        }
        let (a, cutsA) = try run(cut), (b, cutsB) = try run(uncut)
        #expect(cutsA == 1 && cutsB == 0)
        #expect(zip(a.theta, b.theta).allSatisfy { abs($0 - $1) <= 1e-9 })
        #expect(a.theta != (try QNNModel(config: cut)).initialTheta(seed: cut.training.seed, scale: cut.model.initScale))
    }

    @Test("a readout whose coefficients exceed 1 in total is refused")
    func readoutRange() throws {
        let error = #expect(throws: ConfigError.self) {
            try QNNModel(config: try TestConfigs.config(TestConfigs.irisYAML(), overrides: ["model.readout=Z0 + Z3"]))
        }
        #expect(error?.description.contains("model.readout") == true)
    }
}
