/// The text form of observables: `Observable.parse` and `Observable.description`.
///
/// Grammar (spaces are free between tokens):
///
///     observable := ['+' | '-'] term (('+' | '-') term)*
///     term       := [number ['*']] product | number
///     product    := factor ([' ' | '*'] factor)*
///     factor     := P digits      explicit qubit, P in X Y Z I     e.g. Z0, X12
///                 | label         Qiskit label of exactly qubitCount letters from I X Y Z,
///                                 rightmost letter = qubit 0        e.g. IIZ
///                 | I             the identity (on any number of qubits)
///
/// A number alone is that multiple of the identity. Within one term a qubit may be named once
/// (a label names every qubit). Terms are kept as written, not merged.

/// An observable text could not be parsed. Prints as `column N: message` (columns count bytes
/// from 1).
public struct ObservableParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var column: Int
    public var message: String

    public init(column: Int, message: String) {
        self.column = column
        self.message = message
    }

    public var description: String { "column \(column): \(message)" }
}

extension Observable {
    /// Parses `"Z0 Z3"`, `"X1*Y2"`, `"IIZ"`, `"0.5*Z0 Z1 + 0.25*X2 - Y1"`, `"-1.5*IIZ"`.
    public static func parse(_ text: String, qubitCount: Int) throws(ObservableParseError) -> Observable {
        guard qubitCount >= 0 else {
            throw ObservableParseError(column: 1, message: "qubit count \(qubitCount) is negative")
        }
        var parser = ObservableTextParser(bytes: Array(text.utf8), qubitCount: qubitCount)
        return Observable(qubitCount: qubitCount, terms: try parser.parseSum())
    }
}

extension Observable: CustomStringConvertible {
    /// The explicit form, e.g. `0.5*Z0 Z1 - X2 + I`; `Observable.parse` reads it back.
    public var description: String {
        if terms.isEmpty { return "0" }
        var out = ""
        for (k, term) in terms.enumerated() {
            let negative = term.coefficient < 0
            if k == 0 { out += negative ? "-" : "" } else { out += negative ? " - " : " + " }
            let magnitude = Swift.abs(term.coefficient)
            let factors = term.qubits.isEmpty ? "I" : zip(term.paulis, term.qubits)
                .map { "\(Self.letter($0.0))\($0.1)" }.joined(separator: " ")
            out += magnitude == 1 ? factors : "\(magnitude)*\(factors)"
        }
        return out
    }

    static func letter(_ p: Pauli) -> Character {
        switch p {
        case .i: return "I"
        case .x: return "X"
        case .y: return "Y"
        case .z: return "Z"
        }
    }
}

/// A cursor over the observable text.
private struct ObservableTextParser {
    let bytes: [UInt8]
    let qubitCount: Int
    var offset = 0

    init(bytes: [UInt8], qubitCount: Int) {
        self.bytes = bytes
        self.qubitCount = qubitCount
    }

    var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    func fail(_ message: String, at position: Int? = nil) -> ObservableParseError {
        ObservableParseError(column: (position ?? offset) + 1, message: message)
    }

    /// How the current character reads in an error message.
    var found: String {
        guard let b = current else { return "end of text" }
        return b >= 0x21 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(b < 16 ? "0" : "")\(String(b, radix: 16, uppercase: true))"
    }

    mutating func skipSpaces() {
        while let b = current, b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { offset += 1 }
    }

    static func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= 48 && $0 <= 57 } ?? false }
    static func isLetter(_ b: UInt8?) -> Bool {
        b.map { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) } ?? false
    }
    var atTermEnd: Bool { current == nil || current == UInt8(ascii: "+") || current == UInt8(ascii: "-") }

    mutating func parseSum() throws(ObservableParseError) -> [PauliString] {
        var terms: [PauliString] = []
        skipSpaces()
        var sign = 1.0
        if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") {
            sign = current == UInt8(ascii: "-") ? -1 : 1
            offset += 1
        }
        while true {
            terms.append(try parseTerm(sign: sign))
            skipSpaces()
            guard let b = current else { return terms }
            guard b == UInt8(ascii: "+") || b == UInt8(ascii: "-") else {
                throw fail("expected '+', '-' or the end of the observable, found \(found)")
            }
            sign = b == UInt8(ascii: "-") ? -1 : 1
            offset += 1
        }
    }

    mutating func parseTerm(sign: Double) throws(ObservableParseError) -> PauliString {
        skipSpaces()
        var coefficient = sign
        var hasCoefficient = false
        if Self.isDigit(current) || (current == UInt8(ascii: ".") && Self.isDigit(bytes.dropFirst(offset + 1).first)) {
            coefficient *= try parseNumber()
            hasCoefficient = true
            skipSpaces()
            if atTermEnd { return PauliString(coefficient: coefficient, qubits: [], paulis: []) }
            if current == UInt8(ascii: "*") {
                offset += 1
                skipSpaces()
            }
        }
        var assigned: [Int: Pauli] = [:]
        var first = true
        while true {
            skipSpaces()
            if !first {
                if atTermEnd { break }
                if current == UInt8(ascii: "*") {
                    offset += 1
                    skipSpaces()
                }
            }
            guard Self.isLetter(current) else {
                let what = !first ? "another Pauli factor, '+', '-' or the end of the observable"
                    : hasCoefficient ? "a Pauli factor such as Z0" : "a coefficient or a Pauli factor such as Z0"
                throw fail("expected \(what), found \(found)")
            }
            try parseFactor(into: &assigned)
            first = false
        }
        let qubits = assigned.keys.sorted()
        return PauliString(coefficient: coefficient, qubits: qubits, paulis: qubits.map { assigned[$0] ?? .i })
    }

    /// `Z3`, `IIZ` or `I`; records each named qubit's Pauli.
    mutating func parseFactor(into assigned: inout [Int: Pauli]) throws(ObservableParseError) {
        let start = offset
        var letters: [Pauli] = []
        while Self.isLetter(current), let b = current {
            guard let p = Self.pauli(b) else {
                throw fail("expected a Pauli letter I, X, Y or Z, found \(found)")
            }
            letters.append(p)
            offset += 1
        }
        func assign(_ p: Pauli, _ qubit: Int) throws(ObservableParseError) {
            if assigned[qubit] != nil {
                throw fail("qubit \(qubit) appears twice in one term", at: start)
            }
            assigned[qubit] = p
        }
        if Self.isDigit(current) {
            guard letters.count == 1 else {
                throw fail("a factor with a qubit index has one Pauli letter, as in Z3; found "
                    + "\(letters.count) letters", at: start)
            }
            let digitsStart = offset
            while Self.isDigit(current) { offset += 1 }
            let digits = String(decoding: bytes[digitsStart..<offset], as: UTF8.self)
            guard digits.count <= 15, let qubit = Int(digits), qubit < qubitCount else {
                throw fail("qubit \(digits) is out of range for \(qubitCount) qubit(s)", at: digitsStart)
            }
            try assign(letters[0], qubit)
            return
        }
        if letters == [.i] && qubitCount != 1 { return }
        guard letters.count == qubitCount else {
            throw fail("Pauli label of length \(letters.count) on \(qubitCount) qubit(s): a label needs "
                + "exactly one letter per qubit (or write explicit factors such as Z0)", at: start)
        }
        for (position, p) in letters.enumerated() { try assign(p, qubitCount - 1 - position) }
    }

    static func pauli(_ b: UInt8) -> Pauli? {
        switch b {
        case UInt8(ascii: "I"): return .i
        case UInt8(ascii: "X"): return .x
        case UInt8(ascii: "Y"): return .y
        case UInt8(ascii: "Z"): return .z
        default: return nil
        }
    }

    /// `12`, `0.5`, `.5`, `1e-3`, `2.5E+2`.
    mutating func parseNumber() throws(ObservableParseError) -> Double {
        let start = offset
        while Self.isDigit(current) { offset += 1 }
        if current == UInt8(ascii: ".") {
            offset += 1
            while Self.isDigit(current) { offset += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            offset += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
            guard Self.isDigit(current) else { throw fail("expected exponent digits, found \(found)") }
            while Self.isDigit(current) { offset += 1 }
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        guard let v = Double(text), v.isFinite else {
            throw fail("coefficient \(text) is not a finite number", at: start)
        }
        return v
    }
}
