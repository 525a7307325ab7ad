/// Symbolic QPD coefficients: a coefficient that depends on a cut gate's angle is stored as a
/// formula in that `Angle`, so rebinding θ or x changes its value, never the plan, and its
/// derivative with respect to θ_i / x_j is known in closed form.
import Foundation
import Circuits

/// `factor · f(φ/2)` where φ is an angle (or no angle for a constant coefficient) and f is one of
/// 1, cos², sin², cos·sin.
public struct QPDCoefficient: Hashable, Sendable, Codable {
    public enum Shape: String, Hashable, Sendable, Codable {
        case constant, cosSquared, sinSquared, cosSin
    }
    public var shape: Shape
    public var factor: Double
    /// φ, the angle of the two-qubit rotation core (nil for constant coefficients).
    public var angle: Angle?

    public init(_ shape: Shape, factor: Double = 1, angle: Angle? = nil) {
        precondition(shape == .constant || angle != nil, "angle-dependent coefficient needs an angle")
        self.shape = shape
        self.factor = factor
        self.angle = shape == .constant ? nil : angle
    }

    public static func constant(_ value: Double) -> QPDCoefficient { QPDCoefficient(.constant, factor: value) }

    /// The value and dc/dφ at φ.
    @inlinable
    public func valueAndDerivative(phi: Double) -> (value: Double, dPhi: Double) {
        let c = cos(phi / 2), s = sin(phi / 2)
        switch shape {
        case .constant: return (factor, 0)
        case .cosSquared: return (factor * c * c, -factor * c * s)
        case .sinSquared: return (factor * s * s, factor * c * s)
        case .cosSin: return (factor * c * s, factor * 0.5 * (c * c - s * s))
        }
    }

    /// The value for one parameter binding.
    public func value(theta: [Double], input: [Double]) -> Double {
        valueAndDerivative(phi: angle?.value(theta: theta, input: input) ?? 0).value
    }
}

extension Angle {
    /// `scale` times this angle, still affine in the same θ_i and x_j.
    func scaled(by scale: Double) -> Angle {
        Angle(constant: constant * scale, thetaIndex: thetaIndex, thetaScale: thetaScale * scale,
              inputIndex: inputIndex, inputScale: inputScale * scale)
    }
}
