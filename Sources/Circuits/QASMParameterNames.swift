/// Which OpenQASM 3 `input` parameters are trainable (θ) and which are input features (x), and
/// in what order — the bridge between Qiskit's named `Parameter`s / `ParameterVector`s and the
/// index vectors θ and x the simulator binds.
///
/// `qiskit.qasm3.dumps` writes an unbound `Parameter("alpha")` as `input float[64] alpha;` and a
/// `ParameterVector("theta", n)` element `theta[3]` as `input float[64] _theta_3_;` (brackets are
/// not allowed in OpenQASM identifiers). A *base name* is the vector's name (`theta`) or the
/// parameter's name (`alpha`); lists below name bases, so `theta` covers every `theta[i]`.
///
/// Order: listed bases in list order; unlisted (θ by default) in Qiskit's `circuit.parameters`
/// order — sorted by base name, vector elements by index — so `--theta` values are given in the
/// order `qc.parameters` lists them (inputs left out).
public struct QASMParameterNames: Sendable, Codable, Equatable {
    /// Bases that are trainable parameters θ, in θ order; nil: every parameter that is not an
    /// input, in Qiskit's order.
    public var theta: [String]?
    /// Bases that are input features x, in x order; nil: `["x"]`.
    public var inputs: [String]?

    public init(theta: [String]? = nil, inputs: [String]? = nil) {
        self.theta = theta
        self.inputs = inputs
    }

    /// The default: a vector (or parameter) named `x` holds the inputs, everything else is θ.
    public static let defaultInputs = ["x"]

    /// `_theta_3_` → (`theta`, 3); any other name → (name, nil).
    public static func split(_ declared: String) -> (base: String, index: Int?) {
        let u = Array(declared.utf8)
        guard u.count >= 4, u.first == UInt8(ascii: "_"), u.last == UInt8(ascii: "_") else { return (declared, nil) }
        let inner = u[1 ..< u.count - 1]
        guard let cut = inner.lastIndex(of: UInt8(ascii: "_")), cut > inner.startIndex, cut < inner.endIndex - 1 else {
            return (declared, nil)
        }
        let digits = inner[(cut + 1)...]
        guard digits.count <= 9, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let index = Int(String(decoding: digits, as: UTF8.self)) else { return (declared, nil) }
        return (String(decoding: inner[..<cut], as: UTF8.self), index)
    }

    /// How Qiskit prints the parameter: `theta[3]` or `alpha`.
    public static func qiskitName(_ declared: String) -> String {
        let (base, index) = split(declared)
        return index.map { "\(base)[\($0)]" } ?? base
    }

    /// What one declared parameter becomes.
    public enum Role: Sendable, Equatable {
        case theta(Int)
        case input(Int)
    }

    /// The assignment of every declared name (declaration order) to θ or x, with the Qiskit
    /// names in θ and x order. Fails with the offending name's position in `declared` and why.
    public func assign(_ declared: [String]) -> Result<Assignment, Failure> {
        let inputBases = inputs ?? Self.defaultInputs
        func position(_ list: [String], _ name: String) -> Int? {
            let (base, _) = Self.split(name)
            return list.firstIndex(of: base) ?? list.firstIndex(of: name) ?? list.firstIndex(of: Self.qiskitName(name))
        }
        var thetaMembers: [(key: (Int, String, Int), at: Int)] = []
        var inputMembers: [(key: (Int, String, Int), at: Int)] = []
        for (k, name) in declared.enumerated() {
            let (base, index) = Self.split(name)
            let inInputs = position(inputBases, name)
            let inTheta = theta.flatMap { position($0, name) }
            if inInputs != nil && inTheta != nil {
                return .failure(Failure(declaration: k, message: "parameter '\(Self.qiskitName(name))' is named both as a trainable parameter and as an input"))
            }
            if let p = inInputs {
                inputMembers.append(((p, base, index ?? -1), k))
            } else if theta == nil || inTheta != nil {
                thetaMembers.append(((inTheta ?? 0, base, index ?? -1), k))
            } else {
                return .failure(Failure(declaration: k, message: "parameter '\(Self.qiskitName(name))' is neither a listed trainable parameter (\(theta!.joined(separator: ","))) nor an input (\(inputBases.joined(separator: ",")))"))
            }
        }
        func order(_ a: (key: (Int, String, Int), at: Int), _ b: (key: (Int, String, Int), at: Int)) -> Bool {
            if a.key.0 != b.key.0 { return a.key.0 < b.key.0 }
            // Python compares str by code point, as Swift's unicodeScalars do.
            if a.key.1 != b.key.1 { return a.key.1.unicodeScalars.lexicographicallyPrecedes(b.key.1.unicodeScalars) }
            return a.key.2 < b.key.2
        }
        thetaMembers.sort(by: order)
        inputMembers.sort(by: order)
        var roles = Array(repeating: Role.theta(0), count: declared.count)
        for (i, m) in thetaMembers.enumerated() { roles[m.at] = .theta(i) }
        for (j, m) in inputMembers.enumerated() { roles[m.at] = .input(j) }
        return .success(Assignment(roles: roles,
                                   thetaNames: thetaMembers.map { Self.qiskitName(declared[$0.at]) },
                                   inputNames: inputMembers.map { Self.qiskitName(declared[$0.at]) }))
    }

    public struct Assignment: Sendable, Equatable {
        /// Per declared name, in declaration order.
        public var roles: [Role]
        /// Qiskit names in θ order (`theta[0]`, `alpha`, ...).
        public var thetaNames: [String]
        /// Qiskit names in x order.
        public var inputNames: [String]
    }

    public struct Failure: Error, Sendable {
        /// Index into the declared names.
        public var declaration: Int
        public var message: String
    }
}
