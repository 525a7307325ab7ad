/// Loads the Qiskit reference vectors in Tests/Fixtures that the Circuits tests check against.
///
/// Decoded with `JSONDecoder` (exact doubles); `JSONSerialization` on Linux goes through
/// Decimal and loses the last digits.

import Foundation
import Testing
@testable import Circuits

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct FixtureGate: Decodable {
        var name: String
        var qubits: [Int]
        var params: [Double]
    }

    /// One `[qubit, "X"|"Y"|"Z"]` pair.
    struct QubitPauli: Decodable {
        var qubit: Int
        var letter: String

        init(from decoder: any Decoder) throws {
            var pair = try decoder.unkeyedContainer()
            qubit = try pair.decode(Int.self)
            letter = try pair.decode(String.self)
        }
    }

    struct FixtureObservable: Decodable {
        var label: String
        var paulis: [QubitPauli]
    }

    struct RandomCircuit: Decodable {
        var id: String
        var num_qubits: Int
        var qasm2: String
        var qasm2_paper_qelib1: String
        var gates: [FixtureGate]
        var observables: [FixtureObservable]
    }

    struct QNNCircuit: Decodable {
        var id: String
        var num_qubits: Int
        var layers: Int
        var crossing_layers: Int
        var x: [Double]
        /// `theta[l][q] = [ry, rz]`.
        var theta: [[[Double]]]
        var qasm2: String
    }

    struct File<Entry: Decodable>: Decodable {
        var circuits: [Entry]
    }

    static func load<Entry: Decodable>(_ name: String, as: Entry.Type) -> [Entry] {
        let url = directory.appendingPathComponent(name)
        do {
            return try JSONDecoder().decode(File<Entry>.self, from: Data(contentsOf: url)).circuits
        } catch {
            fatalError("cannot read fixture \(url.path): \(error)")
        }
    }

    static let random = load("random_circuits.json", as: RandomCircuit.self)
    static let qnn = load("qnn_circuits.json", as: QNNCircuit.self)

    /// Every observable of every random circuit, with its circuit's qubit count.
    static var allObservables: [(qubitCount: Int, observable: FixtureObservable)] {
        random.flatMap { c in c.observables.map { (c.num_qubits, $0) } }
    }
}
