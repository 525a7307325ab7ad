/// Loading Tests/Fixtures (computed with Qiskit; schema in Tests/Fixtures/README.md) and turning
/// their entries into our `Circuit`/`Observable` model.
import Foundation
import Circuits
import Simulator

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// `[[qubit, "X"|"Y"|"Z"], ...]` pairs.
    struct PauliPair: Decodable {
        var qubit: Int
        var pauli: Pauli
        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            qubit = try c.decode(Int.self)
            switch try c.decode(String.self) {
            case "X": pauli = .x
            case "Y": pauli = .y
            default: pauli = .z
            }
        }
    }

    struct ObservableEntry: Decodable {
        var label: String
        var paulis: [PauliPair]
        var expval: Double?
        func observable(qubitCount: Int) -> Observable {
            Observable(qubitCount: qubitCount, terms: [PauliString(qubits: paulis.map(\.qubit), paulis: paulis.map(\.pauli))])
        }
    }

    struct QNNFile: Decodable { var circuits: [QNNEntry] }
    struct QNNEntry: Decodable {
        var id: String
        var num_qubits: Int
        var layers: Int
        var seed: Int
        var crossing_layers: Int
        var x: [Double]
        var theta: [[[Double]]]
        var exact_z0: Double
        var exact_zall: Double
        /// θ flattened as `ReferenceQNN.thetaIndex`.
        var flatTheta: [Double] { theta.flatMap { $0.flatMap { $0 } } }
    }

    struct CutConfigFile: Decodable { var configs: [CutConfig] }
    struct CutConfig: Decodable {
        struct Basis: Decodable { var kappa: Double; var coeffs: [Double] }
        struct CutGate: Decodable { var layer: Int; var control: Int; var target: Int }
        struct Subexperiments: Decodable { var per_partition: [String: Int]; var total: Int }
        var id: String
        var num_qubits: Int
        var layers: Int
        var seed: Int
        var crossing_layers: Int
        var num_cuts: Int
        var cut_gates: [CutGate]
        var partition_labels: String
        var observable: ObservableEntry
        var bases: [Basis]
        var num_terms: Int
        var terms: [Term]
        var sum_abs_coefficients: Double
        var num_subexperiments: Subexperiments
        var exact_expval: Double
        struct Term: Decodable { var map_ids: [Int]; var coefficient: Double }
    }

    struct RandomFile: Decodable { var circuits: [RandomEntry] }
    struct RandomEntry: Decodable {
        struct GateEntry: Decodable { var name: String; var qubits: [Int]; var params: [Double] }
        var id: String
        var num_qubits: Int
        var gates: [GateEntry]
        var observables: [ObservableEntry]

        var circuit: Circuit {
            var c = Circuit(qubitCount: num_qubits)
            for g in gates {
                let kind: GateKind = g.name == "u" ? .u3 : GateKind(rawValue: g.name)!
                c.append(Gate(kind, g.qubits, g.params.map { Angle.constant($0) }))
            }
            return c
        }
    }
}
