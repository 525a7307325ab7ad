/// A minimal double-precision complex number for gate matrices and amplitudes read out of a state.
///
/// The state itself is stored as interleaved `Double`s (see StateBatch.swift); `Complex` is the
/// value type used to build matrices and to hand amplitudes to callers.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct Complex: Hashable, Sendable, Codable, CustomStringConvertible {
    public var re: Double
    public var im: Double

    @inlinable public init(_ re: Double, _ im: Double = 0) {
        self.re = re
        self.im = im
    }

    public static let zero = Complex(0, 0)
    public static let one = Complex(1, 0)
    public static let i = Complex(0, 1)

    /// e^{iφ}.
    @inlinable public static func phase(_ phi: Double) -> Complex {
        Complex(cos(phi), sin(phi))
    }

    @inlinable public var conjugate: Complex { Complex(re, -im) }
    @inlinable public var magnitudeSquared: Double { re * re + im * im }

    @inlinable public static func + (a: Complex, b: Complex) -> Complex {
        Complex(a.re + b.re, a.im + b.im)
    }
    @inlinable public static func - (a: Complex, b: Complex) -> Complex {
        Complex(a.re - b.re, a.im - b.im)
    }
    @inlinable public static prefix func - (a: Complex) -> Complex { Complex(-a.re, -a.im) }
    @inlinable public static func * (a: Complex, b: Complex) -> Complex {
        Complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }
    @inlinable public static func * (s: Double, a: Complex) -> Complex {
        Complex(s * a.re, s * a.im)
    }
    @inlinable public static func += (a: inout Complex, b: Complex) { a = a + b }

    public var description: String { "(\(re)\(im < 0 ? "-" : "+")\(abs(im))i)" }
}
