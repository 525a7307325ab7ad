/// The reconstruct stage of a round: how the ranks' fragment-value tables (each one rank's
/// numbers and zeros elsewhere) become E and ∂E at rank 0.
///
/// `.partialSums` (DESIGN §4): the tables are summed so that every rank receives whole *samples*
/// of the result (rank r gets samples [r·B/R, (r+1)·B/R)), done as one `MPI_Reduce` per
/// sample-owning rank rooted there; each rank contracts its samples; `MPI_Reduce(SUM)` of one
/// B × (1 + P + X) block of partial reconstruction sums — values and gradients, zeros outside the
/// rank's samples — brings them to rank 0. The contraction is spread over min(B, R) ranks instead
/// of running serially at rank 0, no rank ever holds the whole table, and rank 0's serial share
/// is receiving B·(1+P+X) doubles.
///
/// `.reduceScatter`: the same, with the per-owner reductions done as one `MPI_Reduce_scatter`
/// — one collective of O(log R) latency instead of min(B, R) reductions in a row, which matters
/// from a few dozen ranks on (at 256 ranks, 256 reduces of 8 hops each); Open MPI 4.1's shared
/// memory implementation was 7× slower than the reduces on 12 MB tables at 2 ranks.
///
/// `.fullTable`: `MPI_Reduce(SUM)` of the whole table to rank 0, which contracts alone — for shot
/// mode, whose sampler draws from the exact fragment values of every unit.
///
/// `.automatic` (the default) measures them: which is fastest depends on the table's size against
/// the contraction's cost, on R and on the MPI library (at 2 ranks with gradients, 12 MB tables,
/// Open MPI 4.1's shared-memory reductions made the partial sums 3× slower than one reduce to
/// rank 0; at 16 ranks without gradients they win). All give bit-identical results — every entry
/// that is summed is one rank's number plus zeros — so rank 0 may pick per round: each kind of
/// round (by gradient method) tries each once, then runs the one with the lowest reconstruct time
/// (weighted mean, α = 0.5), re-trying the others in turn every 16th round.
import Cutting
import MPI

/// How the reconstruct stage combines the ranks' results (see Stitching.swift).
public enum Stitching: String, Hashable, Sendable, Codable {
    case automatic
    case partialSums
    case reduceScatter
    case fullTable
}

/// Rank 0's choice among the stitchings, learned from their measured reconstruct times.
struct StitchingChooser {
    /// What `.automatic` chooses among, in the order they are first tried.
    static let candidates: [Stitching] = [.partialSums, .reduceScatter, .fullTable]
    /// [method][candidate]: weighted mean seconds, nil until tried.
    private var seconds: [GradientMethod: [Double?]] = [:]
    private var rounds: [GradientMethod: Int] = [:]
    /// [method]: how many re-tries so far (they cycle through the candidates that are not best).
    private var retries: [GradientMethod: Int] = [:]

    mutating func choose(for method: GradientMethod) -> Stitching {
        let tried = seconds[method] ?? Self.candidates.map { _ in nil }
        let round = rounds[method, default: 0]
        rounds[method] = round + 1
        if let untried = tried.firstIndex(where: { $0 == nil }) { return Self.candidates[untried] }
        let times = tried.map { $0! }
        let best = times.indices.min { times[$0] < times[$1] }!
        guard round % 16 == 15 else { return Self.candidates[best] }
        let others = Self.candidates.indices.filter { $0 != best }
        let retry = retries[method, default: 0]
        retries[method] = retry + 1
        return Self.candidates[others[retry % others.count]]
    }

    mutating func record(_ stitching: Stitching, method: GradientMethod, seconds measured: Double) {
        guard let k = Self.candidates.firstIndex(of: stitching) else { return }
        var tried = seconds[method] ?? Self.candidates.map { _ in nil }
        tried[k] = tried[k].map { 0.5 * measured + 0.5 * $0 } ?? measured
        seconds[method] = tried
    }
}

extension DistributedEstimator {
    struct Stitched {
        /// Rank 0 only.
        var estimate: CutEstimate?
        var table: FragmentValueTable?
        /// The reductions (the wait barrier has already synchronised the ranks).
        var reduceSeconds: Double
        /// This rank's contraction.
        var contractSeconds: Double
    }

    /// The stitching a round runs (rank 0 decides; it travels in the header): the options'
    /// choice, or the chooser's under `.automatic`; always the full table for one rank and for
    /// parameter-shift rows, which shot-mode code consumes at rank 0.
    func stitching(for method: GradientMethod, chooser: inout StitchingChooser) -> Stitching {
        if world.size == 1 || method.shifts.any { return .fullTable }
        return options.stitching == .automatic ? chooser.choose(for: method) : options.stitching
    }

    /// `table` is this rank's table; with `.fullTable` it becomes the sum at rank 0 (in place).
    func stitch(_ table: inout FragmentValueTable, theta: [Double], inputs: [[Double]], method: GradientMethod,
                stitching: Stitching, times: inout RankTimes) throws -> Stitched {
        switch stitching {
        case .partialSums, .reduceScatter:
            return try stitchPartialSums(table, theta: theta, inputs: inputs, method: method,
                                         scatter: stitching == .reduceScatter, times: &times)
        case .fullTable, .automatic:
            return try stitchAtRoot(&table, theta: theta, inputs: inputs, times: &times)
        }
    }

    /// The whole table to rank 0 (summed in place there: no second table), which contracts it.
    private func stitchAtRoot(_ table: inout FragmentValueTable, theta: [Double], inputs: [[Double]],
                              times: inout RankTimes) throws -> Stitched {
        let t0 = MPI.wallTime()
        try times.communicating { try world.reduceInPlace(&table.storage, op: .sum, root: 0) }
        let t1 = MPI.wallTime()
        guard world.isRoot else { return Stitched(estimate: nil, table: nil, reduceSeconds: t1 - t0, contractSeconds: 0) }
        let estimate = try plan.reconstruct(table, theta: theta, inputs: inputs)
        return Stitched(estimate: estimate, table: table, reduceSeconds: t1 - t0, contractSeconds: MPI.wallTime() - t1)
    }

    /// Whole samples to each rank (one reduce per owner, or one reduce-scatter), contracted
    /// there, partial sums reduced to rank 0.
    private func stitchPartialSums(_ table: FragmentValueTable, theta: [Double], inputs: [[Double]],
                                   method: GradientMethod, scatter: Bool, times: inout RankTimes) throws -> Stitched {
        let batch = inputs.count, ranks = world.size
        let samples = { (r: Int) in r * batch / ranks ..< (r + 1) * batch / ranks }
        let stride = table.sampleStride
        let t0 = MPI.wallTime()
        // One MPI_Reduce per rank that owns samples, rooted there: each rank's rows of those samples
        // travel once up a tree; or one MPI_Reduce_scatter (`scatter`), whose latency grows as
        // log R rather than R — the chooser measures which is faster here.
        let laidOut = table.sampleMajor()
        var mine: [Double] = []
        try times.communicating {
            if scatter {
                mine = try world.reduceScatter(laidOut, counts: (0..<ranks).map { samples($0).count * stride })
                return
            }
            for owner in 0..<ranks where !samples(owner).isEmpty {
                let block = laidOut[samples(owner).lowerBound * stride ..< samples(owner).upperBound * stride]
                if let reduced = try world.reduce(block, op: .sum, root: owner) { mine = reduced }
            }
        }
        let t1 = MPI.wallTime()

        // Contract this rank's samples into rows of (value, ∂/∂θ, ∂/∂x).
        let own = samples(world.rank)
        let p = method == .adjoint ? plan.circuit.parameterCount : 0
        let x = method == .adjoint ? plan.circuit.inputCount : 0
        var block = [Double](repeating: 0, count: batch * (1 + p + x))
        if !own.isEmpty {
            let local = FragmentValueTable(plan: plan, method: method, sampleMajorRows: mine)
            let part = try plan.reconstruct(local, theta: theta, inputs: Array(inputs[own]))
            block = part.packed(into: batch, at: own, parameterCount: p, inputCount: x)
        }
        let t2 = MPI.wallTime()
        let reduced = try times.communicating { try world.reduce(block, op: .sum, root: 0) }
        let seconds = (t1 - t0) + (MPI.wallTime() - t2)
        guard let reduced else { return Stitched(estimate: nil, table: nil, reduceSeconds: seconds, contractSeconds: t2 - t1) }
        let estimate = CutEstimate(packed: reduced, sampleCount: batch, parameterCount: p, inputCount: x,
                                   gradients: method == .adjoint)
        return Stitched(estimate: estimate, table: nil, reduceSeconds: seconds, contractSeconds: t2 - t1)
    }
}
