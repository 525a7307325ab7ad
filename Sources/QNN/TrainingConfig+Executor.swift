/// `estimator.executor: {command, max_batch, timeout}`: training through an external executor
/// (docs/executors.md), the config form of `estimate --executor`. The executor returns counts,
/// so it needs shot mode; gradients come from the shifted circuits it runs (parameter shift).
import Foundation

extension TrainingConfig {
    public struct ExecutorSection: Codable, Sendable, Equatable {
        /// Run by `/bin/sh -c` on every rank, in the directory qnncut was started in.
        public var command: String
        /// Circuits per request line.
        public var maxBatch: Int
        /// Seconds one answer line may take before the job ends.
        public var timeout: Double

        /// The section, or nil when the config has none; refuses what an executor cannot do,
        /// naming the key.
        static func read(_ r: ConfigReader, estimator: EstimatorSection, source: String) throws -> ExecutorSection? {
            guard let node = try r.node("estimator.executor") else { return nil }
            guard case .mapping = node else {
                throw ConfigError("\(node.origin): estimator.executor: expected a mapping such as {command: \"python3 dev.py\", max_batch: 64, timeout: 600}")
            }
            guard let command = try r.string("estimator.executor.command"),
                  !command.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ConfigError("\(node.origin): estimator.executor.command: expected the executor's shell command (docs/executors.md)")
            }
            let section = ExecutorSection(command: command,
                                          maxBatch: try r.int("estimator.executor.max_batch", default: 64, range: 1 ... 1_000_000),
                                          timeout: try r.double("estimator.executor.timeout", default: 600, range: 1e-3 ... 1e9))
            if estimator.mode != .shots {
                throw ConfigError("\(node.origin): estimator.executor needs estimator.mode: shots (an executor returns counts; the budget is estimator.shots)")
            }
            if estimator.noise != nil {
                throw ConfigError("\(node.origin): estimator.executor and estimator.noise exclude each other (give the executor its own noise model)")
            }
            if estimator.termSamples != 0 {
                // Each rank derives the shots it sends from (plan, θ, x); drawn terms would also
                // need every query's seed on every rank.
                throw ConfigError("\(node.origin): estimator.executor needs estimator.term_samples: 0 (every QPD term; drawn terms are not supported with an executor in training)")
            }
            return section
        }
    }
}
