/// What rank 0 broadcasts at the start of every round, in one `MPI_Bcast` of doubles: how to
/// differentiate, θ, the adaptive policy's learned rank speeds, the per-fragment cost
/// calibration, and the batch of inputs — or, in the same broadcast, that there are no more
/// rounds (`stop`), so serving ranks need no second message per round.
/// `encoded()` and `decode(_:)` are each other's inverse.
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

    /// A round's stitching travels as its index here (rank 0 resolves `.automatic` first).
    static let stitchingCodes: [Stitching] = [.fullTable, .partialSums, .reduceScatter]

    /// The whole header of a "no more rounds" broadcast.
    static let stop: [Double] = [0]

    /// [1 (a round), method, batch, |θ|, |speeds|, |factors|, width, stitching code] + θ + speeds
    /// + factors + inputs.
    func encoded() -> [Double] {
        let width = inputs.first?.count ?? 0
        return [1, Double(method.rawValue), Double(inputs.count), Double(theta.count), Double(speeds.count),
                Double(costFactors.count), Double(width), Double(Self.stitchingCodes.firstIndex(of: stitching) ?? 0)]
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

    /// The round a header describes, or nil for `stop`.
    static func decode(_ header: [Double]) -> RoundHeader? {
        guard header.first == 1 else { return nil }
        return RoundHeader(decoding: header)
    }

    private init(decoding header: [Double]) {
        method = GradientMethod(rawValue: Int(header[1])) ?? .none
        let batch = Int(header[2]), p = Int(header[3]), r = Int(header[4]), f = Int(header[5]), width = Int(header[6])
        stitching = Self.stitchingCodes.indices.contains(Int(header[7])) ? Self.stitchingCodes[Int(header[7])] : .fullTable
        var next = 8
        func take(_ n: Int) -> [Double] { defer { next += n }; return Array(header[next ..< next + n]) }
        theta = take(p)
        speeds = take(r)
        costFactors = take(f)
        inputs = (0 ..< batch).map { _ in take(width) }
    }
}
