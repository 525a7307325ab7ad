/// The reconstruct stage of a round: how the ranks' fragment-value tables (each one rank's
/// numbers and zeros elsewhere) become E and ∂E at rank 0.
///
/// `.partialSums` (the default, DESIGN §4): `MPI_Reduce_scatter` sums the tables and hands every
/// rank whole *samples* of the result (rank r gets samples [r·B/R, (r+1)·B/R)); each rank
/// contracts its samples; `MPI_Reduce(SUM)` of one B × (1 + P + X) block of partial
/// reconstruction sums — values and gradients, zeros outside the rank's samples — brings them to
/// rank 0. The contraction is spread over min(B, R) ranks instead of running serially at rank 0,
/// no rank ever holds the whole table, and rank 0's serial share is receiving B·(1+P+X) doubles.
/// Every entry that is summed is one rank's number plus zeros, so values and gradients are
/// bit-identical for any rank count and policy.
///
/// `.fullTable`: `MPI_Reduce(SUM)` of the whole table to rank 0, which contracts alone — for shot
/// mode, whose sampler draws from the exact fragment values of every unit.
import Cutting
import MPI

/// How the reconstruct stage combines the ranks' results (see Stitching.swift).
public enum Stitching: String, Hashable, Sendable, Codable {
    case partialSums
    case fullTable
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

    func stitch(_ table: FragmentValueTable, theta: [Double], inputs: [[Double]], method: GradientMethod,
                times: inout RankTimes) throws -> Stitched {
        // Parameter-shift rows are consumed by shot-mode code at rank 0: always the whole table.
        if options.stitching == .fullTable || world.size == 1 || method.shifts.any {
            return try stitchAtRoot(table, theta: theta, inputs: inputs, times: &times)
        }
        return try stitchPartialSums(table, theta: theta, inputs: inputs, method: method, times: &times)
    }

    /// The whole table to rank 0, which contracts it.
    private func stitchAtRoot(_ table: FragmentValueTable, theta: [Double], inputs: [[Double]],
                              times: inout RankTimes) throws -> Stitched {
        let t0 = MPI.wallTime()
        let reduced = try times.communicating { try world.reduce(table.storage, op: .sum, root: 0) }
        let t1 = MPI.wallTime()
        guard let reduced else { return Stitched(estimate: nil, table: nil, reduceSeconds: t1 - t0, contractSeconds: 0) }
        var full = table
        full.storage = reduced
        let estimate = try plan.reconstruct(full, theta: theta, inputs: inputs)
        return Stitched(estimate: estimate, table: full, reduceSeconds: t1 - t0, contractSeconds: MPI.wallTime() - t1)
    }

    /// Whole samples to each rank, contracted there, partial sums reduced to rank 0.
    private func stitchPartialSums(_ table: FragmentValueTable, theta: [Double], inputs: [[Double]],
                                   method: GradientMethod, times: inout RankTimes) throws -> Stitched {
        let batch = inputs.count, ranks = world.size
        let samples = { (r: Int) in r * batch / ranks ..< (r + 1) * batch / ranks }
        let stride = table.sampleStride
        let t0 = MPI.wallTime()
        let mine = try times.communicating {
            try world.reduceScatter(table.sampleMajor(), counts: (0..<ranks).map { samples($0).count * stride })
        }
        let t1 = MPI.wallTime()

        // Contract this rank's samples into rows of (value, ∂/∂θ, ∂/∂x).
        let own = samples(world.rank)
        let p = method == .adjoint ? plan.circuit.parameterCount : 0
        let x = method == .adjoint ? plan.circuit.inputCount : 0
        let width = 1 + p + x
        var block = [Double](repeating: 0, count: batch * width)
        if !own.isEmpty {
            let local = FragmentValueTable(plan: plan, method: method, sampleMajorRows: mine)
            let part = try plan.reconstruct(local, theta: theta, inputs: Array(inputs[own]))
            for (k, b) in own.enumerated() {
                block[b * width] = part.values[k]
                if p > 0 { for i in 0..<p { block[b * width + 1 + i] = part.thetaGradients[k][i] } }
                if x > 0 { for j in 0..<x { block[b * width + 1 + p + j] = part.inputGradients[k][j] } }
            }
        }
        let t2 = MPI.wallTime()
        let reduced = try times.communicating { try world.reduce(block, op: .sum, root: 0) }
        let seconds = (t1 - t0) + (MPI.wallTime() - t2)
        guard let reduced else { return Stitched(estimate: nil, table: nil, reduceSeconds: seconds, contractSeconds: t2 - t1) }
        // The same shapes as `CutPlan.reconstruct`: one gradient row per sample with gradients.
        let gradients = method == .adjoint
        let estimate = CutEstimate(
            values: (0..<batch).map { reduced[$0 * width] },
            thetaGradients: gradients ? (0..<batch).map { Array(reduced[$0 * width + 1 ..< $0 * width + 1 + p]) } : [],
            inputGradients: gradients ? (0..<batch).map { Array(reduced[$0 * width + 1 + p ..< $0 * width + width]) } : [])
        return Stitched(estimate: estimate, table: nil, reduceSeconds: seconds, contractSeconds: t2 - t1)
    }
}
