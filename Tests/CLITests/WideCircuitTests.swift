/// Circuits no state vector can hold (24–128 qubits, Tests/Fixtures/wide_circuits.json): `qnncut
/// estimate` must reproduce the matrix-product-state values of every observable to 1e-9, cut by
/// the fixture's `partition` and by automatic cut finding with `--max-fragment-qubits` = the
/// block width (which must find blocks no wider than that), with default limits.
///
/// Debug builds run a subset, because the debug `qnncut` is ~20× slower than release (measured
/// on 2 cores: by partition wide03 19 s and wide05 148 s, the others 1–4 s; automatic cut finding
/// wide06 39 s, wide07 50 s, the others 1–9 s). In debug: every circuit but wide03 and wide05 by
/// partition, and wide00, 01, 02, 04 by automatic cuts (about 30 s together). Release builds
/// (`swift test -c release`) check all eight both ways.
import Foundation
import TestSupport
import Testing

@Suite(.serialized)
struct WideCircuitTests {
    struct WideFile: Decodable {
        struct Entry: Decodable {
            struct Obs: Decodable {
                var paulis: [[Pauli]]?
                var sum: [[Term]]?
                var expval: Double
            }
            var id: String
            var block_width: Int
            var partition: String
            var qasm2: String
            var observables: [Obs]
        }
        var circuits: [Entry]
    }

    /// `[qubit, "Z"]` pairs: a JSON array mixing an integer and a string.
    enum Pauli: Decodable {
        case qubit(Int), letter(String)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let q = try? c.decode(Int.self) { self = .qubit(q) } else { self = .letter(try c.decode(String.self)) }
        }
    }

    /// `[weight, [[qubit, "Z"], …]]`.
    enum Term: Decodable {
        case weight(Double), paulis([[Pauli]])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let w = try? c.decode(Double.self) { self = .weight(w) } else { self = .paulis(try c.decode([[Pauli]].self)) }
        }
    }

    /// Our observable text for the fixture's Pauli pairs: `[[7, "Z"], [8, "Z"]]` → `Z7 Z8`.
    static func text(_ pairs: [[Pauli]]) throws -> String {
        try pairs.map { pair in
            guard pair.count == 2, case .qubit(let q) = pair[0], case .letter(let p) = pair[1] else {
                throw CocoaError(.coderReadCorrupt)
            }
            return "\(p)\(q)"
        }.joined(separator: " ")
    }

    static func text(_ o: WideFile.Entry.Obs) throws -> String {
        if let paulis = o.paulis { return try text(paulis) }
        let terms = try #require(o.sum)
        return try terms.map { term in
            guard term.count == 2, case .weight(let w) = term[0], case .paulis(let p) = term[1] else { throw CocoaError(.coderReadCorrupt) }
            return "\(w)*" + (try text(p))
        }.joined(separator: " + ")
    }

    struct Output: Decodable {
        var values: [Double]
        var fragment_qubits: [Int]
    }

    #if DEBUG
    static let byPartition: Set<String> = ["wide00", "wide01", "wide02", "wide04", "wide06", "wide07"]
    static let byAutomaticCuts: Set<String> = ["wide00", "wide01", "wide02", "wide04"]
    #else
    static let byPartition: Set<String> = ["wide00", "wide01", "wide02", "wide03", "wide04", "wide05", "wide06", "wide07"]
    static let byAutomaticCuts = byPartition
    #endif

    @Test("wide circuits: matrix-product-state values to 1e-9, by partition and by automatic cuts")
    func wideCircuits() throws {
        try ProcessRunner.requireBuilt()
        let url = URL(fileURLWithPath: TestEnvironment.fixturesFolder + "/wide_circuits.json")
        let file = try JSONDecoder().decode(WideFile.self, from: Data(contentsOf: url))
        #expect(file.circuits.count == 8)
        var checked = 0
        for c in file.circuits {
            let path = NSTemporaryDirectory() + "wide-\(c.id)-\(UUID().uuidString.prefix(6)).qasm"
            try c.qasm2.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let observables = try c.observables.flatMap { ["--observable", try Self.text($0)] }
            var ways: [(String, [String])] = []
            if Self.byPartition.contains(c.id) { ways.append(("partition", ["--partition", c.partition])) }
            if Self.byAutomaticCuts.contains(c.id) { ways.append(("automatic", ["--max-fragment-qubits", "\(c.block_width)"])) }
            for (way, flags) in ways {
                let result = try ProcessRunner.qnncut(["estimate", path] + observables + flags + ["--json"], timeout: 600)
                try #require(result.exitCode == 0, "\(c.id) \(way): \(result.stderr)")
                let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
                let out = try JSONDecoder().decode(Output.self, from: Data(line.utf8))
                #expect(out.fragment_qubits.count == c.partition.count / c.block_width, "\(c.id) \(way): \(out.fragment_qubits)")
                #expect(out.fragment_qubits.allSatisfy { $0 <= c.block_width }, "\(c.id) \(way): \(out.fragment_qubits)")
                try #require(out.values.count == c.observables.count)
                for (i, (value, o)) in zip(out.values, c.observables).enumerated() {
                    #expect(abs(value - o.expval) <= 1e-9, "\(c.id) \(way) observable \(i): \(value) vs \(o.expval)")
                }
                checked += 1
            }
        }
        #expect(checked == Self.byPartition.count + Self.byAutomaticCuts.count)
    }
}
