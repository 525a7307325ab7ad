/// What the user asks the cutter for: explicit cuts, qubit partition labels, or a width limit.
import Circuits

/// A cut of qubit `qubit`'s wire just before gate `beforeGate` of the user's circuit
/// (`beforeGate` = gate count cuts after the last gate).
public struct WireCut: Hashable, Sendable, Codable {
    public var qubit: Int
    public var beforeGate: Int
    public init(qubit: Int, beforeGate: Int) {
        self.qubit = qubit
        self.beforeGate = beforeGate
    }
}

/// How to choose the cuts.
public enum CutSpecification: Hashable, Sendable, Codable {
    /// Cut these two-qubit gates (indices into `circuit.gates`) and these wires; fragments are the
    /// connected pieces that remain.
    case explicit(gateCuts: [Int], wireCuts: [WireCut])
    /// One character per qubit, as qiskit-addon-cutting's `partition_problem`: qubits with equal
    /// characters form one fragment, and every gate spanning two partitions is cut.
    case partition(labels: String)
    /// Find gate and wire cuts minimising the sampling overhead γ² under a fragment-width limit.
    case automatic(maxFragmentQubits: Int)
}

/// Choices that shape a plan but not the value it computes.
public struct CutPlanOptions: Hashable, Sendable, Codable {
    /// Decomposition of wire cuts: `.fourPreparations` (fewest sub-experiments, for exact
    /// reconstruction) or `.eightTerms` (γ = 4, for sampling).
    public var wireCutForm: WireCutForm
    /// Automatic search: exact branch-and-bound up to this many wire segments, heuristic beyond.
    public var exactSearchLimit: Int
    /// Automatic search: try wire cuts (greedily, one at a time) on top of gate cuts.
    public var allowWireCuts: Bool
    /// Refuse plans in which one fragment needs more settings than this. Settings are built
    /// lazily, but the contraction's index tables grow with them (2^24 settings: ~1 GB of
    /// tables at 10 cuts); below this, what a plan costs is judged by the resource guard
    /// (Estimator), which prints its estimate.
    public var maxSettingsPerFragment: Int

    public init(wireCutForm: WireCutForm = .fourPreparations, exactSearchLimit: Int = 12,
                allowWireCuts: Bool = true, maxSettingsPerFragment: Int = 1 << 24) {
        self.maxSettingsPerFragment = maxSettingsPerFragment
        self.wireCutForm = wireCutForm
        self.exactSearchLimit = exactSearchLimit
        self.allowWireCuts = allowWireCuts
    }
}
