/// `qnncut bench …`: measured claims. Each benchmark prints ratios against a reference measured in
/// the same run (these machines are shared and noisy); docs/performance.md records the results
/// with the commands that produced them.
import ArgumentParser

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: kernels, the distributed estimator, stragglers.",
        subcommands: [BenchKernels.self, BenchEstimator.self, BenchStragglers.self])
}
