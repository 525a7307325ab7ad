/// Splits OpenQASM 2 source bytes into tokens, one at a time, with their line and column.
///
/// The lexer works on raw UTF-8 bytes so that binary garbage is reported as a byte value at an
/// exact position instead of being "repaired" by String decoding. Outside `//` comments and
/// string literals only printable ASCII and whitespace are allowed.

struct QASMToken: Sendable {
    enum Kind: Equatable, Sendable {
        case identifier
        /// Digits only (usable as a register size or index).
        case integer
        /// A number with a fraction and/or exponent: `1.5`, `.5`, `1e-3`, `2.`.
        case real
        /// A double-quoted string; `text` holds the contents without quotes.
        case string
        /// One of `; , ( ) [ ] { } + - * / ^ -> == =`; `text` holds it (`=` is OpenQASM 3's
        /// `bits = measure qubits;`).
        case symbol
        case endOfFile
    }

    var kind: Kind
    var text: String
    var location: SourceLocation

    func isSymbol(_ s: String) -> Bool { kind == .symbol && text == s }

    /// How the token reads in an error message.
    /// The token for an error message, at most about 40 characters of it: a file's contents are
    /// never echoed at length (a 100 kB identifier, or /etc/passwd named as a circuit).
    var quoted: String {
        let shown = text.count <= 40 ? text : String(text.prefix(37)) + "…"
        switch kind {
        case .endOfFile: return "end of file"
        case .string: return "string \"\(shown)\""
        default: return "'\(shown)'"
        }
    }
}

struct QASMLexer {
    private let bytes: [UInt8]
    private let fileName: String
    private var offset = 0
    private var line = 1
    private var lineStart = 0

    init(bytes: [UInt8], fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
    }

    private var location: SourceLocation {
        SourceLocation(line: line, column: offset - lineStart + 1)
    }

    private func byte(at i: Int) -> UInt8? { i < bytes.count ? bytes[i] : nil }

    private static func isLetter(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
            || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || b == UInt8(ascii: "_")
    }

    private static func isDigit(_ b: UInt8) -> Bool {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
    }

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: bytes[from..<to], as: UTF8.self)
    }

    /// Skips whitespace, `//` and `/* */` comments, keeping line bookkeeping.
    private mutating func skipTrivia() throws(QASMError) {
        while let b = byte(at: offset) {
            if b == UInt8(ascii: "\n") {
                offset += 1
                line += 1
                lineStart = offset
            } else if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r")
                || b == 0x0C
            {
                offset += 1
            } else if b == UInt8(ascii: "/") && byte(at: offset + 1) == UInt8(ascii: "/") {
                while let c = byte(at: offset), c != UInt8(ascii: "\n") { offset += 1 }
            } else if b == UInt8(ascii: "/") && byte(at: offset + 1) == UInt8(ascii: "*") {
                try skipBlockComment()
            } else {
                return
            }
        }
    }

    /// A `/* ... */` comment (OpenQASM 3; not nested), counting its lines.
    private mutating func skipBlockComment() throws(QASMError) {
        let start = location
        offset += 2
        while let c = byte(at: offset) {
            if c == UInt8(ascii: "*") && byte(at: offset + 1) == UInt8(ascii: "/") {
                offset += 2
                return
            }
            offset += 1
            if c == UInt8(ascii: "\n") {
                line += 1
                lineStart = offset
            }
        }
        throw QASMError(.unexpectedEndOfFile, "unterminated comment: '/*' without '*/'", fileName: fileName, at: start)
    }

    /// The next token; `.endOfFile` forever once the input is exhausted.
    mutating func next() throws(QASMError) -> QASMToken {
        try skipTrivia()
        let start = location
        let first = offset
        guard let b = byte(at: offset) else {
            return QASMToken(kind: .endOfFile, text: "", location: start)
        }
        if Self.isLetter(b) {
            while let c = byte(at: offset), Self.isLetter(c) || Self.isDigit(c) { offset += 1 }
            return QASMToken(kind: .identifier, text: text(first, offset), location: start)
        }
        if Self.isDigit(b) || (b == UInt8(ascii: ".") && byte(at: offset + 1).map(Self.isDigit) == true) {
            return try number(start: start)
        }
        if b == UInt8(ascii: "\"") {
            offset += 1
            while let c = byte(at: offset), c != UInt8(ascii: "\""), c != UInt8(ascii: "\n") {
                offset += 1
            }
            guard byte(at: offset) == UInt8(ascii: "\"") else {
                throw QASMError(.unexpectedEndOfFile, "unterminated string literal: expected '\"' before end of line",
                                fileName: fileName, at: start)
            }
            offset += 1
            return QASMToken(kind: .string, text: text(first + 1, offset - 1), location: start)
        }
        if b == UInt8(ascii: "-") && byte(at: offset + 1) == UInt8(ascii: ">") {
            offset += 2
            return QASMToken(kind: .symbol, text: "->", location: start)
        }
        if b == UInt8(ascii: "=") && byte(at: offset + 1) == UInt8(ascii: "=") {
            offset += 2
            return QASMToken(kind: .symbol, text: "==", location: start)
        }
        if Array(";,()[]{}+-*/^=".utf8).contains(b) {
            offset += 1
            return QASMToken(kind: .symbol, text: text(first, offset), location: start)
        }
        let shown = b >= 0x21 && b < 0x7F ? "'\(text(first, first + 1))'" : "byte 0x\(b < 16 ? "0" : "")\(String(b, radix: 16, uppercase: true))"
        let why = b >= 0x80 ? " (QASM source must be ASCII outside comments and strings)" :
            b < 0x20 || b == 0x7F ? " (control character; is this a binary file?)" : ""
        throw QASMError(.unexpectedCharacter, "unexpected character \(shown)\(why)",
                        fileName: fileName, at: start)
    }

    /// `[0-9]+ ('.' [0-9]*)? ([eE] [+-]? [0-9]+)?` or `'.' [0-9]+ ([eE] [+-]? [0-9]+)?`.
    private mutating func number(start: SourceLocation) throws(QASMError) -> QASMToken {
        let first = offset
        var isInteger = true
        while let c = byte(at: offset), Self.isDigit(c) { offset += 1 }
        if byte(at: offset) == UInt8(ascii: ".") {
            isInteger = false
            offset += 1
            while let c = byte(at: offset), Self.isDigit(c) { offset += 1 }
        }
        if let e = byte(at: offset), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            isInteger = false
            offset += 1
            if let s = byte(at: offset), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { offset += 1 }
            guard let d = byte(at: offset), Self.isDigit(d) else {
                throw QASMError(.badExpression, "malformed number '\(text(first, offset))': expected exponent digits",
                                fileName: fileName, at: start)
            }
            while let c = byte(at: offset), Self.isDigit(c) { offset += 1 }
        }
        return QASMToken(kind: isInteger ? .integer : .real, text: text(first, offset), location: start)
    }
}
