/// The parts of the QASM subset that the fixtures do not exercise: registers, broadcasting,
/// gate definitions, expressions, trainable parameters, ignored and rejected statements.

import Testing
@testable import Circuits

@Suite struct QASMFeatureTests {
    static let header = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\n"

    func parse(_ body: String) throws -> Circuit { try QASM.parse(Self.header + body) }

    @Test func severalRegistersAreFlattenedInDeclarationOrder() throws {
        let c = try parse("qreg a[2]; creg m[2]; qreg b[3];\ncx a[1], b[2];\nx b[0];")
        #expect(c.qubitCount == 5)
        #expect(c.gates == [Gate(.cx, [1, 4]), Gate(.x, [2])])
    }

    @Test func broadcastingFollowsTheSpec() throws {
        let c = try parse("qreg q[3]; qreg r[3];\nh q;\ncx q, r;\ncx q[0], r;\nbarrier q, r;")
        #expect(c.gates == [Gate(.h, [0]), Gate(.h, [1]), Gate(.h, [2]),
                            Gate(.cx, [0, 3]), Gate(.cx, [1, 4]), Gate(.cx, [2, 5]),
                            Gate(.cx, [0, 3]), Gate(.cx, [0, 4]), Gate(.cx, [0, 5])])
    }

    @Test func gateNamesMapToQiskitKinds() throws {
        let c = try parse("""
            qreg q[3];
            U(1,2,3) q[0]; CX q[0],q[1]; u1(0.5) q[0]; u(1,2,3) q[0]; cu1(0.5) q[0],q[1];
            u0(7) q[2]; id q[2]; sxdg q[1]; cy q[0],q[1]; ch q[0],q[1]; ccx q[0],q[1],q[2];
            crz(0.1) q[0],q[1]; cry(0.2) q[1],q[2]; rxx(0.3) q[0],q[2]; ryy(0.4) q[0],q[1];
            """)
        #expect(c.gates.map(\.kind) == [.u3, .cx, .p, .u3, .cp, .id, .id, .sxdg, .cy, .ch, .ccx,
                                        .crz, .cry, .rxx, .ryy])
        #expect(c.gates[0].angles == [.constant(1), .constant(2), .constant(3)])
        #expect(c.gates[5].angles == [])
    }

    @Test func expressionsEvaluateWithQASMPrecedence() throws {
        let c = try parse("""
            qreg q[1];
            rz(-pi/2) q[0]; rz(3*pi/4) q[0]; rz(1e-3) q[0]; rz(.5) q[0]; rz(2^3^2) q[0];
            rz(-2^2) q[0]; rz(2^-1) q[0]; rz((1+2)*3 - 4/8) q[0]; rz(sqrt(4) + ln(exp(1)) + cos(0)) q[0];
            rz(sin(pi/2) + tan(0) + 1.5E+1) q[0]; rz(- - 1) q[0];
            """)
        let values = c.gates.map { $0.angles[0].constant }
        let expected = [-Double.pi / 2, 3 * Double.pi / 4, 1e-3, 0.5, 512, -4, 0.5, 8.5, 4, 16, 1]
        #expect(values.count == expected.count)
        for (v, e) in zip(values, expected) { #expect(abs(v - e) < 1e-15, "\(v) vs \(e)") }
    }

    @Test func userGatesExpandInlineWithParametersAndNesting() throws {
        let c = try parse("""
            qreg q[2];
            // comment
            gate rot(a, b) t { rz(a) t; ry(b/2) t; }
            gate layer(a) x, y { rot(a, 2*a) x; barrier x, y; cx x, y; rot(-a, pi) y; }
            layer(0.25) q[1], q[0];
            """)
        #expect(c.gates == [
            Gate(.rz, [1], [.constant(0.25)]), Gate(.ry, [1], [.constant(0.25)]), Gate(.cx, [1, 0]),
            Gate(.rz, [0], [.constant(-0.25)]), Gate(.ry, [0], [.constant(Double.pi / 2)]),
        ])
    }

    @Test func trainableParametersAndInputsBecomeAffineAngles() throws {
        let c = try parse("""
            qreg q[2];
            gate enc(a) t { ry(2*a + 1) t; }
            ry(theta[0]) q[0]; rz(0.5*theta[3] - x[1]/2 + pi) q[1]; enc(x[0]) q[1];
            crx(-theta[1]) q[0], q[1]; rz(theta[2] + 2 - theta[2]) q[0];
            """)
        #expect(c.parameterCount == 4)
        #expect(c.inputCount == 2)
        #expect(c.gates[0].angles == [.theta(0)])
        #expect(c.gates[1].angles == [Angle(constant: .pi, thetaIndex: 3, thetaScale: 0.5, inputIndex: 1, inputScale: -0.5)])
        #expect(c.gates[2].angles == [Angle(constant: 1, inputIndex: 0, inputScale: 2)])
        #expect(c.gates[3].angles == [.theta(1, scale: -1)])
        #expect(c.gates[4].angles == [.constant(2)])
    }

    @Test func qiskitStyleRedefinitionOfAnExtendedGateKeepsTheBuiltIn() throws {
        // qasm2.dumps writes a definition for ryy (not in its qelib1.inc) before using it.
        let c = try parse("""
            gate ryy(param0) q0,q1 { rx(pi/2) q0; rx(pi/2) q1; cx q0,q1; rz(param0) q1; cx q0,q1; rx(-pi/2) q0; rx(-pi/2) q1; }
            gate sx a { sdg a; h a; sdg a; }
            qreg q[2];
            ryy(0.3) q[0],q[1]; sx q[1];
            """)
        #expect(c.gates == [Gate(.ryy, [0, 1], [.constant(0.3)]), Gate(.sx, [1])])
    }

    @Test func withoutTheIncludeOnlyUAndCXExist() throws {
        let c = try QASM.parse("""
            OPENQASM 2.0;
            gate h a { U(pi/2, 0, pi) a; }
            qreg q[2];
            h q[0]; CX q[0], q[1];
            """)
        #expect(c.gates == [Gate(.u3, [0], [.constant(.pi / 2), .constant(0), .constant(.pi)]), Gate(.cx, [0, 1])])
        let error = #expect(throws: QASMError.self) { try QASM.parse("OPENQASM 2.0;\nqreg q[1];\nh q[0];") }
        #expect(error?.kind == .unknownGate)
        #expect(error?.message.contains("include \"qelib1.inc\"") == true)
    }

    @Test func libraryGatesWithoutAGateKindExpand() throws {
        let c = try parse("qreg q[5]; cu3(1,2,3) q[0],q[1]; cswap q[0],q[1],q[2]; c4x q[0],q[1],q[2],q[3],q[4];")
        #expect(c.gates.count > 10)
        #expect(Set(c.gates.map(\.kind)).isSubset(of: [.p, .cx, .u3, .ccx, .h]))
    }

    @Test func parseContentsOfReadsFilesAndNamesThemInErrors() throws {
        let path = "/tmp/circuits-tests-\(UInt32.random(in: 0...UInt32.max)).qasm"
        let text = Self.header + "qreg q[2];\nh q[2];\n"
        try #require(fopenWrite(path, text))
        defer { remove(path) }
        let error = #expect(throws: QASMError.self) { try QASM.parse(contentsOf: path) }
        #expect(error?.description == "\(path):4:5: index 2 is out of range for register 'q' of size 2")
        let missing = #expect(throws: QASMError.self) { try QASM.parse(contentsOf: path + ".missing") }
        #expect(missing?.kind == .fileNotReadable)
        #expect(missing?.description.hasPrefix(path + ".missing: cannot read file") == true)
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Writes `text` to `path`; false on failure.
func fopenWrite(_ path: String, _ text: String) -> Bool {
    guard let f = fopen(path, "wb") else { return false }
    defer { fclose(f) }
    return fputs(text, f) >= 0
}
