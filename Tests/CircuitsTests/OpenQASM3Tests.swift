/// The OpenQASM 3 subset qiskit.qasm3.dumps writes, final measurements, the parameter-name
/// mapping, and observable files. Values against Qiskit are in CLITests/QiskitInteropTests.
import Foundation
import TestSupport
import Testing
@testable import Circuits

@Suite struct OpenQASM3Tests {
    static let header = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\n"

    func read(_ body: String, _ names: QASMParameterNames = QASMParameterNames()) throws(QASMError) -> QASMProgram {
        try QASM.read(utf8: Array((Self.header + body).utf8), fileName: "t.qasm", parameters: names)
    }

    @Test func qiskitNamesSplitIntoVectorAndIndex() {
        #expect(QASMParameterNames.split("_theta_12_") == ("theta", 12))
        #expect(QASMParameterNames.split("_my_vec_3_") == ("my_vec", 3))
        #expect(QASMParameterNames.split("alpha") == ("alpha", nil))
        #expect(QASMParameterNames.split("_a_") == ("_a_", nil))
        #expect(QASMParameterNames.split("__3_") == ("__3_", nil))
        #expect(QASMParameterNames.qiskitName("_x_0_") == "x[0]")
    }

    @Test func defaultOrderIsQiskitsWithXAsInputs() throws {
        // Declared out of order: theta[10] after theta[9] (numeric, not textual), phi before theta.
        let p = try read("""
            input float[64] _theta_10_;
            input float[64] _x_1_;
            input float[64] _theta_9_;
            input float[64] phi;
            input float[64] _x_0_;
            qubit[2] q;
            rx(_theta_10_ + 2*_x_1_) q[0];
            ry(_theta_9_) q[1];
            rz(phi/2 - _x_0_) q[0];
            """)
        #expect(p.version == 3)
        #expect(p.thetaNames == ["phi", "theta[9]", "theta[10]"])
        #expect(p.inputNames == ["x[0]", "x[1]"])
        #expect(p.circuit.gates == [
            Gate(.rx, [0], [Angle(thetaIndex: 2, inputIndex: 1, inputScale: 2)]),
            Gate(.ry, [1], [.theta(1)]),
            Gate(.rz, [0], [Angle(thetaIndex: 0, thetaScale: 0.5, inputIndex: 0, inputScale: -1)]),
        ])
        #expect(p.circuit.parameterCount == 3 && p.circuit.inputCount == 2)
    }

    @Test func listedNamesChooseRolesAndOrder() throws {
        let body = "input float[64] a;\ninput float[64] _w_0_;\ninput float[64] _w_1_;\nqubit q;\nrx(a) q;\nry(_w_1_) q;\n"
        let p = try read(body, QASMParameterNames(theta: ["w", "a"], inputs: []))
        #expect(p.thetaNames == ["w[0]", "w[1]", "a"])
        #expect(p.circuit.gates == [Gate(.rx, [0], [.theta(2)]), Gate(.ry, [0], [.theta(1)])])
        let q = try read(body, QASMParameterNames(inputs: ["a"]))
        #expect(q.inputNames == ["a"] && q.thetaNames == ["w[0]", "w[1]"])
        #expect(throws: QASMError.self) { try read(body, QASMParameterNames(theta: ["w"], inputs: [])) }
        do throws(QASMError) {
            _ = try read(body, QASMParameterNames(theta: ["w"], inputs: []))
        } catch {
            #expect(error.location == SourceLocation(line: 3, column: 17))
            #expect(error.message.contains("parameter 'a' is neither a listed trainable parameter (w) nor an input"))
        }
    }

    @Test func measurementsAndBarriersAreDroppedWithANote() throws {
        let p = try read("bit[2] c;\nqubit[2] q;\nh q[0];\nbarrier q;\nc = measure q;\nmeasure q[0];\n")
        #expect(p.circuit.gates == [Gate(.h, [0])])
        #expect(p.notes == ["t.qasm: ignored 3 final measurement(s) and 1 barrier(s): ⟨O⟩ is estimated on the state before the measurements"])
        let v2 = try QASM.read(utf8: Array("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg m[2];\nx q[1];\nmeasure q -> m;\n".utf8), fileName: "b.qasm")
        #expect(v2.circuit.gates == [Gate(.x, [1])] && v2.notes.count == 1)
    }

    @Test func stdgatesSpellingsAndQiskitDefinitions() throws {
        let p = try read("""
            /* a block
               comment */
            gate rzz(p0) _gate_q_0, _gate_q_1 {
              cx _gate_q_0, _gate_q_1;
              rz(p0) _gate_q_1;
              cx _gate_q_0, _gate_q_1;
            }
            gate mine(p0) a { gphase(p0/2); rx(p0) a; }
            qubit[2] q;
            phase(0.5) q[0]; cphase(0.25) q[0], q[1]; rzz(0.1) q[0], q[1]; U(1, 2, 3) q[1]; mine(0.3) q[0];
            gphase(1.5);
            """)
        #expect(p.circuit.gates == [Gate(.p, [0], [.constant(0.5)]), Gate(.cp, [0, 1], [.constant(0.25)]),
                                    Gate(.rzz, [0, 1], [.constant(0.1)]),
                                    Gate(.u3, [1], [.constant(1), .constant(2), .constant(3)]),
                                    Gate(.rx, [0], [.constant(0.3)])])
        #expect(p.warnings.isEmpty)
        #expect(p.notes.contains { $0.contains("gate 'rzz' is built in") })
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var body: String
        var line: Int
        var column: Int
        var says: String
        var testDescription: String { says }
    }

    static let refusals: [Refusal] = [
        Refusal(body: "qubit q;\nh q;\ninput float[64] late;", line: 5, column: 1, says: "declared after the first gate call"),
        Refusal(body: "qubit q;\nrx(theta) q;", line: 4, column: 4, says: "declare parameters as 'input float[64] theta;'"),
        Refusal(body: "bit c;\nqubit q;\nc = measure q;\nx q;", line: 6, column: 3, says: "after its measurement at 5:5"),
        Refusal(body: "qubit q;\nreset q;", line: 4, column: 1, says: "'reset' is not supported"),
        Refusal(body: "qubit q;\nctrl @ x q;", line: 4, column: 1, says: "'ctrl' is not supported"),
        Refusal(body: "float[64] f = 1;", line: 3, column: 1, says: "classical variable declarations are not supported"),
        Refusal(body: "input float[64] a;\ninput float[64] a;", line: 4, column: 17, says: "input 'a' is already declared at 3:17"),
        Refusal(body: "gate h a { x a; }", line: 3, column: 6, says: "gate 'h' is already defined by qelib1.inc"),
        Refusal(body: "qubit[2] q;\nbit c;\nc = measure q;", line: 5, column: 5, says: "measurement of 2 qubit(s) into 1 bit(s)"),
        Refusal(body: "/* open", line: 3, column: 1, says: "unterminated comment"),
    ]

    @Test(arguments: refusals) func refusalsAreLocated(_ r: Refusal) {
        do throws(QASMError) {
            _ = try read(r.body)
            Issue.record("accepted: \(r.body)")
        } catch {
            #expect(error.location == SourceLocation(line: r.line, column: r.column), "\(error)")
            #expect(error.message.contains(r.says), "\(error)")
        }
    }

    @Test func observableFilesReadQiskitLabels() throws {
        let text = "# comment\nIIZZ 0.5\n(-0.25+0j) XIII\nIYIY,1e-1\n\nZ1 Z2\n0.5*IIIX\n"
        let o = try ObservableFile.parse(Array(text.utf8), fileName: "h.txt", qubitCount: 4)
        #expect(o.terms == [
            PauliString(coefficient: 0.5, qubits: [0, 1], paulis: [.z, .z]),
            PauliString(coefficient: -0.25, qubits: [3], paulis: [.x]),
            PauliString(coefficient: 0.1, qubits: [0, 2], paulis: [.y, .y]),
            PauliString(coefficient: 1, qubits: [1, 2], paulis: [.z, .z]),
            PauliString(coefficient: 0.5, qubits: [0], paulis: [.x]),
        ])
        for (bad, says) in [("IIZZ 0.5+0.1j\n", "h.txt:1:6: coefficient 0.5+0.1j has an imaginary part"),
                            ("IZZ 0.5\n", "h.txt:1:1: label 'IZZ' has 3 letter(s); the circuit has 4 qubit(s)"),
                            ("ZZZZ 1\nIIZZ abc\n", "h.txt:2:6: expected a real coefficient"),
                            ("# nothing\n", "h.txt: no observable terms")] {
            do throws(InputFileError) {
                _ = try ObservableFile.parse(Array(bad.utf8), fileName: "h.txt", qubitCount: 4)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.description.hasPrefix(says), "\(error.description)")
            }
        }
    }
}

/// The OpenQASM 3 reader and observable files fed mutated Qiskit output: an error with a
/// location or a circuit that keeps the model's invariants, never a trap.
@Suite struct OpenQASM3FuzzTests {
    static let tokens: [[UInt8]] = [
        "input float[64] ", "input angle ", "qubit[", "qubit ", "bit[", "bit ", " = measure ", "measure ", "barrier ",
        "/*", "*/", "//", "gphase(", "_theta_0_", "_x_3_", "phi", "_gate_q_0", "p0", "U(", "rzz(", "cphase(",
        "stdgates.inc", "OPENQASM 3.0;", "ctrl @ ", "reset ", "(", ")", ";", "[", "]", "{", "}", ",", "=", "-", "+",
        "*", "/", "1e308", "0", "99999999999999999999", "\n", " ", "\u{0}", "é",
    ].map { Array($0.utf8) }

    @Test(.timeLimit(.minutes(1)))
    func mutatedQiskitOutputNeverCrashes() throws {
        let folder = TestEnvironment.fixturesFolder + "/qiskit-interop/"
        let seeds = try ["qnn.qasm3", "qnn_bound.qasm2"].map { try String(contentsOfFile: folder + $0, encoding: .utf8) }
        let namings = [QASMParameterNames(), QASMParameterNames(theta: ["theta", "phi"], inputs: ["x"]),
                       QASMParameterNames(theta: ["theta"]), QASMParameterNames(inputs: [])]
        var mutator = Mutator(rng: SplitMix64(state: 20_261_204), tokens: Self.tokens)
        var parsed = 0, failed = 0
        for round in 0..<3000 {
            let input = mutator.mutate(Array(seeds[round % 2].utf8), times: 1 + round % 3)
            do throws(QASMError) {
                let p = try QASM.read(utf8: input, fileName: "fuzz", parameters: namings[round % namings.count])
                for g in p.circuit.gates {
                    #expect(g.qubits.allSatisfy { $0 >= 0 && $0 < p.circuit.qubitCount })
                    #expect(g.angles.allSatisfy { ($0.thetaIndex ?? 0) < max(p.circuit.parameterCount, 1) })
                    #expect(g.angles.allSatisfy { ($0.inputIndex ?? 0) < max(p.circuit.inputCount, 1) })
                }
                parsed += 1
            } catch {
                failed += 1
                #expect(error.location != nil && !error.description.contains("\n"))
            }
        }
        #expect(parsed > 100 && failed > 500, "parsed \(parsed), failed \(failed)")
        let observable = Array(try String(contentsOfFile: folder + "observable.txt", encoding: .utf8).utf8)
        for _ in 0..<2000 {
            do throws(InputFileError) {
                _ = try ObservableFile.parse(mutator.mutate(observable, times: 2), fileName: "o.txt", qubitCount: 4)
            } catch {
                #expect(!error.description.contains("\n"))
            }
        }
    }
}
