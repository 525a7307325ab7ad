/// `model.parameters` of a config: which OpenQASM 3 `input` parameters of `model.circuit` are
/// trainable (θ) and which are the data's features (x), e.g. for a circuit Qiskit wrote:
///
///     model:
///       circuit: qnn.qasm3
///       parameters: {theta: [theta, phi], inputs: [x]}
///
/// Names are ParameterVector or Parameter names (see `QASMParameterNames`).
import Circuits

extension TrainingConfig {
    static func readParameterNames(_ r: ConfigReader, source: String, hasCircuit: Bool) throws -> QASMParameterNames? {
        let theta = try r.names("model.parameters.theta")
        let inputs = try r.names("model.parameters.inputs")
        guard theta != nil || inputs != nil else {
            _ = try r.node("model.parameters")
            return nil
        }
        guard hasCircuit else {
            throw ConfigError("\(source): model.parameters names the input parameters of an OpenQASM 3 model.circuit; this config has none")
        }
        return QASMParameterNames(theta: theta, inputs: inputs)
    }
}

extension ConfigReader {
    /// A list of names (`[theta, phi]`, or one name), each a printable word of at most 200 bytes.
    func names(_ key: String) throws -> [String]? {
        guard let n = try node(key) else { return nil }
        let items: [ConfigNode]
        switch n {
        case .sequence(let s, _): items = s
        case .scalar: items = [n]
        case .mapping: throw ConfigError("\(n.origin): \(key): expected a list of parameter names, found a mapping")
        }
        return try items.map { item in
            guard case .scalar(let s, _) = item, !s.isEmpty, s.utf8.count <= 200,
                  !s.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value > 0x7E }) else {
                throw ConfigError("\(item.origin): \(key): expected parameter names such as theta or x, got \(clip(item.canonicalText))")
            }
            return s
        }
    }
}
