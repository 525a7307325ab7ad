/// Angle expressions of the QASM reader: affine values, compiled postfix expressions, and their
/// evaluation.
///
/// An expression is parsed once into postfix form (so evaluating it needs no recursion, however
/// long it is) and evaluated every time the gate that holds it is expanded. Values are *affine*
/// in the trainable parameters θ and input features x: `c + Σ a_i·θ_i + Σ b_j·x_j`. Anything the
/// maths allows on constants (sin, ^, division, ...) is allowed; on θ/x only what keeps the
/// value affine (adding, subtracting, scaling by a constant, dividing by a constant).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The C maths functions under names that cannot clash with `QASMExpression.Function`'s cases.
private enum CMath {
    static func apply(_ f: QASMExpression.Function, _ v: Double) -> Double {
        switch f {
        case .sin: return sin(v)
        case .cos: return cos(v)
        case .tan: return tan(v)
        case .exp: return exp(v)
        case .ln: return log(v)
        case .sqrt: return v.squareRoot()
        case .asin: return asin(v)
        case .acos: return acos(v)
        case .atan: return atan(v)
        }
    }

    static func power(_ a: Double, _ b: Double) -> Double { pow(a, b) }
}

/// `constant + Σ scale·θ[index] + Σ scale·x[index]`, the value of a QASM angle expression.
struct AffineValue: Sendable, Equatable {
    struct Term: Sendable, Equatable {
        var index: Int
        var scale: Double
    }

    var constant: Double
    var theta: [Term] = []
    var input: [Term] = []

    init(_ constant: Double) { self.constant = constant }

    static func theta(_ i: Int) -> AffineValue {
        var v = AffineValue(0)
        v.theta = [Term(index: i, scale: 1)]
        return v
    }

    static func input(_ j: Int) -> AffineValue {
        var v = AffineValue(0)
        v.input = [Term(index: j, scale: 1)]
        return v
    }

    var isConstant: Bool { theta.isEmpty && input.isEmpty }

    /// `a + sign·b`, merging terms and dropping those that cancel exactly.
    static func combine(_ a: AffineValue, _ b: AffineValue, sign: Double) -> AffineValue {
        func merge(_ x: [Term], _ y: [Term]) -> [Term] {
            var out = x
            for t in y {
                if let k = out.firstIndex(where: { $0.index == t.index }) {
                    out[k].scale += sign * t.scale
                } else {
                    out.append(Term(index: t.index, scale: sign * t.scale))
                }
            }
            return out.filter { $0.scale != 0 }
        }
        var r = AffineValue(a.constant + sign * b.constant)
        r.theta = merge(a.theta, b.theta)
        r.input = merge(a.input, b.input)
        return r
    }

    func scaled(by s: Double) -> AffineValue {
        var r = AffineValue(constant * s)
        r.theta = theta.map { Term(index: $0.index, scale: $0.scale * s) }.filter { $0.scale != 0 }
        r.input = input.map { Term(index: $0.index, scale: $0.scale * s) }.filter { $0.scale != 0 }
        return r
    }

    /// Every number in the value is finite.
    var isFinite: Bool {
        constant.isFinite && theta.allSatisfy { $0.scale.isFinite } && input.allSatisfy { $0.scale.isFinite }
    }

    /// The `Angle` this value is, or a reason why the circuit model cannot hold it.
    func angle() -> Result<Angle, ExpressionFailure.Reason> {
        guard theta.count <= 1, input.count <= 1 else {
            let names = theta.map { "theta[\($0.index)]" } + input.map { "x[\($0.index)]" }
            return .failure(.init("angle depends on \(names.joined(separator: ", ")); an angle may use "
                + "at most one theta[i] and one x[j]"))
        }
        guard isFinite else { return .failure(.init("angle is not a finite number")) }
        return .success(Angle(constant: constant, thetaIndex: theta.first?.index,
                              thetaScale: theta.first?.scale ?? 1, inputIndex: input.first?.index,
                              inputScale: input.first?.scale ?? 1))
    }
}

/// Why an expression could not be evaluated, and at which operator.
struct ExpressionFailure: Error, Sendable {
    struct Reason: Error, Sendable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    var message: String
    var location: SourceLocation
}

/// A parsed angle expression in postfix order.
struct QASMExpression: Sendable {
    enum Function: String, Sendable, CaseIterable {
        case sin, cos, tan, exp, ln, sqrt, asin, acos, atan

        func callAsFunction(_ v: Double) -> Double { CMath.apply(self, v) }
    }

    enum Operation: Sendable {
        case number(Double)
        /// The enclosing gate definition's parameter at this position.
        case parameter(Int)
        case theta(Int)
        case input(Int)
        case negate, add, subtract, multiply, divide, power
        case call(Function)
    }

    var operations: [(operation: Operation, location: SourceLocation)] = []

    /// Evaluates with `parameters` bound to the enclosing gate's parameters.
    func evaluate(parameters: [AffineValue]) throws(ExpressionFailure) -> AffineValue {
        var stack: [AffineValue] = []
        stack.reserveCapacity(8)
        for (operation, location) in operations {
            func fail(_ message: String) -> ExpressionFailure {
                ExpressionFailure(message: message, location: location)
            }
            switch operation {
            case .number(let v): stack.append(AffineValue(v))
            case .parameter(let k): stack.append(parameters[k])
            case .theta(let i): stack.append(.theta(i))
            case .input(let j): stack.append(.input(j))
            case .negate:
                stack[stack.count - 1] = stack[stack.count - 1].scaled(by: -1)
            case .call(let f):
                let a = stack[stack.count - 1]
                guard a.isConstant else {
                    throw fail("\(f.rawValue)() of a trainable parameter or input is not affine; "
                        + "only a*theta[i] + b*x[j] + c is allowed")
                }
                stack[stack.count - 1] = AffineValue(f(a.constant))
            case .add, .subtract, .multiply, .divide, .power:
                let b = stack.removeLast()
                let a = stack.removeLast()
                let r: AffineValue
                switch operation {
                case .add: r = .combine(a, b, sign: 1)
                case .subtract: r = .combine(a, b, sign: -1)
                case .multiply:
                    if a.isConstant { r = b.scaled(by: a.constant) }
                    else if b.isConstant { r = a.scaled(by: b.constant) }
                    else { throw fail("product of two parameter-dependent values is not affine") }
                case .divide:
                    guard b.isConstant else {
                        throw fail("division by a trainable parameter or input is not affine")
                    }
                    guard b.constant != 0 else { throw fail("division by zero") }
                    r = a.scaled(by: 1 / b.constant)
                default:
                    guard a.isConstant, b.isConstant else {
                        throw fail("'^' with a trainable parameter or input is not affine")
                    }
                    r = AffineValue(CMath.power(a.constant, b.constant))
                }
                stack.append(r)
            }
            guard stack[stack.count - 1].isFinite else { throw fail("value is not a finite number") }
        }
        return stack[stack.count - 1]
    }
}
