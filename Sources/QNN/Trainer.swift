/// The training loop at rank 0 (other ranks serve the estimator's rounds): shuffle,
/// minibatch, one collective round per step with adjoint gradients through the cuts, BCE,
/// optimiser update, traces, checkpoints; metrics at every epoch end; robustness at the end.
///
/// Determinism: the epoch order comes from (seed, epoch), shot noise from (seed, step, sample),
/// so a run resumed from a checkpoint repeats the uninterrupted run's arithmetic exactly.
import Cutting
import Estimator
import Foundation
import MPI
import Support

/// Everything rank 0 prepared before the collective part of a run.
public struct TrainingJob: Sendable, Codable {
    public var config: TrainingConfig
    public var model: QNNModel
    public var data: PreparedData
    public var outputFolder: String
    /// Present when resuming.
    public var checkpoint: Checkpoint?

    public init(config: TrainingConfig, model: QNNModel, data: PreparedData, outputFolder: String, checkpoint: Checkpoint?) {
        self.config = config
        self.model = model
        self.data = data
        self.outputFolder = outputFolder
        self.checkpoint = checkpoint
    }

    public var checkpointPath: String { outputFolder + "/checkpoint.h5" }
    public var tracePath: String { outputFolder + "/traces.h5" }
}

public final class Trainer {
    public let job: TrainingJob
    public let estimator: DistributedEstimator
    let world: Communicator
    /// Rank 0's trace file; attach it after `init` so that a plan that cannot be built leaves no file.
    public var trace: TrainingTraceWriter?
    weak var observer: TrainingObserver?

    public private(set) var theta: [Double]
    var optimizer: Optimizer
    var step = 0
    var epoch = 0
    var stepInEpoch = 0
    var shuffleState: [UInt64] = []

    var config: TrainingConfig { job.config }
    /// Shot mode's budget, nil in exact mode.
    var shotMode: ShotMode? {
        config.estimator.mode == .shots ? ShotMode(shots: config.estimator.shots, termSamples: config.estimator.termSamples) : nil
    }
    var stepsPerEpoch: Int { (job.data.trainInputs.count + config.training.batchSize - 1) / config.training.batchSize }

    /// Collective: builds and broadcasts the plan. `trace` and `observer` are rank 0's.
    public init(world: Communicator, job: TrainingJob, options: EstimatorOptions, trace: TrainingTraceWriter?,
                observer: TrainingObserver?) throws {
        self.world = world
        self.job = job
        self.trace = trace
        self.observer = observer
        if world.isRoot { try Self.checkResources(job, plan: nil, worldSize: world.size) }
        estimator = try DistributedEstimator(world: world, options: options) {
            let plan = try job.model.cutPlan(source: job.config.source)
            try Self.checkResources(job, plan: plan, worldSize: world.size)
            if job.config.estimator.noise != nil { try NoisySimulatorExecutor.check(plan) }
            return plan
        }
        // estimator.noise: every rank simulates its units under the noise model (docs/executors.md).
        if let noise = job.config.estimator.noise { estimator.executor = NoisySimulatorExecutor(noise: noise) }
        // estimator.executor: one external executor per rank; every rank derives the shots it
        // sends from (plan, θ, x) and the budget (term_samples 0: no per-query seed involved).
        if let external = job.config.estimator.executor {
            let mode = ShotMode(shots: job.config.estimator.shots)
            estimator.executor = ExternalExecutor(command: external.command, maxBatch: external.maxBatch, timeout: external.timeout,
                                                  rank: world.rank) { _ in mode.options(seed: 0) }
        }
        optimizer = Optimizer(job.config.training, parameterCount: job.model.parameterCount)
        theta = job.model.initialTheta(seed: job.config.training.seed, scale: job.config.model.initScale)
        if let c = job.checkpoint {
            theta = c.theta
            optimizer.state = c.optimizerState
            step = c.step
            epoch = c.epoch
            stepInEpoch = c.stepInEpoch
        }
    }

    /// Collective. Rank 0 trains and returns the summary; the other ranks serve and return nil.
    public func run() throws -> TrainingSummary? {
        // The executor ends with the run, also when a round fails (its stdin closes; it must exit).
        defer { (estimator.executor as? ExternalExecutor)?.close() }
        guard world.isRoot else {
            try estimator.serve()
            return nil
        }
        let summary = try train()
        try estimator.stop()
        return summary
    }

    func train() throws -> TrainingSummary {
        let start = MPI.wallTime()
        let data = job.data
        let epochs = config.training.epochs
        let resumedFrom = job.checkpoint?.step
        try trace?.trace.recordPlan(0, estimator: estimator, label: job.model.readoutText)
        observer?.trainingStarted(totalSteps: epochs * stepsPerEpoch, stepsPerEpoch: stepsPerEpoch, startStep: step, epochs: epochs)
        if let resumedFrom {
            observer?.note(epoch < epochs
                ? "resuming at step \(resumedFrom) (epoch \(epoch + 1), step \(stepInEpoch + 1) of it)"
                : "the checkpoint has finished all \(epochs) epoch(s) (step \(resumedFrom)); evaluating only")
        }
        var lastMetrics: (train: SplitMetrics, test: SplitMetrics)?

        while epoch < epochs {
            let epochStart = MPI.wallTime()
            var shuffler = Seeds.generator(config.training.seed, .epochShuffle, epoch)
            let order = shuffler.permutation(data.trainInputs.count)
            shuffleState = shuffler.state
            while stepInEpoch < stepsPerEpoch {
                let stepStart = MPI.wallTime()
                let batch = Array(order[stepInEpoch * config.training.batchSize ..< min((stepInEpoch + 1) * config.training.batchSize, order.count)])
                let row = try takeStep(inputs: batch.map { data.trainInputs[$0] }, labels: batch.map { data.trainLabels[$0] })
                stepInEpoch += 1
                var traced = row
                traced.seconds = MPI.wallTime() - stepStart
                try trace?.record(step: traced)
                observer?.stepFinished(traced, stepInEpoch: stepInEpoch, elapsedSeconds: MPI.wallTime() - start)
                if config.checkpoint.everySteps > 0 && step % config.checkpoint.everySteps == 0 && stepInEpoch < stepsPerEpoch {
                    try saveCheckpoint()
                }
            }
            observer?.phase(.evaluation(epoch))
            let metrics = try evaluateSplits(epochIndex: epoch)
            lastMetrics = metrics
            let row = EpochTraceRow(epoch: Int32(epoch), step: Int64(step), train_loss: metrics.train.loss,
                                    train_accuracy: metrics.train.accuracy, test_loss: metrics.test.loss,
                                    test_accuracy: metrics.test.accuracy, seconds: MPI.wallTime() - epochStart)
            try trace?.record(epoch: row)
            observer?.epochFinished(row)
            epoch += 1
            stepInEpoch = 0
            // The checkpoint holds the generator as the next epoch will find it.
            var next = Seeds.generator(config.training.seed, .epochShuffle, epoch)
            _ = next.permutation(data.trainInputs.count)
            shuffleState = next.state
            try saveCheckpoint()
        }
        let final = try lastMetrics ?? evaluateSplits(epochIndex: epochs - 1)
        let settings = config.robustness.gaussianSigmas.count + config.robustness.fgsmEpsilons.count
        if settings > 0 { observer?.phase(.robustness(settings + 1)) }
        let robustness = try evaluateRobustness()
        try trace?.record(robustness: robustness.map {
            RobustnessTraceRow(kind: $0.attack.traceKind, strength: $0.strength,
                               test_loss: $0.testLoss, test_accuracy: $0.testAccuracy)
        })
        let plan = estimator.plan
        return TrainingSummary(
            config: config.name, output: job.outputFolder, mode: config.estimator.mode, uncut: config.estimator.uncut,
            cuts: plan.cuts.count, subexperiments: plan.workUnits.count, ranks: world.size,
            parameters: job.model.parameterCount, trainSamples: data.trainInputs.count, testSamples: data.testInputs.count,
            epochs: epochs, steps: step, resumedFromStep: resumedFrom,
            finalTrainLoss: final.train.loss, finalTrainAccuracy: final.train.accuracy,
            finalTestLoss: final.test.loss, finalTestAccuracy: final.test.accuracy, robustness: robustness,
            wallSeconds: MPI.wallTime() - start,
            forwardSecondsPerQuery: estimator.cpuTimes.forwardSecondsPerQuery,
            gradientSecondsPerQuery: estimator.cpuTimes.gradientSecondsPerQuery,
            theta: theta)
    }

    /// One minibatch: estimates and ∂E/∂θ in one round, mean BCE, one optimiser update.
    func takeStep(inputs: [[Double]], labels: [Int]) throws -> StepTraceRow {
        let result = try estimator.evaluate(theta: theta, inputs: inputs, method: shotMode == nil ? .adjoint : .parameterShift,
                                            sampling: sampling(.trainShots, counter: step, queries: inputs.count))
        try trace?.trace.record(result, step: step + 1, observable: 0)
        var gradient = [Double](repeating: 0, count: theta.count)
        var loss = 0.0, correct = 0
        let scale = 1 / Double(inputs.count)
        for (b, e) in result.estimate.values.enumerated() {
            loss += BinaryCrossEntropy.loss(estimate: e, label: labels[b]) * scale
            if BinaryCrossEntropy.predicted(estimate: e) == labels[b] { correct += 1 }
            // Chain rule: ∂L/∂θ = Σ_b ∂L/∂E_b · ∂E_b/∂θ, with ∂E_b/∂θ through the cuts (adjoint in
            // exact mode, parameter shift with shots in shot mode).
            let dE = BinaryCrossEntropy.derivative(estimate: e, label: labels[b]) * scale
            let g = result.estimate.thetaGradients[b]
            for i in gradient.indices { gradient[i] += dE * g[i] }
        }
        optimizer.update(&theta, gradient: gradient)
        step += 1
        return StepTraceRow(step: Int64(step), epoch: Int32(epoch), batch_size: Int32(inputs.count), loss: loss,
                            accuracy: Double(correct) / Double(inputs.count),
                            gradient_norm: gradient.reduce(0) { $0 + $1 * $1 }.squareRoot(),
                            learning_rate: optimizer.learningRate, shots: Int64(shotMode?.shots ?? 0),
                            gradient_shots: Int64(Self.meanGradientShots(result)), seconds: 0)
    }

    /// Mean shots per query the round's parameter-shift gradient spent (0 in exact mode).
    static func meanGradientShots(_ result: BatchResult) -> Int {
        guard let shots = result.sampling?.gradientShots, !shots.isEmpty else { return 0 }
        return shots.reduce(0, +) / shots.count
    }

    /// Rank 0: refuse a run that would not fit (`ResourceGuard`), first from the circuit alone
    /// (before a plan with too many terms is enumerated), then from the built plan. Training rounds
    /// simulate one batch with gradients; the trace holds a row per query and per rank each round.
    static func checkResources(_ job: TrainingJob, plan: CutPlan?, worldSize: Int) throws {
        let config = job.config, circuit = job.model.circuit, batch = config.training.batchSize
        let limits = ResourceLimits(maxMemoryBytes: config.limits?.maxMemory, maxQPDTerms: config.limits?.maxQPDTerms,
                                    maxTraceBytes: [ResourceGuard.freeDiskBytes(folder: job.outputFolder), config.limits?.maxTrace]
                                        .compactMap { $0 }.min(),
                                    maxWork: config.limits?.maxWork)
        let ranks = ResourceGuard.ranksPerNode(worldSize: worldSize)
        guard let plan else {
            // Without a plan: gates between partition labels become cuts, and no fragment is wider
            // than the largest label group (a lower bound: the plan check below is exact).
            var crossing = 0, width = circuit.qubitCount
            if case .partition(let labels) = job.model.cutSpecification {
                let label = Array(labels)
                crossing = circuit.gates.filter { g in g.qubits.count > 1 && Set(g.qubits.map { $0 < label.count ? label[$0] : "?" }).count > 1 }.count
                width = Dictionary(grouping: label, by: { $0 }).values.map(\.count).max() ?? width
            }
            try ResourceGuard.check(ResourceGuard.estimate(width: width, cuts: crossing, batch: batch, gradients: true,
                                                           derivativeColumns: circuit.parameterCount + circuit.inputCount,
                                                           ranksPerNode: ranks), limits: limits, what: config.source)
            return
        }
        let samples = job.data.trainInputs.count + job.data.testInputs.count
        let roundsPerEpoch = (job.data.trainInputs.count + batch - 1) / batch + (samples + batch - 1) / batch
        let rows = Double(config.training.epochs) * Double(roundsPerEpoch) * Double(batch + worldSize + 1)
        try ResourceGuard.check(ResourceGuard.estimate(plan: plan, batch: batch, gradients: true, ranksPerNode: ranks,
                                                       traceBytes: rows * 128),
                                limits: limits, what: config.source)
    }

    func saveCheckpoint() throws {
        try Checkpoint(theta: theta, optimizer: optimizer.kind.rawValue, optimizerState: optimizer.state, step: step,
                       epoch: epoch, stepInEpoch: stepInEpoch, configHash: config.hash, configName: config.name,
                       seed: config.training.seed, rngState: shuffleState)
            .withPredictor(model: job.model, pipeline: job.data.pipeline)
            .write(to: job.checkpointPath)
        observer?.phase(.checkpoint(step))
    }
}
