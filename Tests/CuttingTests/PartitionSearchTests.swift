/// The partition search behind automatic cutting: branch-and-bound equals brute force on small
/// graphs, and the heuristic is feasible and never better than the optimum.
import Testing
@testable import Cutting
import Support

@Suite struct PartitionSearchTests {
    static func randomGraph(seed: UInt64, nodes: Int) -> PartitionGraph {
        var rng = Xoshiro256(seed: seed)
        var weights: [Int: [Int: Double]] = [:]
        for a in 0..<nodes {
            for b in (a + 1)..<nodes where rng.next() % 2 == 0 {
                let w = Double(1 + rng.next() % 5)
                weights[a, default: [:]][b] = w
                weights[b, default: [:]][a] = w
            }
        }
        let sizes = (0..<nodes).map { _ in rng.next() % 4 == 0 ? 2 : 1 }
        return PartitionGraph(sizes: sizes, weights: weights, width: 3)
    }

    /// Minimum over every assignment of nodes to ≤ n blocks that respects the width.
    static func bruteForce(_ g: PartitionGraph) -> Double {
        let n = g.sizes.count
        var best = Double.infinity
        var blockOf = Array(repeating: 0, count: n)
        func visit(_ i: Int) {
            if i == n {
                var load = [Int: Int]()
                for (node, b) in blockOf.enumerated() { load[b, default: 0] += g.sizes[node] }
                if load.values.allSatisfy({ $0 <= g.width }) { best = min(best, g.cost(blockOf)) }
                return
            }
            for b in 0..<n { blockOf[i] = b; visit(i + 1) }
        }
        visit(0)
        return best
    }

    @Test(arguments: 0..<12)
    func exactEqualsBruteForceAndHeuristicIsFeasible(seed: Int) throws {
        let g = Self.randomGraph(seed: UInt64(seed), nodes: 6)
        let (cost, blocks) = try #require(g.exact(bound: .infinity))
        #expect(abs(cost - Self.bruteForce(g)) < 1e-9)
        #expect(abs(g.cost(blocks) - cost) < 1e-9)
        let (hCost, hBlocks) = try #require(g.heuristic(bound: .infinity))
        #expect(hCost >= cost - 1e-9)
        for b in Set(hBlocks) {
            #expect(hBlocks.indices.filter { hBlocks[$0] == b }.reduce(0) { $0 + g.sizes[$1] } <= g.width)
        }
    }
}
