/// A note for the person at the terminal when a host holds more ranks than the cores they may run
/// on: the ranks then time-share the cores, and short rounds pay for it whatever the schedule —
/// four ranks on two cores read 1.23–1.26 of the ideal on 13 ms rounds against 1.04–1.07 for two
/// (docs/performance.md, "Issue 14 on 2 cores").
import Benchmarks
import MPI

enum Oversubscription {
    /// Collective (every rank's placement travels to rank 0). Rank 0 gets the note when some host
    /// has more ranks than cores; nil elsewhere and when none has.
    static func note(_ world: Communicator) throws -> String? {
        guard world.size > 1, let placements = try world.gather(Placement.current(), root: 0) else { return nil }
        let crowded = Capacity(placements: placements).hosts.filter(\.isOversubscribed)
        guard let host = crowded.first else { return nil }
        let more = crowded.count > 1 ? " (and on \(crowded.count - 1) more host(s))" : ""
        return "note: \(host.ranks.count) ranks share \(host.cores) core(s) on \(host.name)\(more): rounds of tens of ms "
            + "lose about 20 % to time-sharing (docs/performance.md); -np \(host.cores) per host is as fast"
    }
}
