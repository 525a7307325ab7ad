/// What a training run tells its caller: progress events while it runs (rank 0) and a summary at
/// the end (printed as one line or one JSON object by `qnncut train`).

/// Receives progress at rank 0. Implementations draw progress bars or log lines.
public protocol TrainingObserver: AnyObject {
    func trainingStarted(totalSteps: Int, stepsPerEpoch: Int, startStep: Int, epochs: Int)
    func stepFinished(_ row: StepTraceRow, stepInEpoch: Int, elapsedSeconds: Double)
    func epochFinished(_ row: EpochTraceRow)
    func note(_ message: String)
    /// A phase between steps began (evaluation, robustness) or ended (a checkpoint written).
    func phase(_ phase: TrainingPhase)
}

/// The work of a run besides its steps, for progress displays.
public enum TrainingPhase: Sendable, Equatable {
    /// Train and test metrics at the end of epoch `Int` (0-based).
    case evaluation(Int)
    /// Robustness of the final model: this many attack settings (clean included).
    case robustness(Int)
    /// A checkpoint holding this step was written.
    case checkpoint(Int)
}

extension TrainingObserver {
    public func phase(_ phase: TrainingPhase) {}
}

/// Metrics of one split.
public struct SplitMetrics: Sendable, Codable, Equatable {
    public var loss: Double
    public var accuracy: Double
}

/// The robustness sweep's settings (spelled as in the summary JSON).
public enum Attack: String, Sendable, Codable, CaseIterable {
    case clean, gaussian, fgsm

    /// The `robustness.kind` code in traces.h5.
    public var traceKind: Int32 {
        switch self {
        case .clean: return 0
        case .gaussian: return 1
        case .fgsm: return 2
        }
    }
}

/// One robustness setting's result.
public struct RobustnessResult: Sendable, Codable, Equatable {
    public var attack: Attack
    public var strength: Double
    public var testLoss: Double
    public var testAccuracy: Double

    enum CodingKeys: String, CodingKey {
        case attack, strength, testLoss = "test_loss", testAccuracy = "test_accuracy"
    }
}

/// The end of a run.
public struct TrainingSummary: Sendable, Codable {
    public var config: String
    public var output: String
    public var mode: EstimatorMode
    public var uncut: Bool
    public var cuts: Int
    public var subexperiments: Int
    public var ranks: Int
    public var parameters: Int
    public var trainSamples: Int
    public var testSamples: Int
    public var epochs: Int
    public var steps: Int
    public var resumedFromStep: Int?
    public var finalTrainLoss: Double
    public var finalTrainAccuracy: Double
    public var finalTestLoss: Double
    public var finalTestAccuracy: Double
    public var robustness: [RobustnessResult]
    public var wallSeconds: Double
    /// Mean CPU seconds of rank 0 per query in forward rounds and in gradient rounds (rounds of
    /// the same batch size; see `EstimatorSession`).
    public var forwardSecondsPerQuery: Double
    public var gradientSecondsPerQuery: Double
    public var theta: [Double]

    enum CodingKeys: String, CodingKey {
        case config, output, mode, uncut, cuts, subexperiments, ranks, parameters, epochs, steps, robustness, theta
        case trainSamples = "train_samples", testSamples = "test_samples", resumedFromStep = "resumed_from_step"
        case finalTrainLoss = "final_train_loss", finalTrainAccuracy = "final_train_accuracy"
        case finalTestLoss = "final_test_loss", finalTestAccuracy = "final_test_accuracy"
        case wallSeconds = "wall_seconds", forwardSecondsPerQuery = "forward_seconds_per_query"
        case gradientSecondsPerQuery = "gradient_seconds_per_query"
    }

    /// Gradient round cost over forward round cost, per query.
    public var gradientCostRatio: Double {
        forwardSecondsPerQuery > 0 ? gradientSecondsPerQuery / forwardSecondsPerQuery : 0
    }
}
