/// The distributed estimator on the Qiskit reference circuits (Tests/Fixtures): a random circuit
/// and a QNN-family circuit, cut automatically, under np = 1, 2, 3 and every scheduling policy.
/// Values must equal Qiskit's exact expectation values (1e-10) and each other (1e-12).
import Foundation
import TestSupport
import Testing

@Suite(.serialized)
struct FixtureEstimateTests {
    struct Case: Sendable, CustomStringConvertible {
        var id: String
        var qasm: String
        var observables: [String]
        var expected: [Double]
        var maxWidth: Int
        var description: String { id }
    }

    struct RandomFile: Decodable {
        struct Circuit: Decodable {
            struct Obs: Decodable { var label: String; var expval: Double }
            var id: String
            var qasm2: String
            var observables: [Obs]
        }
        var circuits: [Circuit]
    }

    struct QNNFile: Decodable {
        struct Circuit: Decodable {
            var id: String
            var num_qubits: Int
            var qasm2: String
            var exact_zall: Double
        }
        var circuits: [Circuit]
    }

    static func cases() throws -> [Case] {
        let folder = TestEnvironment.fixturesFolder
        let random = try JSONDecoder().decode(RandomFile.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/random_circuits.json")))
        let qnn = try JSONDecoder().decode(QNNFile.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/qnn_circuits.json")))
        let rc = try #require(random.circuits.first { $0.id == "rc05" })
        let q = try #require(qnn.circuits.first { $0.id == "qnn19" })
        return [
            Case(id: rc.id, qasm: rc.qasm2, observables: rc.observables.prefix(2).map(\.label),
                 expected: rc.observables.prefix(2).map(\.expval), maxWidth: 6),
            Case(id: q.id, qasm: q.qasm2, observables: [String(repeating: "Z", count: q.num_qubits)],
                 expected: [q.exact_zall], maxWidth: q.num_qubits / 2),
        ]
    }

    struct Output: Decodable {
        var values: [Double]
        var fragment_qubits: [Int]
        var ranks: Int
    }

    @Test("reference circuits: Qiskit's values at every rank count and policy")
    func referenceCircuitsAcrossRanksAndPolicies() throws {
        for c in try Self.cases() {
            let path = NSTemporaryDirectory() + "fixture-\(c.id)-\(UUID().uuidString.prefix(6)).qasm"
            try c.qasm.write(toFile: path, atomically: true, encoding: .utf8)
            let observables = c.observables.flatMap { ["--observable", $0] }
            var reference: [Double]?
            for (ranks, policies) in [(1, ["static"]), (2, ["static", "cyclic", "dynamic", "speculative", "adaptive"]),
                                      (3, ["static", "cyclic", "dynamic", "speculative", "adaptive"])] {
                for policy in policies {
                    let result = try ProcessRunner.mpirun(ranks: ranks, ["estimate", path] + observables + [
                        "--max-fragment-qubits", "\(c.maxWidth)", "--schedule", policy, "--chunk-size", "3", "--json"])
                    try #require(result.exitCode == 0, "\(c.id) np=\(ranks) \(policy): \(result.stderr)")
                    let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
                    let out = try JSONDecoder().decode(Output.self, from: Data(line.utf8))
                    #expect(out.ranks == ranks)
                    #expect(out.fragment_qubits.count >= 2, "\(c.id) must be cut: \(out.fragment_qubits)")
                    #expect(out.fragment_qubits.allSatisfy { $0 <= c.maxWidth })
                    for (value, expected) in zip(out.values, c.expected) {
                        #expect(abs(value - expected) <= 1e-10, "\(c.id) np=\(ranks) \(policy): \(value) vs Qiskit \(expected)")
                    }
                    if let reference {
                        #expect(zip(out.values, reference).allSatisfy { abs($0 - $1) <= 1e-12 }, "\(c.id) np=\(ranks) \(policy)")
                    } else {
                        reference = out.values
                    }
                }
            }
        }
    }
}
