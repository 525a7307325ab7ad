/// The wide family (`model.fragments`): it builds the oracle circuits' gate sequence, leaves the
/// two-half family untouched, refuses bad keys in one line, and the light-cone check counts the
/// parameters a readout cannot see.
import Circuits
import Foundation
import Simulator
import TestSupport
import Testing
@testable import QNN

struct WideModelTests {
    static func yaml(_ model: String) -> String {
        TestConfigs.irisYAML().replacingOccurrences(of: "  qubits: 4\n  layers: 2\n  cuts: 2", with: model)
    }

    static func model(_ model: String) throws -> QNNModel {
        try QNNModel(config: try TestConfigs.config(yaml(model)))
    }

    struct WideFile: Decodable {
        struct Entry: Decodable {
            var id: String
            var blocks: Int
            var block_width: Int
            var layers: Int
            var crossing_layers: Int
            var topology: String
            var boundary_gate: String
            var partition: String
            var qasm2: String
        }
        var circuits: [Entry]
    }

    @Test("every wide_circuits.json circuit is the BlockQNN of its shape: same gates, qubits and partition")
    func matchesOracleCircuits() throws {
        let url = URL(fileURLWithPath: TestEnvironment.fixturesFolder + "/wide_circuits.json")
        let file = try JSONDecoder().decode(WideFile.self, from: Data(contentsOf: url))
        #expect(file.circuits.count == 8)
        for e in file.circuits {
            let family = BlockQNN(qubits: e.blocks * e.block_width, layers: e.layers, fragments: e.blocks,
                                  topology: try #require(BlockQNN.Topology(rawValue: e.topology)),
                                  crossingLayers: e.crossing_layers,
                                  boundaryGate: try #require(BlockQNN.BoundaryGate(rawValue: e.boundary_gate)))
            let oracle = try QASM.parse(e.qasm2)
            let built = family.circuit
            #expect(built.gates.map(\.kind) == oracle.gates.map(\.kind), "\(e.id)")
            #expect(built.gates.map(\.qubits) == oracle.gates.map(\.qubits), "\(e.id)")
            // The fixture labels blocks A…Z then a…z; ours A…Z then 0…9: compare the grouping.
            if e.blocks <= 26 { #expect(family.partitionLabels == e.partition, "\(e.id)") }
        }
    }

    @Test("no fragments, or fragments: 2 with only the existing keys, is today's two-half family (same circuit, same hash)")
    func twoHalfFamilyUnchanged() throws {
        let plain = try TestConfigs.config(Self.yaml("  qubits: 4\n  layers: 2\n  cuts: 1"))
        let two = try TestConfigs.config(Self.yaml("  qubits: 4\n  layers: 2\n  cuts: 1\n  fragments: 2"))
        #expect(plain.model.blockFamily == nil && two.model.blockFamily == nil)
        #expect(plain.hash == two.hash)
        let reference = ReferenceQNN.circuit(qubits: 4, layers: 2, crossingLayers: 1)
        for config in [plain, two] {
            let m = try QNNModel(config: config)
            #expect(m.circuit.gates == reference.gates)
            #expect(m.cutSpecification == .partition(labels: "AABB"))
        }
    }

    @Test("m blocks of n/m qubits: n = 12 in 3 blocks, ring, rzz boundary angles trainable")
    func ringWithRZZ() throws {
        let m = try Self.model("  qubits: 12\n  layers: 3\n  fragments: 3\n  topology: ring\n  crossing_layers: 2\n  boundary_gate: rzz")
        #expect(m.cutSpecification == .partition(labels: "AAAABBBBCCCC"))
        let boundary = m.circuit.gates.filter { $0.kind == .rzz }
        #expect(boundary.map(\.qubits) == [[3, 4], [7, 8], [11, 0], [3, 4], [7, 8], [11, 0]])
        #expect(boundary.map { $0.angles[0].thetaIndex } == (72..<78).map { Optional($0) })
        #expect(m.parameterCount == 2 * 12 * 3 + 6)
    }

    @Test("labels run A…Z, then 0…9, then a…z")
    func manyBlocks() {
        let family = BlockQNN(qubits: 40, layers: 1, fragments: 40)
        #expect(family.partitionLabels == "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd")
    }

    @Test("bad wide-family keys are one line naming the file and the key")
    func badKeys() throws {
        let cases: [(String, String)] = [
            ("  qubits: 10\n  layers: 2\n  fragments: 4", "model.fragments"),
            ("  qubits: 8\n  layers: 2\n  fragments: 4\n  topology: star", "model.topology"),
            ("  qubits: 8\n  layers: 2\n  fragments: 4\n  boundary_gate: swap", "model.boundary_gate"),
            ("  qubits: 8\n  layers: 2\n  fragments: 4\n  crossing_layers: 3", "model.crossing_layers"),
            ("  qubits: 8\n  layers: 2\n  topology: ring", "model.topology"),
            ("  qubits: 8\n  layers: 2\n  fragments: 4\n  cuts: 1", "model.cuts"),
            ("  qubits: 200\n  layers: 2\n  fragments: 4", "model.fragments"),
            ("  qubits: 30\n  layers: 2", "model.qubits"),
            ("  qubits: 4\n  layers: 2\n  fragments: 2\n  circuit: chain.qasm", "model.circuit"),
        ]
        for (model, key) in cases {
            let path = try TestConfigs.write(Self.yaml(model))
            let error = #expect(throws: ConfigError.self) { try QNNModel(config: try TrainingConfig.load(path: path)) }
            let text = error?.description ?? ""
            #expect(text.contains(key) && text.contains(path) && !text.contains("\n"), "\(model): \(text)")
        }
    }

    /// What a user sees: `qnncut train` prints the warning once, naming the config, before training.
    @Test("qnncut train warns once about dead parameters for `last` on a 4-block chain, not for mean_z")
    func trainWarnsOnce() throws {
        let path = TestEnvironment.qnncutPath
        try #require(FileManager.default.isExecutableFile(atPath: path), "build qnncut first (swift build), or set QNNCUT_BIN")
        let digits = TestConfigs.repository.appendingPathComponent("data/digits8x8.csv").path
        for (readout, warns) in [("last", true), ("mean_z", false)] {
            let yaml = Self.yaml("  qubits: 16\n  layers: 2\n  fragments: 4\n  readout: \(readout)")
                .replacingOccurrences(of: TestConfigs.irisPath, with: digits)
                .replacingOccurrences(of: "classes: [1, 2]", with: "classes: [0, 1]")
                .replacingOccurrences(of: "epochs: 2", with: "epochs: 1")
            let config = try TestConfigs.write(yaml)
            let output = try TestConfigs.temporaryFolder() + "/run"
            let result = try ChildProcess.run(path, ["train", config, "--output", output],
                                              environment: TestEnvironment.childEnvironment(), timeout: 120)
            try #require(result.exitCode == 0, "\(readout): \(result.stderr)")
            let warnings = result.stderr.split(separator: "\n").filter { $0.hasPrefix("qnncut: warning:") }
            if warns {
                #expect(warnings.count == 1 && warnings[0].contains(config) && warnings[0].contains("40 of 64 trainable parameters are dead"),
                        "\(result.stderr)")
            } else {
                #expect(warnings.isEmpty, "\(result.stderr)")
            }
        }
    }

    @Test("readouts over blocks: mean_z weighs each block's last qubit 1/m, parity_blocks multiplies them")
    func blockReadouts() throws {
        let mean = try Self.model("  qubits: 12\n  layers: 2\n  fragments: 3\n  readout: mean_z")
        #expect(mean.observable.terms.map(\.qubits) == [[3], [7], [11]])
        #expect(mean.observable.terms.allSatisfy { abs($0.coefficient - 1.0 / 3) < 1e-15 })
        let parity = try Self.model("  qubits: 12\n  layers: 2\n  fragments: 3\n  readout: parity_blocks")
        #expect(parity.observable.terms.count == 1 && parity.observable.terms[0].qubits == [3, 7, 11])
        // The two-half family has two blocks: its halves.
        let halves = try Self.model("  qubits: 4\n  layers: 2\n  cuts: 1\n  readout: mean_z")
        #expect(halves.observable.terms.map(\.qubits) == [[1], [3]])
    }

    @Test("light cone: `last` on a 4-block chain cannot see the first two blocks; mean_z sees everything")
    func deadParameters() throws {
        let last = try Self.model("  qubits: 16\n  layers: 2\n  fragments: 4\n  readout: last")
        // Blocks A and B never reach qubit 15 (layer 0's only boundary into D starts at C's last
        // qubit); in layer 1, past the crossing layer, block C is cut off too: 16 + 24 angles.
        let expected = (0..<64).filter { i in let l = i / 2 / 16, q = i / 2 % 16; return q < 8 || (l == 1 && q < 12) }
        #expect(last.deadParameters == expected)
        let warning = try #require(last.lightConeWarning)
        #expect(warning.contains("40 of 64 trainable parameters are dead") && !warning.contains("\n"), "\(warning)")
        let mean = try Self.model("  qubits: 16\n  layers: 2\n  fragments: 4\n  readout: mean_z")
        #expect(mean.deadParameters.isEmpty && mean.lightConeWarning == nil)
        // rzz angles are parameters too: a ring read out everywhere leaves none dead.
        let ring = try Self.model("  qubits: 16\n  layers: 2\n  fragments: 4\n  topology: ring\n  boundary_gate: rzz\n  readout: parity_blocks")
        #expect(ring.parameterCount == 68 && ring.deadParameters.isEmpty)
    }
}
