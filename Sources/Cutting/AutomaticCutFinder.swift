/// Automatic cutting under a fragment-width limit: choose gate cuts and wire cuts minimising the
/// sampling overhead γ² = Π_gate-cuts γ_g² · 16^(wire cuts). Gate cuts alone are found by
/// partitioning the wires (exact branch-and-bound up to `exactSearchLimit` nodes, greedy growth
/// plus single-node moves beyond); wire cuts are then added greedily, one at a time, while one
/// lowers the overhead (a wire cut splits a wire into two segments that may join different
/// fragments).
import Foundation
import Circuits

struct AutomaticCutFinder {
    let circuit: RelabelledCircuit
    let observable: Observable
    let width: Int
    let options: CutPlanOptions
    let call: String
    /// log γ² of a wire cut (Peng: γ = 4).
    static let wireCost = 2 * log(4.0)

    init(circuit: RelabelledCircuit, observable: Observable, maxFragmentQubits: Int, options: CutPlanOptions, call: String) {
        self.circuit = circuit
        self.observable = observable
        self.width = maxFragmentQubits
        self.options = options
        self.call = call
    }

    func solve() throws -> CutResolution {
        guard width >= 1 else {
            throw CuttingError.widthLimitUnreachable(call: call, maxFragmentQubits: width, reason: "maxFragmentQubits must be at least 1")
        }
        let gates = circuit.circuit.gates
        var wireCuts: [(wire: Int, position: Int)] = []
        var best = partition(wireCuts: wireCuts, bound: .infinity)
        if options.allowWireCuts {
            // Candidate positions: between consecutive multi-qubit gates of a wire.
            var candidates: [(wire: Int, position: Int)] = []
            for w in 0..<circuit.circuit.qubitCount {
                let touching = gates.indices.filter { gates[$0].kind.arity > 1 && gates[$0].qubits.contains(w) }
                for (a, b) in zip(touching, touching.dropFirst()) where a + 1 <= b {
                    candidates.append((w, b))
                }
            }
            while true {
                let current = best?.cost ?? .infinity
                var improved: (cut: (wire: Int, position: Int), result: PartitionResult)?
                for candidate in candidates where !wireCuts.contains(where: { $0 == candidate }) {
                    let bound = (improved?.result.cost ?? current)
                    guard let r = partition(wireCuts: wireCuts + [candidate], bound: bound - Self.wireCost),
                          r.cost + Self.wireCost < bound - 1e-9 else { continue }
                    improved = (candidate, PartitionResult(cost: r.cost + Self.wireCost, blockOf: r.blockOf))
                }
                guard let step = improved else { break }
                wireCuts.append(step.cut)
                best = PartitionResult(cost: step.result.cost, blockOf: step.result.blockOf)
            }
        }
        guard let solution = best else {
            let widest = gates.map { $0.kind.arity }.max() ?? 1
            throw CuttingError.widthLimitUnreachable(call: call, maxFragmentQubits: width,
                reason: widest > width ? "a \(widest)-qubit gate cannot be cut and needs \(widest) qubits in one fragment"
                                       : "uncuttable gates tie more than \(width) wire segments together")
        }
        let segments = Segmentation(wireCount: circuit.circuit.qubitCount, cuts: wireCuts)
        var gateCuts: [Int] = []
        for (g, gate) in gates.enumerated() where gate.kind.arity > 1 {
            let blocks = Set(gate.qubits.map { solution.blockOf[segments.segment(wire: $0, gate: g)] })
            if blocks.count > 1 { gateCuts.append(g) }
        }
        let located = wireCuts.map { cut -> WorkingWireCut in
            let original = cut.position < circuit.originalGateIndex.count ? circuit.originalGateIndex[cut.position]
                                                                          : circuit.workingGateIndex.count
            let qubit = circuit.wireBefore[original].firstIndex(of: cut.wire)!
            return WorkingWireCut(wire: cut.wire, position: cut.position, location: WireCut(qubit: qubit, beforeGate: original))
        }
        return CutResolution(gateCuts: gateCuts, wireCuts: located, fragmentOfSegment: solution.blockOf)
    }

    struct PartitionResult {
        var cost: Double
        var blockOf: [Int]
    }

    /// The cheapest assignment of segments to blocks of at most `width` segments, if one costs
    /// less than `bound`.
    func partition(wireCuts: [(wire: Int, position: Int)], bound: Double) -> PartitionResult? {
        let gates = circuit.circuit.gates
        let segments = Segmentation(wireCount: circuit.circuit.qubitCount, cuts: wireCuts)
        // Uncuttable gates glue segments into super-nodes.
        var parent = Array(0..<segments.count)
        func find(_ x: Int) -> Int { var x = x; while parent[x] != x { x = parent[x] }; return x }
        var weights: [Int: [Int: Double]] = [:]
        var pairs: [(Int, Int, Double)] = []
        for (g, gate) in gates.enumerated() where gate.kind.arity > 1 {
            let s = gate.qubits.map { segments.segment(wire: $0, gate: g) }
            if gate.kind.arity == 2, let basis = QPDBasis.gateCut(gate) {
                pairs.append((s[0], s[1], 2 * log(basis.planningGamma)))
            } else {
                for other in s.dropFirst() { parent[find(other)] = find(s[0]) }
            }
        }
        var nodeOf = Array(repeating: -1, count: segments.count)
        var sizes: [Int] = []
        for s in 0..<segments.count where nodeOf[find(s)] < 0 {
            nodeOf[find(s)] = sizes.count
            sizes.append(0)
        }
        for s in 0..<segments.count {
            nodeOf[s] = nodeOf[find(s)]
            sizes[nodeOf[s]] += 1
        }
        if sizes.contains(where: { $0 > width }) { return nil }
        for (a, b, w) in pairs where nodeOf[a] != nodeOf[b] {
            weights[nodeOf[a], default: [:]][nodeOf[b], default: 0] += w
            weights[nodeOf[b], default: [:]][nodeOf[a], default: 0] += w
        }
        let graph = PartitionGraph(sizes: sizes, weights: weights, width: width)
        let nodeResult = sizes.count <= options.exactSearchLimit ? graph.exact(bound: bound) : graph.heuristic(bound: bound)
        guard let (cost, blockOfNode) = nodeResult else { return nil }
        return PartitionResult(cost: cost, blockOf: nodeOf.map { blockOfNode[$0] })
    }
}

/// Nodes with sizes and weighted edges; blocks hold at most `width` size units; the cost of an
/// assignment is the weight of edges between blocks.
///
/// Adjacency is kept in arrays sorted by neighbour (not dictionaries), so every sum and every tie
/// is broken the same way in every process: ranks that build the same plan get the same cuts.
struct PartitionGraph {
    var sizes: [Int]
    /// `adjacency[a]`: (neighbour, weight), ascending neighbour, symmetric.
    var adjacency: [[(node: Int, weight: Double)]]
    var width: Int
    /// Total edge weight of each node.
    var degree: [Double]

    init(sizes: [Int], weights: [Int: [Int: Double]], width: Int) {
        self.sizes = sizes
        self.width = width
        adjacency = sizes.indices.map { a in (weights[a] ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
        degree = adjacency.map { $0.reduce(0) { $0 + $1.weight } }
    }

    func weight(_ a: Int, _ b: Int) -> Double { adjacency[a].first { $0.node == b }?.weight ?? 0 }

    func cost(_ blockOf: [Int]) -> Double {
        var total = 0.0
        for (a, row) in adjacency.enumerated() { for (b, w) in row where a < b && blockOf[a] != blockOf[b] { total += w } }
        return total
    }

    /// Branch and bound over canonical block assignments (a node opens at most one new block),
    /// nodes ordered by total edge weight so that expensive decisions come first.
    func exact(bound: Double) -> (Double, [Int])? {
        let n = sizes.count
        var bestCost = bound
        var best: [Int]?
        if let seed = heuristic(bound: bound) { bestCost = seed.0; best = seed.1 }
        let order = (0..<n).sorted { (degree[$0], $1) > (degree[$1], $0) }
        var blockOf = Array(repeating: -1, count: n)
        var blockSize: [Int] = []
        func visit(_ depth: Int, _ cost: Double) {
            if cost >= bestCost - 1e-12 { return }
            if depth == n { bestCost = cost; best = blockOf; return }
            let node = order[depth]
            for block in 0...blockSize.count {
                if block == blockSize.count { blockSize.append(0) }
                if blockSize[block] + sizes[node] <= width {
                    var added = 0.0
                    for (other, w) in adjacency[node] where blockOf[other] >= 0 && blockOf[other] != block { added += w }
                    blockOf[node] = block
                    blockSize[block] += sizes[node]
                    visit(depth + 1, cost + added)
                    blockSize[block] -= sizes[node]
                    blockOf[node] = -1
                }
                if blockSize[block] == 0 { blockSize.removeLast() }
            }
        }
        visit(0, 0)
        guard let found = best else { return nil }
        return (bestCost, found)
    }

    /// Greedy growth (seed the heaviest free node, add the most attached neighbour while it fits),
    /// then single-node moves and pairwise swaps while they lower the cost.
    func heuristic(bound: Double) -> (Double, [Int])? {
        let n = sizes.count
        var blockOf = Array(repeating: -1, count: n)
        var blockSize: [Int] = []
        func attachment(_ node: Int, _ block: Int) -> Double {
            adjacency[node].reduce(0) { $0 + (blockOf[$1.node] == block ? $1.weight : 0) }
        }
        while let seed = (0..<n).filter({ blockOf[$0] < 0 }).max(by: { (degree[$0], $1) < (degree[$1], $0) }) {
            let block = blockSize.count
            blockSize.append(sizes[seed])
            blockOf[seed] = block
            while true {
                let free = (0..<n).filter { blockOf[$0] < 0 && blockSize[block] + sizes[$0] <= width }
                guard let next = free.max(by: { (attachment($0, block), $1) < (attachment($1, block), $0) }) else { break }
                blockOf[next] = block
                blockSize[block] += sizes[next]
            }
        }
        var cost = self.cost(blockOf)
        var improved = true
        while improved {
            improved = false
            for node in 0..<n {
                let from = blockOf[node]
                for to in 0...blockSize.count where to != from {
                    let size = to < blockSize.count ? blockSize[to] : 0
                    guard size + sizes[node] <= width else { continue }
                    let delta = attachment(node, to) - attachment(node, from)  // cost decrease
                    if delta > 1e-12 {
                        if to == blockSize.count { blockSize.append(0) }
                        blockOf[node] = to
                        blockSize[from] -= sizes[node]
                        blockSize[to] += sizes[node]
                        cost -= delta
                        improved = true
                        break
                    }
                }
            }
            if improved { continue }
            for a in 0..<n {
                for b in (a + 1)..<max(a + 1, n) where blockOf[a] != blockOf[b] {
                    let (ba, bb) = (blockOf[a], blockOf[b])
                    guard blockSize[ba] - sizes[a] + sizes[b] <= width, blockSize[bb] - sizes[b] + sizes[a] <= width else { continue }
                    // cost decrease: the a–b edge stays cut, every other edge of a or b flips sides
                    let delta = attachment(a, bb) + attachment(b, ba) - attachment(a, ba) - attachment(b, bb) - 2 * weight(a, b)
                    if delta > 1e-12 {
                        blockOf[a] = bb
                        blockOf[b] = ba
                        blockSize[ba] += sizes[b] - sizes[a]
                        blockSize[bb] += sizes[a] - sizes[b]
                        cost -= delta
                        improved = true
                    }
                }
            }
        }
        // Renumber blocks densely (moves may have emptied some).
        var renumber: [Int: Int] = [:]
        let dense = blockOf.map { b in
            if let r = renumber[b] { return r }
            renumber[b] = renumber.count
            return renumber.count - 1
        }
        let exactCost = self.cost(dense)
        return exactCost < bound ? (exactCost, dense) : nil
    }
}
