/// What the ranks of a job can compute at once: the denominator of `bench stragglers`' capacity
/// ideal (total work ÷ capacity). Summing rank speeds is right while every rank has a core of its
/// own; four ranks oversubscribed on two cores cannot give four ranks' capacity, however well they
/// are scheduled. So each host contributes its summed rank speeds *capped at its cores* (the CPUs
/// its ranks may run on together, from their affinity masks): one rank = one core's speed.
#if canImport(Glibc)
import Glibc
#endif

/// Where one rank runs: its host and the CPUs it may run on.
public struct Placement: Codable, Sendable, Hashable {
    public var host: String
    public var cpus: [Int]

    public init(host: String, cpus: [Int]) {
        self.host = host
        self.cpus = cpus
    }

    /// This process's placement: `gethostname`, and the affinity list of /proc/self/status
    /// (`Cpus_allowed_list`, e.g. "0-3,8"), or every online CPU where that cannot be read.
    public static func current() -> Placement {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count - 1) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown"
        return Placement(host: host, cpus: allowedCPUs() ?? Array(0 ..< max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
    }

    static func allowedCPUs() -> [Int]? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("Cpus_allowed_list:") else { continue }
            return parseList(String(text.dropFirst("Cpus_allowed_list:".count)))
        }
        return nil
    }

    /// "0-3,8" → [0, 1, 2, 3, 8]; nil for anything else.
    static func parseList(_ text: String) -> [Int]? {
        var cpus: [Int] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int(String($0.filter { !$0.isWhitespace })) }
            guard (1...2).contains(bounds.count), let low = bounds.first ?? nil, let high = bounds.last ?? nil,
                  low >= 0, low <= high, high < 1 << 20 else { return nil }
            cpus += Array(low ... high)
        }
        return cpus.isEmpty ? nil : cpus
    }
}

/// The hosts of a job: which ranks each holds and how many cores they share.
public struct Capacity: Sendable, Equatable {
    public struct Host: Sendable, Equatable {
        public var name = ""
        public var ranks: [Int]
        public var cores: Int
        /// More ranks than cores: the ranks time-share them.
        public var isOversubscribed: Bool { ranks.count > cores }
    }
    public let hosts: [Host]

    /// From every rank's placement (index = rank): ranks grouped by host, a host's cores being the
    /// union of its ranks' CPUs.
    public init(placements: [Placement]) {
        var order: [String] = [], ranks: [String: [Int]] = [:], cpus: [String: Set<Int>] = [:]
        for (rank, p) in placements.enumerated() {
            if ranks[p.host] == nil { order.append(p.host) }
            ranks[p.host, default: []].append(rank)
            cpus[p.host, default: []].formUnion(p.cpus)
        }
        hosts = order.map { Host(name: $0, ranks: ranks[$0]!, cores: max(1, cpus[$0]!.count)) }
    }

    /// One host of `cores` cores holding ranks 0..<ranks.
    public init(ranks: Int, cores: Int) {
        hosts = [Host(ranks: Array(0 ..< ranks), cores: cores)]
    }

    public var cores: Int { hosts.reduce(0) { $0 + $1.cores } }

    /// Σ over hosts of min(cores, Σ speeds of its ranks); speeds in cores (1 = a full core).
    public func of(speeds: [Double]) -> Double {
        hosts.reduce(0) { sum, host in
            sum + min(Double(host.cores), host.ranks.reduce(0) { $0 + (speeds.indices.contains($1) ? speeds[$1] : 0) })
        }
    }
}
