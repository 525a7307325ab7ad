/// The training rows `traces.h5` gains beyond the estimator's (schema in docs/training.md):
/// one per optimiser step, one per epoch, one per robustness setting.
import HDF5
import TraceSchema

/// One optimiser step (a minibatch).
public struct StepTraceRow: BitwiseCopyable, Sendable, Equatable {
    public var step: Int64
    public var epoch: Int32
    public var batch_size: Int32
    /// Mean BCE of the batch before the update (on the estimates the gradient used).
    public var loss: Double
    public var accuracy: Double
    public var gradient_norm: Double
    public var learning_rate: Double
    /// Shots per query for the estimate (0 in exact mode).
    public var shots: Int64
    /// Mean shots per query the parameter-shift gradient spent on the fragment circuits and
    /// their shifted copies (0 in exact mode).
    public var gradient_shots: Int64
    /// Wall seconds of the step at rank 0 (round, loss, update, trace).
    public var seconds: Double

    public static let layout: CompoundLayout<StepTraceRow> = {
        let c = TraceSchema.steps
        return try! CompoundLayout([
            .field(c["step"], \.step), .field(c["epoch"], \.epoch), .field(c["batch_size"], \.batch_size),
            .field(c["loss"], \.loss), .field(c["accuracy"], \.accuracy),
            .field(c["gradient_norm"], \.gradient_norm), .field(c["learning_rate"], \.learning_rate),
            .field(c["shots"], \.shots), .field(c["gradient_shots"], \.gradient_shots),
            .field(c["seconds"], \.seconds),
        ])
    }()
}

/// Metrics on the whole train and test splits at the end of an epoch.
public struct EpochTraceRow: BitwiseCopyable, Sendable, Equatable {
    public var epoch: Int32
    /// Steps completed when the epoch ended.
    public var step: Int64
    public var train_loss: Double
    public var train_accuracy: Double
    public var test_loss: Double
    public var test_accuracy: Double
    public var seconds: Double

    public static let layout: CompoundLayout<EpochTraceRow> = {
        let c = TraceSchema.epochs
        return try! CompoundLayout([
            .field(c["epoch"], \.epoch), .field(c["step"], \.step), .field(c["train_loss"], \.train_loss),
            .field(c["train_accuracy"], \.train_accuracy), .field(c["test_loss"], \.test_loss),
            .field(c["test_accuracy"], \.test_accuracy), .field(c["seconds"], \.seconds),
        ])
    }()
}

/// Test metrics under one perturbation: kind 0 = none, 1 = Gaussian input noise of standard
/// deviation `strength` (radians), 2 = FGSM with step `strength` (radians).
public struct RobustnessTraceRow: BitwiseCopyable, Sendable, Equatable {
    public var kind: Int32
    public var strength: Double
    public var test_loss: Double
    public var test_accuracy: Double

    public static let layout: CompoundLayout<RobustnessTraceRow> = {
        let c = TraceSchema.robustness
        return try! CompoundLayout([
            .field(c["kind"], \.kind), .field(c["strength"], \.strength), .field(c["test_loss"], \.test_loss),
            .field(c["test_accuracy"], \.test_accuracy),
        ])
    }()
}
