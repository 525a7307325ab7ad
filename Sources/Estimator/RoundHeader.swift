/// What rank 0 broadcasts at the start of every round, in one `MPI_Bcast` of doubles: how to
/// differentiate, θ, the adaptive policy's learned rank speeds, and the batch of inputs.
/// `encoded()` and `init(decoding:)` are each other's inverse.
import Cutting

struct RoundHeader: Equatable {
    var method: GradientMethod
    var theta: [Double]
    /// Relative rank speeds (adaptive policy), else empty.
    var speeds: [Double]
    /// One input vector per query; all of one length.
    var inputs: [[Double]]

    /// [method, batch, |θ|, |speeds|, width] + θ + speeds + inputs (row by row).
    func encoded() -> [Double] {
        let width = inputs.first?.count ?? 0
        return [Double(method.rawValue), Double(inputs.count), Double(theta.count), Double(speeds.count), Double(width)]
            + theta + speeds + inputs.flatMap { $0 }
    }

    init(method: GradientMethod, theta: [Double], speeds: [Double], inputs: [[Double]]) {
        self.method = method
        self.theta = theta
        self.speeds = speeds
        self.inputs = inputs
    }

    init(decoding header: [Double]) {
        method = GradientMethod(rawValue: Int(header[0])) ?? .none
        let batch = Int(header[1]), p = Int(header[2]), r = Int(header[3]), width = Int(header[4])
        theta = Array(header[5 ..< 5 + p])
        speeds = Array(header[5 + p ..< 5 + p + r])
        let start = 5 + p + r
        inputs = (0 ..< batch).map { b in Array(header[start + b * width ..< start + (b + 1) * width]) }
    }
}
