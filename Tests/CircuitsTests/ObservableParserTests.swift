/// The observable text syntax: explicit qubits, Qiskit labels, weighted sums, errors with
/// columns, and `description` printing back the explicit form.

import Testing
@testable import Circuits

@Suite struct ObservableParserTests {
    func term(_ c: Double, _ pairs: [(Int, Pauli)]) -> PauliString {
        PauliString(coefficient: c, qubits: pairs.map(\.0), paulis: pairs.map(\.1))
    }

    @Test func explicitQubitsWithSpacesOrStars() throws {
        #expect(try Observable.parse("Z0 Z3", qubitCount: 4).terms == [term(1, [(0, .z), (3, .z)])])
        #expect(try Observable.parse("X1*Y2", qubitCount: 4).terms == [term(1, [(1, .x), (2, .y)])])
        #expect(try Observable.parse("  Y3 X0 ", qubitCount: 4).terms == [term(1, [(0, .x), (3, .y)])])
        #expect(try Observable.parse("Z12", qubitCount: 13).terms == [term(1, [(12, .z)])])
        #expect(try Observable.parse("I2 Z1", qubitCount: 3).terms == [term(1, [(1, .z)])])
    }

    @Test func qiskitLabelsAreLittleEndian() throws {
        #expect(try Observable.parse("IIZ", qubitCount: 3).terms == [term(1, [(0, .z)])])
        #expect(try Observable.parse("IXYZ", qubitCount: 4).terms == [term(1, [(0, .z), (1, .y), (2, .x)])])
        #expect(try Observable.parse("III", qubitCount: 3).terms == [term(1, [])])
        #expect(try Observable.parse("Z", qubitCount: 1).terms == [term(1, [(0, .z)])])
    }

    @Test func weightedSums() throws {
        let o = try Observable.parse("0.5*Z0 Z1 + 0.25*X2 - Y1", qubitCount: 3)
        #expect(o.qubitCount == 3)
        #expect(o.terms == [term(0.5, [(0, .z), (1, .z)]), term(0.25, [(2, .x)]), term(-1, [(1, .y)])])
        #expect(try Observable.parse("-1.5*IIZ", qubitCount: 3).terms == [term(-1.5, [(0, .z)])])
        #expect(try Observable.parse("+2 X0 - .5 * I + 1e-3*Z1", qubitCount: 2).terms
            == [term(2, [(0, .x)]), term(-0.5, []), term(1e-3, [(1, .z)])])
        #expect(try Observable.parse("3", qubitCount: 2).terms == [term(3, [])])
    }

    @Test func descriptionPrintsTheExplicitFormBack() throws {
        let o = try Observable.parse("0.5*IZZ + 0.25*X2 - Y1 - 2*III", qubitCount: 3)
        #expect(o.description == "0.5*Z0 Z1 + 0.25*X2 - Y1 - 2.0*I")
        #expect(try Observable.parse(o.description, qubitCount: 3) == o)
        #expect(Observable.z(4, qubitCount: 5).description == "Z4")
        #expect(Observable(qubitCount: 2, terms: [term(-1, [(1, .x)])]).description == "-X1")
    }

    @Test(arguments: [
        ("", 1, "expected a coefficient or a Pauli factor such as Z0, found end of text"),
        ("Z0 Z3", 5, "qubit 3 is out of range for 3 qubit(s)"),
        ("Z0 X0", 4, "qubit 0 appears twice in one term"),
        ("IZ", 1, "Pauli label of length 2 on 3 qubit(s)"),
        ("0.5*Z0 + ", 10, "expected a coefficient or a Pauli factor such as Z0, found end of text"),
        ("Z0 / Z1", 4, "expected another Pauli factor, '+', '-' or the end of the observable, found '/'"),
        ("Z0 W1", 4, "expected a Pauli letter I, X, Y or Z, found 'W'"),
        ("z0", 1, "found 'z'"),
        ("ZX1", 1, "a factor with a qubit index has one Pauli letter"),
        ("2*", 3, "expected a Pauli factor such as Z0, found end of text"),
        ("1e5000*Z0", 1, "coefficient 1e5000 is not a finite number"),
        ("Z99999999999999999999", 2, "qubit 99999999999999999999 is out of range"),
        ("IIZ X1", 5, "qubit 1 appears twice in one term"),
        ("1e*Z0", 3, "expected exponent digits, found '*'"),
    ] as [(String, Int, String)])
    func errorsNameTheColumnAndWhatWasExpected(_ text: String, column: Int, message: String) {
        let error = #expect(throws: ObservableParseError.self) { try Observable.parse(text, qubitCount: 3) }
        #expect(error?.column == column, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("column \(column): ") == true)
    }
}
