/// Shared test helpers: fixture loading, circuits built from the fixtures' gate lists, a seeded
/// RNG and random parameterised circuits.

import Foundation
import Circuits
import TestSupport
@testable import Simulator

/// The directory Tests/Fixtures, found from this file's path.
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures")

enum FixtureError: Error, CustomStringConvertible {
    case malformed(file: String, key: String)
    var description: String {
        switch self {
        case .malformed(let file, let key): return "Fixtures/\(file): missing or malformed key '\(key)'"
        }
    }
}

/// The `circuits` array of a fixture file as JSON objects.
func loadFixtureCircuits(_ file: String) throws -> [[String: Any]] {
    let data = try Data(contentsOf: fixturesDirectory.appendingPathComponent(file))
    guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
          let circuits = root["circuits"] as? [[String: Any]] else {
        throw FixtureError.malformed(file: file, key: "circuits")
    }
    return circuits
}

/// Qiskit gate names in random_circuits.json → GateKind.
func gateKind(qiskitName name: String) -> GateKind? {
    name == "u" ? .u3 : GateKind(rawValue: name)
}

/// A circuit from a fixture's `gates` list (constant angles).
func circuit(fromGates gates: [[String: Any]], qubits: Int, file: String) throws -> Circuit {
    var c = Circuit(qubitCount: qubits)
    for g in gates {
        guard let name = g["name"] as? String, let kind = gateKind(qiskitName: name) else {
            throw FixtureError.malformed(file: file, key: "gates.name")
        }
        guard let q = g["qubits"] as? [Int], let params = g["params"] as? [Double] else {
            throw FixtureError.malformed(file: file, key: "gates.qubits/params")
        }
        c.append(Gate(kind, q, params.map { .constant($0) }))
    }
    return c
}

/// An Observable from a fixture's `paulis` list `[[q, "X"], ...]`.
func observable(fromPaulis paulis: [[Any]], qubits: Int) -> Observable {
    let qs = paulis.map { $0[0] as! Int }
    let ps = paulis.map { entry -> Pauli in
        switch entry[1] as! String {
        case "X": return .x
        case "Y": return .y
        default: return .z
        }
    }
    return Observable(qubitCount: qubits, terms: [PauliString(qubits: qs, paulis: ps)])
}

/// The shared seeded generator (Tests/TestSupport), so random tests are reproducible.
typealias SeededRNG = SplitMix64

/// A random angle: constant, θ-only, x-only or both, with non-trivial scales.
func randomAngle(_ rng: inout SeededRNG, parameters: Int, inputs: Int) -> Angle {
    let c = Double.random(in: -3...3, using: &rng)
    let ti = Int.random(in: 0..<parameters, using: &rng), xi = Int.random(in: 0..<inputs, using: &rng)
    let ts = Double.random(in: -1.5...1.5, using: &rng), xs = Double.random(in: -1.5...1.5, using: &rng)
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: return .constant(c)
    case 1: return Angle(constant: c, thetaIndex: ti, thetaScale: ts)
    case 2: return Angle(constant: c, inputIndex: xi, inputScale: xs)
    default: return Angle(constant: c, thetaIndex: ti, thetaScale: ts, inputIndex: xi, inputScale: xs)
    }
}

/// Every unitary kind, for random circuits.
let unitaryKinds: [GateKind] = GateKind.allCases.filter { $0.measuredPauli == nil && !"\($0)".hasPrefix("prepare") }

/// A random circuit over every unitary gate kind with affine angles; `measurements` signed
/// measurements are inserted at random positions.
func randomCircuit(qubits n: Int, gates: Int, parameters: Int, inputs: Int, measurements: Int = 0,
                   rng: inout SeededRNG) -> Circuit {
    var c = Circuit(qubitCount: n)
    c.parameterCount = parameters
    c.inputCount = inputs
    // Start from a generic state so no gradient vanishes by symmetry.
    for q in 0..<n { c.append(Gate(.u3, [q], (0..<3).map { _ in .constant(Double.random(in: -3...3, using: &rng)) })) }
    let kinds = unitaryKinds.filter { $0.arity <= n }
    var measureAt = Set((0..<measurements).map { _ in Int.random(in: 1..<gates, using: &rng) })
    for k in 0..<gates {
        if measureAt.contains(k) {
            measureAt.remove(k)
            let kind = [GateKind.measureX, .measureY, .measureZ].randomElement(using: &rng)!
            c.append(Gate(kind, [Int.random(in: 0..<n, using: &rng)]))
        }
        let kind = kinds.randomElement(using: &rng)!
        let qubits = Array((0..<n).shuffled(using: &rng).prefix(kind.arity))
        let angles = (0..<kind.angleCount).map { _ in randomAngle(&rng, parameters: parameters, inputs: inputs) }
        c.append(Gate(kind, qubits, angles))
    }
    return c
}

/// A random observable: a few weighted Pauli strings.
func randomObservable(qubits n: Int, terms: Int, rng: inout SeededRNG) -> Observable {
    Observable(qubitCount: n, terms: (0..<terms).map { _ in
        let qs = (0..<n).filter { _ in Bool.random(using: &rng) }
        let ps = qs.map { _ in [Pauli.x, .y, .z].randomElement(using: &rng)! }
        return PauliString(coefficient: Double.random(in: -1...1, using: &rng), qubits: qs, paulis: ps)
    })
}

/// Random input vectors.
func randomInputs(_ count: Int, features: Int, rng: inout SeededRNG) -> [[Double]] {
    (0..<count).map { _ in (0..<features).map { _ in Double.random(in: -2...2, using: &rng) } }
}

/// The largest |a − b| over two equal-shaped matrices.
func maxDifference(_ a: [[Double]], _ b: [[Double]]) -> Double {
    zip(a, b).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? 0
}
