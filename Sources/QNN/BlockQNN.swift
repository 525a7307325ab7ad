/// The wide QNN family (`model.fragments: m`): n qubits in m blocks of w = n/m, each block a
/// fragment the estimator simulates on its own. Width is what cutting is for, so the model is
/// shaped by its cuts: the blocks only talk through the boundary gates, and those exist only in
/// the first `crossingLayers` layers — each one is a cut, and the cost of a query grows with
/// them, not with n.
///
/// The circuit, as `ReferenceQNN` builds the two-half family (docs/training.md draws one):
///
/// 1. RY(x_q) on every qubit (angle encoding, one input per qubit);
/// 2. per layer l: RY(θ), RZ(θ) on every qubit (θ index (l·n + q)·2 + k, as `ReferenceQNN`);
///    a CNOT chain inside each block (b·w → b·w+1 → … → b·w+w−1); then, in the crossing layers
///    only, one boundary gate from the last qubit of block b to the first qubit of block b+1, and
///    for `ring` from the last qubit of the last block to qubit 0 (a ring needs three blocks or
///    more: with two it would join the same two blocks twice, so it is a chain there).
///
/// `rzz` boundary gates are trainable: their angles follow the 2·n·L rotation angles in θ, in
/// circuit order. The gate order is that of `make_wide_vectors.py`, which made the oracle
/// circuits of Tests/Fixtures/wide_circuits.json.
import Circuits

public struct BlockQNN: Sendable, Equatable {
    public enum Topology: String, Sendable, Codable, CaseIterable { case chain, ring }
    public enum BoundaryGate: String, Sendable, Codable, CaseIterable { case cx, cz, rzz }

    public var qubits: Int
    public var layers: Int
    public var fragments: Int
    public var topology: Topology
    public var crossingLayers: Int
    public var boundaryGate: BoundaryGate

    public init(qubits: Int, layers: Int, fragments: Int, topology: Topology = .chain, crossingLayers: Int = 1,
                boundaryGate: BoundaryGate = .cx) {
        precondition(fragments >= 1 && qubits % fragments == 0, "n must split into m equal blocks")
        self.qubits = qubits
        self.layers = layers
        self.fragments = fragments
        self.topology = topology
        self.crossingLayers = min(crossingLayers, layers)
        self.boundaryGate = boundaryGate
    }

    /// Qubits per block.
    public var width: Int { qubits / fragments }

    /// The boundary gates of one crossing layer as (control, target) pairs, in circuit order.
    public var boundaries: [(Int, Int)] {
        var pairs = (0..<max(fragments - 1, 0)).map { b in (b * width + width - 1, (b + 1) * width) }
        if topology == .ring && fragments > 2 { pairs.append((qubits - 1, 0)) }
        return pairs
    }

    /// Boundary gates in the whole circuit (every one is cut).
    public var cutCount: Int { boundaries.count * crossingLayers }

    /// The last qubit of every block: the qubit each block's readout is read from (the end of its
    /// CNOT chain, so its light cone covers the block).
    public var readoutQubits: [Int] { (0..<fragments).map { $0 * width + width - 1 } }

    public var parameterCount: Int { 2 * qubits * layers + (boundaryGate == .rzz ? cutCount : 0) }

    /// One label per qubit, one per block: A…Z, then 0…9, then a…z (62 blocks at most); the
    /// estimator cuts exactly the gates between labels, i.e. the boundary gates.
    public var partitionLabels: String {
        String((0..<qubits).map { Self.label(block: $0 / width) })
    }

    public static let maxFragments = 62

    static func label(block b: Int) -> Character {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz")
        return alphabet[b]
    }

    public var circuit: Circuit {
        let n = qubits
        var c = Circuit(qubitCount: n)
        for q in 0..<n { c.append(Gate(.ry, [q], [.input(q)])) }
        var boundaryTheta = 2 * n * layers
        for l in 0..<layers {
            for q in 0..<n {
                c.append(Gate(.ry, [q], [.theta((l * n + q) * 2)]))
                c.append(Gate(.rz, [q], [.theta((l * n + q) * 2 + 1)]))
            }
            for b in 0..<fragments {
                for q in (b * width)..<((b + 1) * width - 1) { c.append(Gate(.cx, [q, q + 1])) }
            }
            guard l < crossingLayers else { continue }
            for (a, t) in boundaries {
                switch boundaryGate {
                case .cx: c.append(Gate(.cx, [a, t]))
                case .cz: c.append(Gate(.cz, [a, t]))
                case .rzz:
                    c.append(Gate(.rzz, [a, t], [.theta(boundaryTheta)]))
                    boundaryTheta += 1
                }
            }
        }
        c.parameterCount = parameterCount
        c.inputCount = n
        return c
    }
}
