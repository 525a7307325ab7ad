/// Malformed QASM: each case must give one QASMError of the right kind, at the right line and
/// column, on one line, saying what was expected.

import Testing
@testable import Circuits

struct ErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    /// Appended after the two header lines, so its first line is line 3.
    var body: String
    var kind: QASMError.Kind
    var line: Int
    var column: Int
    var says: String
    var header = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\n"

    var testDescription: String { name }
}

@Suite struct QASMErrorTests {
    static let cases: [ErrorCase] = [
        ErrorCase(name: "unknown gate", body: "qreg q[1];\nfoo q[0];", kind: .unknownGate, line: 4, column: 1,
                  says: "unknown gate 'foo'"),
        ErrorCase(name: "wrong arity", body: "qreg q[2];\ncx q[0];", kind: .wrongQubitCount, line: 4, column: 1,
                  says: "gate 'cx' acts on 2 qubit(s), got 1"),
        ErrorCase(name: "wrong parameter count", body: "qreg q[1];\nrx(1, 2) q[0];", kind: .wrongParameterCount,
                  line: 4, column: 1, says: "gate 'rx' takes 1 parameter(s), got 2"),
        ErrorCase(name: "undeclared register", body: "qreg q[1];\nh r[0];", kind: .undeclaredIdentifier,
                  line: 4, column: 3, says: "undeclared register 'r'"),
        ErrorCase(name: "index out of range", body: "qreg q[2];\n  h q[5];", kind: .indexOutOfRange, line: 4,
                  column: 7, says: "index 5 is out of range for register 'q' of size 2"),
        ErrorCase(name: "bad expression", body: "qreg q[1];\nrx(1 + * 2) q[0];", kind: .badExpression, line: 4,
                  column: 8, says: "expected a number, pi, a parameter, a function or '(' in the expression, found '*'"),
        ErrorCase(name: "unknown identifier in expression", body: "qreg q[1];\nrx(2*phi) q[0];",
                  kind: .undeclaredIdentifier, line: 4, column: 6, says: "unknown identifier 'phi'"),
        ErrorCase(name: "division by zero", body: "qreg q[1];\nrx(1/(2-2)) q[0];", kind: .badExpression, line: 4,
                  column: 5, says: "division by zero"),
        ErrorCase(name: "non-affine product", body: "qreg q[1];\nrx(theta[0]*theta[1]) q[0];", kind: .badExpression,
                  line: 4, column: 12, says: "not affine"),
        ErrorCase(name: "non-affine function", body: "qreg q[1];\nrx(sin(x[0])) q[0];", kind: .badExpression,
                  line: 4, column: 4, says: "sin() of a trainable parameter or input is not affine"),
        ErrorCase(name: "two thetas in one angle", body: "qreg q[1];\nrx(theta[0] + theta[1]) q[0];",
                  kind: .badExpression, line: 4, column: 1, says: "at most one theta[i] and one x[j]"),
        ErrorCase(name: "non-affine inside a gate body", body: "qreg q[1];\ngate g(a) t { rx(cos(a)) t; }\ng(theta[2]) q[0];",
                  kind: .badExpression, line: 5, column: 1, says: "in gate 'g' (expression at 4:18): cos()"),
        ErrorCase(name: "theta inside a gate body", body: "gate g(a) t { rx(theta[0]) t; }", kind: .badExpression,
                  line: 3, column: 18, says: "only be used in top-level gate calls"),
        ErrorCase(name: "theta without index", body: "qreg q[1];\nrx(theta) q[0];", kind: .badExpression,
                  line: 4, column: 9, says: "expected '[' after 'theta'"),
        ErrorCase(name: "truncated statement", body: "qreg q[1];\nh q[0]", kind: .unexpectedEndOfFile, line: 4,
                  column: 7, says: "unexpected end of file: expected ';' after the qubit arguments"),
        ErrorCase(name: "truncated gate body", body: "gate g a {\n  h a;\n", kind: .unexpectedEndOfFile, line: 5,
                  column: 1, says: "unexpected end of file"),
        ErrorCase(name: "truncated expression", body: "qreg q[1];\nrx(pi/", kind: .unexpectedEndOfFile, line: 4,
                  column: 7, says: "expected a number"),
        ErrorCase(name: "truncated header", body: "", kind: .unexpectedEndOfFile, line: 1, column: 9,
                  says: "a version number", header: "OPENQASM"),
        ErrorCase(name: "binary garbage", body: "qreg q[1];\nh q[0];\n\u{0}\u{7}ELF", kind: .unexpectedCharacter,
                  line: 5, column: 1, says: "unexpected character byte 0x00 (control character; is this a binary file?)"),
        ErrorCase(name: "non-ASCII", body: "qreg q[1];\nrx(π) q[0];", kind: .unexpectedCharacter, line: 4, column: 4,
                  says: "byte 0xCF (QASM source must be ASCII"),
        ErrorCase(name: "stray character", body: "qreg q[1];\nh $q[0];", kind: .unexpectedCharacter, line: 4,
                  column: 3, says: "unexpected character '$'"),
        ErrorCase(name: "duplicate register", body: "qreg q[1];\ncreg q[2];", kind: .duplicateDefinition, line: 4,
                  column: 6, says: "register 'q' is already declared at 3:6"),
        ErrorCase(name: "duplicate paper gate", body: "gate h a { x a; }", kind: .duplicateDefinition, line: 3,
                  column: 6, says: "gate 'h' is already defined by qelib1.inc"),
        ErrorCase(name: "same qubit twice", body: "qreg q[2];\ncx q[0], q[0];", kind: .wrongQubitCount, line: 4,
                  column: 10, says: "uses qubit q[0] twice"),
        ErrorCase(name: "broadcast sizes differ", body: "qreg q[2];\nqreg r[3];\ncx q, r;", kind: .wrongQubitCount,
                  line: 5, column: 7, says: "broadcasting needs registers of equal size"),
        ErrorCase(name: "classical register as qubit", body: "qreg q[1];\ncreg c[1];\nh c[0];", kind: .unexpectedToken,
                  line: 5, column: 3, says: "'c' is a classical register"),
        ErrorCase(name: "gate after measure", body: "qreg q[1];\ncreg c[1];\nmeasure q[0] -> c[0];\nh q[0];", kind: .unsupported,
                  line: 6, column: 3, says: "after its measurement at 5:1: only final measurements are accepted"),
        ErrorCase(name: "measure into a quantum register", body: "qreg q[2];\nmeasure q[0] -> q[1];", kind: .unexpectedToken,
                  line: 4, column: 17, says: "'q' is a quantum register"),
        ErrorCase(name: "reset", body: "qreg q[1];\nreset q[0];", kind: .unsupported, line: 4, column: 1,
                  says: "'reset' is not supported"),
        ErrorCase(name: "if", body: "qreg q[1];\ncreg c[1];\nif (c == 1) x q[0];", kind: .unsupported, line: 5,
                  column: 1, says: "'if' (a classically controlled operation) is not supported"),
        ErrorCase(name: "opaque", body: "opaque magic(a) q;", kind: .unsupported, line: 3, column: 1,
                  says: "opaque gate 'magic' is not supported"),
        ErrorCase(name: "other include", body: "include \"stdgates.inc\";", kind: .unsupported, line: 3, column: 9,
                  says: "only qelib1.inc is built in"),
        ErrorCase(name: "missing header", body: "", kind: .unexpectedToken, line: 1, column: 1,
                  says: "expected 'OPENQASM 2.0;' or 'OPENQASM 3.0;' as the first statement, found 'qreg'", header: "qreg q[1];"),
        ErrorCase(name: "OpenQASM 4", body: "", kind: .unsupported, line: 1, column: 10,
                  says: "OpenQASM version 4.0 is not supported", header: "OPENQASM 4.0;"),
        ErrorCase(name: "huge index", body: "qreg q[1];\nh q[99999999999999999999999];", kind: .limitExceeded,
                  line: 4, column: 5, says: "qubit index 99999999999999999999999 is too large"),
        ErrorCase(name: "huge register", body: "qreg q[100000000];", kind: .limitExceeded, line: 3, column: 8,
                  says: "beyond 65536 qubits"),
        ErrorCase(name: "unterminated string", body: "include \"qelib1.inc;\n", kind: .unexpectedEndOfFile,
                  line: 3, column: 9, says: "unterminated string literal"),
        ErrorCase(name: "malformed number", body: "qreg q[1];\nrx(1e+) q[0];", kind: .badExpression, line: 4,
                  column: 4, says: "malformed number '1e+'"),
        ErrorCase(name: "gate calling itself", body: "gate g a { g a; }", kind: .unknownGate, line: 3, column: 12,
                  says: "a gate cannot call itself"),
        ErrorCase(name: "indexed qubit in gate body", body: "gate g a { h a[0]; }", kind: .unexpectedToken, line: 3,
                  column: 15, says: "without indices"),
    ]

    @Test(arguments: cases)
    func malformedInputGivesAPreciseOneLineError(_ c: ErrorCase) {
        let error = #expect(throws: QASMError.self) { try QASM.parse(c.header + c.body) }
        guard let error else { return }
        #expect(error.kind == c.kind, "\(error)")
        #expect(error.location == SourceLocation(line: c.line, column: c.column), "\(error)")
        #expect(error.description.contains(c.says), "\(error)")
        #expect(error.description.hasPrefix("<input>:\(c.line):\(c.column): "), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    @Test func invalidUTF8IsReportedNotRepaired() {
        let bytes = Array("OPENQASM 2.0;\nqreg q[1];\n".utf8) + [0xFF, 0xFE]
        let error = #expect(throws: QASMError.self) { try QASM.parse(utf8: bytes, fileName: "x.qasm") }
        #expect(error?.description.hasPrefix("x.qasm:3:1: unexpected character byte 0xFF") == true)
    }

    @Test func nestedDefinitionsCannotBlowUpTheGateCount() {
        // g_k calls g_{k-1} twice: 2^30 gates if expanded.
        var text = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\ngate g0 a { x a; }\n"
        for k in 1...30 { text += "gate g\(k) a { g\(k - 1) a; g\(k - 1) a; }\n" }
        text += "qreg q[1];\ng30 q[0];\n"
        let error = #expect(throws: QASMError.self) { try QASM.parse(text) }
        #expect(error?.kind == .limitExceeded)
        #expect(error?.location == SourceLocation(line: 35, column: 1))
    }

    @Test func deeplyNestedDefinitionsAndExpressionsAreRejected() {
        var text = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\ngate g0 a { x a; }\n"
        for k in 1...100 { text += "gate g\(k) a { g\(k - 1) a; }\n" }
        let nesting = #expect(throws: QASMError.self) { try QASM.parse(text) }
        #expect(nesting?.kind == .limitExceeded)
        #expect(nesting?.message.contains("more than 64 deep") == true)

        let deep = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        let parentheses = #expect(throws: QASMError.self) {
            try QASM.parse("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\nrx(\(deep)) q[0];")
        }
        #expect(parentheses?.kind == .badExpression)
        let minus = String(repeating: "-", count: 10_000)
        #expect(throws: QASMError.self) { try QASM.parse("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\nrx(\(minus)1) q[0];") }
        // A long flat sum is fine: postfix evaluation does not recurse.
        let sum = Array(repeating: "1", count: 20_000).joined(separator: "+")
        let c = try? QASM.parse("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\nrx(\(sum)) q[0];")
        #expect(c?.gates.first?.angles.first?.constant == 20_000)
    }
}
