/// One work unit as every schedule runs it — the static loop, a dynamic worker's chunk, and rank
/// 0's own chunk while it coordinates: evaluate it, book its busy seconds, then sit out the
/// injected straggler delay (StragglerInjection). With nothing to answer meanwhile the delay
/// sleeps; the dynamic schedules pass `poll`, run between spins (answering requests, noticing a
/// cancelled chunk), which may cut the delay short. Spinning rather than sleeping there because
/// sleeps overshoot by tens of microseconds, which would make a "4× slower" rank far slower on
/// short units; the spin yields its core to any other runnable rank, so that on an
/// oversubscribed machine a slow rank costs its own time, not its neighbours' (the capacity
/// `bench stragglers` measures against: Benchmarks/Capacity.swift).
import MPI
#if canImport(Glibc)
import Glibc
#endif

struct UnitRunner {
    /// Evaluates one unit into the rank's table; returns the seconds it took.
    let evaluate: (Int) throws -> Double
    let straggler: StragglerInjection
    let rank: Int
    /// The estimator's round (straggler draws depend on it).
    let round: Int
    /// Called with a chunk's units before its first unit runs, by every schedule: lets an
    /// executor batch the chunk's circuits (RoundExecution.swift); its seconds are work.
    var willRunChunk: ([Int]) throws -> Void = { _ in }

    /// Run `unit`, sleeping through its injected delay (nothing to answer meanwhile).
    func run(_ unit: Int, times: inout RankTimes) throws {
        let pause = try evaluate(unit, booking: &times)
        if pause > 0 { times.injectedDelay += Self.sleep(pause) }
    }

    /// Seconds between two polls while a delay spins. Polling is an `MPI_Iprobe`, which runs
    /// Open MPI's progress engine over the shared-memory queues that the other ranks use too;
    /// polled back to back it slowed the *other* rank's work units from 20.5 to 26 µs each on the
    /// 2-core machine (`bench stragglers`, np 2). Every 20 µs still notices a cancel or answers a
    /// request long before a unit would.
    static let pollInterval = 20e-6

    /// Run `unit`, calling `poll` while its injected delay spins; false when `poll` stopped the
    /// delay early (it returned true).
    func run(_ unit: Int, times: inout RankTimes, poll: (inout RankTimes) throws -> Bool) throws -> Bool {
        let pause = try evaluate(unit, booking: &times)
        guard pause > 0 else { return true }
        let start = MPI.wallTime()
        defer { times.injectedDelay += MPI.wallTime() - start }
        var nextPoll = start
        while true {
            let now = MPI.wallTime()
            if now - start >= pause { return true }
            if now >= nextPoll {
                if try poll(&times) { return false }
                nextPoll = now + Self.pollInterval
            }
            // A slow rank's lost time is not the other ranks' loss: on a core shared with them
            // (more ranks than cores) the spin gives way; alone on its core this returns at once.
            sched_yield()
        }
    }

    /// Evaluate and book the unit; returns its injected delay in seconds.
    private func evaluate(_ unit: Int, booking times: inout RankTimes) throws -> Double {
        let elapsed = try evaluate(unit)
        times.busy += elapsed
        times.units += 1
        return straggler.delay(rank: rank, round: round, unit: unit, elapsed: elapsed)
    }

    /// Sleep for the bulk, spin for the last millisecond, so short delays are as long as asked.
    static func sleep(_ seconds: Double) -> Double {
        let t0 = MPI.wallTime()
        while seconds - (MPI.wallTime() - t0) > 2e-3 {
            usleep(UInt32(min(seconds - (MPI.wallTime() - t0) - 1e-3, 1) * 1e6))
        }
        while MPI.wallTime() - t0 < seconds {}
        return MPI.wallTime() - t0
    }
}
