/// What rank 0 broadcasts at the start of every round, in one `MPI_Bcast` of doubles: how to
/// differentiate, θ, the adaptive policy's learned rank speeds, the per-fragment cost
/// calibration, and the batch of inputs.
/// `encoded()` and `init(decoding:)` are each other's inverse.
import Cutting

struct RoundHeader: Equatable {
    var method: GradientMethod
    var theta: [Double]
    /// Relative rank speeds (adaptive policy), else empty.
    var speeds: [Double]
    /// Cost calibration per fragment (`CostModel`), or empty.
    var costFactors: [Double] = []
    /// How this round's reconstruct stage runs (rank 0's choice).
    var stitching: Stitching = .fullTable
    /// One input vector per query; all of one length.
    var inputs: [[Double]]

    /// [method, batch, |θ|, |speeds|, |factors|, width, partial sums?] + θ + speeds + factors + inputs.
    func encoded() -> [Double] {
        let width = inputs.first?.count ?? 0
        return [Double(method.rawValue), Double(inputs.count), Double(theta.count), Double(speeds.count),
                Double(costFactors.count), Double(width), stitching == .partialSums ? 1 : 0]
            + theta + speeds + costFactors + inputs.flatMap { $0 }
    }

    init(method: GradientMethod, theta: [Double], speeds: [Double], costFactors: [Double] = [],
         stitching: Stitching = .fullTable, inputs: [[Double]]) {
        self.method = method
        self.stitching = stitching
        self.theta = theta
        self.speeds = speeds
        self.costFactors = costFactors
        self.inputs = inputs
    }

    init(decoding header: [Double]) {
        method = GradientMethod(rawValue: Int(header[0])) ?? .none
        let batch = Int(header[1]), p = Int(header[2]), r = Int(header[3]), f = Int(header[4]), width = Int(header[5])
        stitching = header[6] == 1 ? .partialSums : .fullTable
        var next = 7
        func take(_ n: Int) -> [Double] { defer { next += n }; return Array(header[next ..< next + n]) }
        theta = take(p)
        speeds = take(r)
        costFactors = take(f)
        inputs = (0 ..< batch).map { _ in take(width) }
    }
}
