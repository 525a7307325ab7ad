/// Command-line options shared by every command that runs the distributed estimator:
/// scheduling policy and straggler injection.
import ArgumentParser
import Estimator

struct DistributionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Scheduling policy: adaptive (learns rank speeds across rounds, steals the tail), static, cyclic, dynamic or speculative.", valueName: "policy"))
    var schedule: SchedulePolicy = .adaptive

    @Option(help: "Work units per chunk for dynamic/speculative/adaptive pools (0 = guided: shrinking chunks).")
    var chunkSize = 0

    @Option(help: ArgumentHelp("Ranks to slow down on purpose, e.g. 1 or 1,3.", valueName: "ranks"))
    var stragglerRanks: String?

    @Option(help: "Slowdown factor of the straggler ranks (4 = four times slower).")
    var stragglerFactor = 1.0

    @Option(help: "Extra seconds after every work unit on the straggler ranks.")
    var stragglerDelay = 0.0

    @Option(help: "Probability that a given unit is slowed.")
    var stragglerProbability = 1.0

    @Option(help: "Seed of the straggler draws.")
    var stragglerSeed: UInt64 = 0

    func validate() throws {
        guard chunkSize >= 0 else { throw ValidationError("--chunk-size must be ≥ 0, got \(chunkSize)") }
        guard stragglerFactor >= 1 else { throw ValidationError("--straggler-factor must be ≥ 1, got \(stragglerFactor)") }
        guard stragglerDelay >= 0 else { throw ValidationError("--straggler-delay must be ≥ 0, got \(stragglerDelay)") }
        guard (0 ... 1).contains(stragglerProbability) else {
            throw ValidationError("--straggler-probability must be in [0, 1], got \(stragglerProbability)")
        }
        _ = try parsedRanks()
    }

    func parsedRanks() throws -> [Int] {
        guard let stragglerRanks, !stragglerRanks.isEmpty else { return [] }
        return try stragglerRanks.split(separator: ",").map { part in
            guard let r = Int(part.trimmingCharacters(in: .whitespaces)), r >= 0 else {
                throw ValidationError("--straggler-ranks: '\(part)' is not a rank number")
            }
            return r
        }
    }

    var estimatorOptions: EstimatorOptions {
        EstimatorOptions(
            policy: schedule, chunkSize: chunkSize,
            straggler: StragglerInjection(ranks: (try? parsedRanks()) ?? [], delayPerUnit: stragglerDelay,
                                          factor: stragglerFactor, probability: stragglerProbability,
                                          seed: stragglerSeed))
    }
}

extension SchedulePolicy: ExpressibleByArgument {}

import Foundation

extension Stitching: ExpressibleByArgument {}
