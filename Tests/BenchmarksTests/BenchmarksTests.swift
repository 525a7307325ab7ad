/// The benchmarks' own arithmetic and a real (singleton-world) estimator measurement: a benchmark
/// whose numbers are wrong would make every claim built on it wrong.
@testable import Benchmarks
import Circuits
import Estimator
import MPI
import Testing

@Suite(.serialized) struct BenchmarksTests {
    @Test("nearest-rank median and percentiles")
    func percentiles() {
        #expect(median([]) == 0)
        #expect(median([3, 1, 2]) == 2)
        #expect(median([4, 1, 3, 2]) == 2)  // nearest rank: the 2nd of 4
        #expect(percentile([5, 1, 4, 2, 3], 0.95) == 5)
        #expect(percentile([5, 1, 4, 2, 3], 0) == 1)
    }

    @Test("a singleton-world estimator measurement matches the state vector, with positive stage times")
    func estimatorRowOnOneRank() throws {
        let world = try Communicator.world()
        let bench = EstimatorBenchmark(rounds: 3, batch: 2, gradients: true, policy: .static, stitching: .automatic)
        let (circuit, observable, cuts) = EstimatorBenchmark.family(qubits: 6, layers: 2, cuts: 1)
        let row = try #require(try bench.measure(world: world, circuit: circuit, observable: observable, cuts: cuts,
                                                 file: nil, seed: 3, layers: 2))
        #expect(row.cuts == 1 && row.ranks == 1 && row.workUnits > 0)
        #expect(abs(row.value - (row.uncutValue ?? .nan)) < 1e-10)
        #expect(row.perQueryMilliseconds.total > 0 && row.perQueryMilliseconds.execute > 0)
        // Medians of different stages come from different rounds, so they need not add up; each
        // stays within the totals' range.
        #expect(row.perQueryMilliseconds.execute <= row.perQueryMillisecondsP95Total)
        #expect(row.perQueryMilliseconds.reconstruct <= row.perQueryMillisecondsP95Total)
        #expect((0...1).contains(row.reconstructionShareMedian))
    }

    @Test("speed-up and efficiency against the np 1 row of the same configuration only")
    func speedups() throws {
        let world = try Communicator.world()
        let bench = EstimatorBenchmark(rounds: 1, batch: 1, gradients: false, policy: .static, stitching: .automatic)
        let (circuit, observable, cuts) = EstimatorBenchmark.family(qubits: 4, layers: 1, cuts: 1)
        var base = try #require(try bench.measure(world: world, circuit: circuit, observable: observable, cuts: cuts,
                                                  file: nil, seed: 1, layers: 1))
        base.perQueryMilliseconds.total = 8
        var four = base
        four.ranks = 4
        four.perQueryMilliseconds.total = 2.5
        var other = four
        other.n = 6  // no np 1 row of its own
        let rows = EstimatorBenchmark.withSpeedups([base, four, other])
        #expect(rows[0].speedup == 1 && rows[0].efficiency == 1)
        #expect(rows[1].speedup == 3.2 && rows[1].efficiency == 0.8)
        #expect(rows[2].speedup == nil)
    }

    @Test("straggler rows: perfect use of the remaining capacity reads 1, and transient rounds use the right capacity")
    func stragglerArithmetic() {
        let bench = StragglerBenchmark(qubits: 4, layers: 1, cuts: 1, batch: 1, rounds: 4, stragglerRank: 1, factor: 4,
                                       window: 2...3, gradients: false)
        typealias M = StragglerBenchmark.Measurement
        // 4 ranks, 12 s of work: ideal 3 s without the straggler, 12 / 3.25 s with it (rounds 2–3).
        let plain = M(rounds: Array(repeating: .init(time: 3, work: 12), count: 4))
        let slowed = M(rounds: [.init(time: 3, work: 12), .init(time: 12 / 3.25, work: 12),
                                .init(time: 12 / 3.25, work: 12), .init(time: 3, work: 12)])
        let row = bench.row(policy: .adaptive, capacity: Capacity(ranks: 4, cores: 4), work: 12, ranks: 4, plain: plain,
                            slowed: slowed)
        #expect(row.vsIdealNoStraggler == 1)
        #expect(row.perRoundVsIdeal.map { $0.map { ($0 * 1e12).rounded() / 1e12 } } == [1, 1, 1, 1])
        #expect(row.transientRounds == [2, 3])
        #expect(abs(row.vsIdeal - 1) < 1e-12)  // each round against its own ideal
        #expect(abs(row.trainingSlowdown - (6 + 24 / 3.25) / 12) < 1e-12)
    }

    @Test("random slow rounds: per-round ratios split into slow rounds, rounds right after one, and the rest")
    func roundClasses() {
        let perRound = [1.0, 1.5, 1.2, 1.0, 1.6, 1.7, 1.1, 1.0]  // timed rounds 1…8
        let c = StragglerBenchmark.roundClasses(perRound: perRound, slow: [2, 5, 6])
        // After: rounds 3 and 7 (1.2, 1.1), whose nearest-rank median is the lower.
        #expect(c.slow == 1.6 && c.after == 1.1 && c.steady == 1.0)
        let bench = StragglerBenchmark(qubits: 4, layers: 1, cuts: 1, batch: 1, rounds: 500, stragglerRank: 1, factor: 4,
                                       window: nil, gradients: false, roundProbability: 0.3)
        let slow = bench.slowTimedRounds ?? []
        #expect(abs(Double(slow.count) / 500 - 0.3) < 0.07 && slow.allSatisfy { (1 ... 500).contains($0) })
    }

    @Test("stage medians: each stage is its own median over the rounds, so they show where a round's time goes")
    func stageMedians() {
        typealias M = StragglerBenchmark.Measurement
        let m = M(rounds: [
            .init(time: 4, work: 8, stages: StageTimes(generate: 1, execute: 2, wait: 0, reconstruct: 1)),
            .init(time: 9, work: 8, stages: StageTimes(generate: 0, execute: 3, wait: 5, reconstruct: 1)),
            .init(time: 6, work: 8, stages: StageTimes(generate: 2, execute: 1, wait: 1, reconstruct: 2)),
        ])
        #expect(m.stages == StageTimes(generate: 1, execute: 2, wait: 1, reconstruct: 1))
        let bench = StragglerBenchmark(qubits: 4, layers: 1, cuts: 1, batch: 1, rounds: 3, stragglerRank: 1, factor: 4,
                                       window: nil, gradients: false)
        let row = bench.row(policy: .static, capacity: Capacity(ranks: 2, cores: 2), work: 8, ranks: 2, plain: m,
                            slowed: m)
        #expect(row.stagesNoStraggler == m.stages && row.stagesStraggler == m.stages)
    }

    @Test("capacity: summed speeds, capped per host at its cores (oversubscribed ranks give no more than the cores)")
    func capacityIsCoreAware() {
        let oversubscribed = Capacity(ranks: 4, cores: 2)
        #expect(oversubscribed.of(speeds: [1, 1, 1, 1]) == 2)
        #expect(oversubscribed.of(speeds: [1, 0.25, 1, 1]) == 2)  // three full ranks still fill two cores
        #expect(Capacity(ranks: 2, cores: 2).of(speeds: [1, 0.25]) == 1.25)
        // Two hosts: 4 cores holding ranks 0–2 (bound to cores 0, 1, 2), 2 cores oversubscribed by ranks 3–5.
        let hosts = Capacity(placements: [
            Placement(host: "a", cpus: [0]), Placement(host: "a", cpus: [1]), Placement(host: "a", cpus: [2, 3]),
            Placement(host: "b", cpus: [0, 1]), Placement(host: "b", cpus: [0, 1]), Placement(host: "b", cpus: [0, 1]),
        ])
        #expect(hosts.hosts.map(\.ranks) == [[0, 1, 2], [3, 4, 5]])
        #expect(hosts.hosts.map(\.name) == ["a", "b"] && hosts.hosts.map(\.isOversubscribed) == [false, true])
        #expect(hosts.hosts.map(\.cores) == [4, 2] && hosts.cores == 6)
        #expect(hosts.of(speeds: [1, 0.25, 1, 1, 1, 1]) == 2.25 + 2)
        // The same straggler arithmetic on 2 oversubscribed cores: the straggler costs nothing.
        let bench = StragglerBenchmark(qubits: 4, layers: 1, cuts: 1, batch: 1, rounds: 1, stragglerRank: 1, factor: 4,
                                       window: nil, gradients: false)
        let m = StragglerBenchmark.Measurement(rounds: [.init(time: 6, work: 12)])
        let row = bench.row(policy: .adaptive, capacity: oversubscribed, work: 12, ranks: 4, plain: m, slowed: m)
        #expect(row.idealSeconds == 6 && row.idealSecondsNoStraggler == 6 && row.vsIdeal == 1)
    }

    @Test("a CPU list from /proc parses like the kernel writes it; anything else is refused")
    func cpuLists() {
        #expect(Placement.parseList("0-3,8\n") == [0, 1, 2, 3, 8])
        #expect(Placement.parseList("5") == [5])
        #expect(Placement.parseList("3-1") == nil && Placement.parseList("x") == nil && Placement.parseList("") == nil)
        #expect(!Placement.current().cpus.isEmpty)
    }
}
