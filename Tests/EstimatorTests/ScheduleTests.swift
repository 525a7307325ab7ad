/// Schedules: every unit exactly once under every policy; the static policy balances estimated
/// cost; the adaptive one pre-assigns in proportion to the rank speeds and leaves the rest to the
/// pool.
@testable import Estimator
import Foundation
import Testing

struct ScheduleTests {
    /// Costs like a cut QNN's: most units cheap, every fifth one (a measuring setting) double.
    static func costs(_ n: Int) -> [Double] { (0..<n).map { $0 % 5 == 2 ? 2 : 1 } }

    static func coversOnce(_ schedule: Schedule, units: Int) -> Bool {
        schedule.chunks.flatMap { $0 }.sorted() == Array(0..<units)
    }

    @Test("every policy covers every unit exactly once", arguments: [1, 2, 3, 7, 16])
    func coverage(ranks: Int) {
        for units in [0, 1, 5, 97, 1250] {
            for policy in SchedulePolicy.allCases where policy != .adaptive {
                #expect(Self.coversOnce(Schedule(policy: policy, unitCount: units, ranks: ranks), units: units), "\(policy) \(units)")
            }
            let costed = Schedule(policy: .static, unitCount: units, ranks: ranks, costs: Self.costs(units))
            #expect(Self.coversOnce(costed, units: units))
            let adaptive = Schedule(adaptiveCosts: Self.costs(units), speeds: Array(repeating: 1, count: ranks))
            #expect(Self.coversOnce(adaptive, units: units), "adaptive \(units) on \(ranks)")
            let queued = adaptive.queues!.flatMap { $0 }
            #expect(Set(queued).count == queued.count && Set(queued).isDisjoint(with: adaptive.poolChunks))
            #expect(Set(queued).union(adaptive.poolChunks) == Set(adaptive.chunks.indices))
        }
    }

    @Test("static blocks hold equal shares of the estimated cost, within one unit")
    func staticBalancesCost() {
        let costs = Self.costs(1250)
        let schedule = Schedule(policy: .static, unitCount: 1250, ranks: 16, costs: costs)
        let shares = schedule.chunks.map { $0.reduce(0) { $0 + costs[$1] } }
        let mean = costs.reduce(0, +) / 16
        #expect(shares.allSatisfy { abs($0 - mean) <= 2 }, "\(shares)")
        // Blocks are contiguous and in rank order.
        #expect(schedule.chunks.allSatisfy { $0 == Array(($0.first ?? 0) ..< ($0.first ?? 0) + $0.count) })
    }

    @Test("adaptive queues are proportional to the speeds; the pool holds the rest of the cost")
    func adaptiveFollowsSpeeds() {
        let costs = Self.costs(2000)
        let speeds = [1.0, 0.25, 1.0, 1.0]
        let schedule = Schedule(adaptiveCosts: costs, speeds: speeds, bulkShare: 0.8, pieceDivisor: 4)
        let total = costs.reduce(0, +)
        let queued = schedule.queues!.map { $0.flatMap { schedule.chunks[$0] }.reduce(0) { $0 + costs[$1] } }
        for (r, share) in queued.enumerated() {
            let expected = 0.8 * total * speeds[r] / speeds.reduce(0, +)
            #expect(abs(share - expected) <= 2, "rank \(r): \(share) vs \(expected)")
            // Shrinking pieces: each a quarter of what remains (rounded up), the last one a single unit.
            let sizes = schedule.queues![r].map { schedule.chunks[$0].count }
            var remaining = sizes.reduce(0, +)
            for size in sizes {
                #expect(size == (remaining + 3) / 4, "rank \(r): pieces \(sizes)")
                remaining -= size
            }
            #expect(sizes.last == 1)
        }
        let pool = schedule.poolChunks.flatMap { schedule.chunks[$0] }.reduce(0) { $0 + costs[$1] }
        #expect(abs(pool - 0.2 * total) <= 2)
        // The pool's chunks shrink (guided), so its last chunks are single units.
        #expect(schedule.chunks[schedule.poolChunks.last!].count == 1)
    }
}

struct RankSpeedsTests {
    static func row(_ rank: Int, cost: Double, busy: Double, delay: Double = 0) -> RankTimes {
        var t = RankTimes(rank: rank)
        t.cost = cost
        t.busy = busy
        t.injectedDelay = delay
        return t
    }

    @Test("a rank that slows 4× loses its share within a round or two and regains it after recovering")
    func learnAndForget() {
        var speeds = RankSpeeds(ranks: 2)
        #expect(speeds.values == [1, 1])
        speeds.update([Self.row(0, cost: 100, busy: 1), Self.row(1, cost: 100, busy: 1)])
        #expect(speeds.values == [100, 100])
        // Rank 1 becomes 4× slower (its delay counts as its time).
        speeds.update([Self.row(0, cost: 100, busy: 1), Self.row(1, cost: 100, busy: 1, delay: 3)])
        #expect(speeds.values[1] == 0.5 * 25 + 0.5 * 100)  // 62.5: α = 0.5
        speeds.update([Self.row(0, cost: 100, busy: 1), Self.row(1, cost: 100, busy: 1, delay: 3)])
        #expect(speeds.values[1] == 43.75)
        // It recovers: above 90 % of the others' speed after four rounds.
        for _ in 0..<4 { speeds.update([Self.row(0, cost: 100, busy: 1), Self.row(1, cost: 100, busy: 1)]) }
        #expect(speeds.values[1] > 0.9 * speeds.values[0])
    }

    @Test("ranks that did no work keep the mean, never zero")
    func unmeasuredRanks() {
        var speeds = RankSpeeds(ranks: 3)
        speeds.update([Self.row(0, cost: 10, busy: 1), Self.row(1, cost: 30, busy: 1), Self.row(2, cost: 0, busy: 0)])
        #expect(speeds.values == [10, 30, 20])
    }
}

struct RoundHeaderTests {
    @Test("the header decodes to what was encoded")
    func roundTrip() {
        for header in [
            RoundHeader(method: .adjoint, theta: [0.1, -2], speeds: [1, 0.5, 2], inputs: [[1, 2, 3], [4, 5, 6]]),
            RoundHeader(method: .adjoint, theta: [1], speeds: [], costFactors: [0.5, 1.5], inputs: [[7]]),
            RoundHeader(method: .none, theta: [], speeds: [], inputs: [[], []]),
            RoundHeader(method: .parameterShift, theta: [3], speeds: [], inputs: []),
            RoundHeader(method: .none, theta: [2], speeds: [], stitching: .partialSums, inputs: [[1]]),
            RoundHeader(method: .adjoint, theta: [2], speeds: [1, 1], stitching: .reduceScatter, inputs: [[1], [2]]),
        ] {
            #expect(RoundHeader.decode(header.encoded()) == header)
        }
        #expect(RoundHeader.decode(RoundHeader.stop) == nil)
    }
}

struct RankTimesTests {
    @Test("a rank row survives packing into doubles for MPI_Gather")
    func packedRoundTrip() {
        var t = RankTimes(rank: 7)
        t.busy = 1.5; t.communication = 0.25; t.injectedDelay = 0.125; t.wait = 0.5; t.idle = 0.0625
        t.units = 12; t.cost = 3e6; t.chunks = 3; t.backups = 1; t.cancelled = 2
        t.executeSeconds = 2.75; t.compile = 0.01
        t.fragmentSeconds = [0.5, 1.0]; t.fragmentModelCost = [1e5, 2e5]
        let packed = t.packed(fragments: 2)
        #expect(packed.count == RankTimes.packedCount(fragments: 2))
        #expect(RankTimes(packed: packed[...], fragments: 2) == t)
        // A rank that measured nothing sends zeros of the agreed length.
        #expect(RankTimes(rank: 1).packed(fragments: 3).count == RankTimes.packedCount(fragments: 3))
    }
}

struct StitchingChooserTests {
    @Test("automatic stitching tries each, keeps the fastest per kind of round, and re-tries the others in turn every 16th round")
    func choosesTheFastest() {
        var chooser = StitchingChooser()
        #expect(chooser.choose(for: .adjoint) == .partialSums)
        chooser.record(.partialSums, method: .adjoint, seconds: 0.050)
        #expect(chooser.choose(for: .adjoint) == .reduceScatter)
        chooser.record(.reduceScatter, method: .adjoint, seconds: 0.030)
        #expect(chooser.choose(for: .adjoint) == .fullTable)
        chooser.record(.fullTable, method: .adjoint, seconds: 0.015)
        // Forward rounds are learned separately.
        #expect(chooser.choose(for: .none) == .partialSums)
        var picks: [Stitching] = []
        for _ in 0..<12 { picks.append(chooser.choose(for: .adjoint)) }
        #expect(picks.allSatisfy { $0 == .fullTable })
        #expect(chooser.choose(for: .adjoint) == .partialSums)  // the 16th adjoint round re-tries one of the others
        for _ in 0..<15 { _ = chooser.choose(for: .adjoint) }
        #expect(chooser.choose(for: .adjoint) == .reduceScatter)  // the 32nd, the next
        // When the full table becomes slower, the choice follows (weighted mean, α = 0.5).
        chooser.record(.fullTable, method: .adjoint, seconds: 0.2)
        #expect(chooser.choose(for: .adjoint) == .reduceScatter)
    }
}

struct StragglerInjectionTests {
    @Test("a straggler that comes and goes at random: whole rounds, drawn from the seed alone, at the given rate")
    func randomRounds() throws {
        let s = StragglerInjection(ranks: [1], factor: 4, seed: 7, roundProbability: 0.3)
        let slow = (1 ... 2000).filter { s.slows(rank: 1, round: $0) }
        #expect(abs(Double(slow.count) / 2000 - 0.3) < 0.04, "\(slow.count) slow rounds of 2000")
        // Deterministic, and for the whole round: every unit of a slow round is delayed, none of the others.
        #expect(slow == (1 ... 2000).filter { StragglerInjection(ranks: [1], factor: 4, seed: 7, roundProbability: 0.3).slows(rank: 1, round: $0) })
        let round = try #require(slow.first), calm = try #require((1 ... 2000).first { !slow.contains($0) })
        #expect((0 ..< 50).allSatisfy { s.delay(rank: 1, round: round, unit: $0, elapsed: 1e-3) == 3e-3 })
        #expect((0 ..< 50).allSatisfy { s.delay(rank: 1, round: calm, unit: $0, elapsed: 1e-3) == 0 })
        #expect(!s.slows(rank: 0, round: round))
        // Another seed draws other rounds.
        #expect(slow != (1 ... 2000).filter { StragglerInjection(ranks: [1], factor: 4, seed: 8, roundProbability: 0.3).slows(rank: 1, round: $0) })
    }

    @Test("options encoded before round probabilities existed decode with every round slow")
    func decodesOlderOptions() throws {
        let old = #"{"ranks":[1],"delayPerUnit":0,"factor":2,"probability":1,"seed":3,"rounds":[1,9]}"#
        let s = try JSONDecoder().decode(StragglerInjection.self, from: Data(old.utf8))
        #expect(s.roundProbability == 1 && s.slows(rank: 1, round: 5) && !s.slows(rank: 1, round: 10))
        let again = try JSONDecoder().decode(StragglerInjection.self, from: JSONEncoder().encode(s))
        #expect(again == s)
    }
}
