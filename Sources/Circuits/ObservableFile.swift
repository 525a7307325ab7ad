/// Observables from a file, one term per line, as a Qiskit `SparsePauliOp` lists them:
///
///     # H = 0.5 Z0 Z1 - 0.25 X2
///     IIZZ 0.5
///     XIII -0.25
///
/// A line is `LABEL COEFFICIENT`, `COEFFICIENT LABEL` (space or comma between), a bare `LABEL`
/// (coefficient 1), or any text `Observable.parse` reads (`0.5*Z0 Z1`). Labels are Qiskit's,
/// little-endian: the rightmost letter acts on qubit 0. A coefficient may be written as Python
/// prints a complex number (`(0.5+0j)`, `0.5-0j`) when its imaginary part is zero: the
/// estimator needs a Hermitian observable with real weights. `#` starts a comment.
///
/// `for label, c in op.to_list(): print(label, c.real)` writes such a file.

public enum ObservableFile {
    /// Largest observable file: about a million terms of a 60-qubit label.
    public static let byteLimit = 64 << 20

    /// Reads the file at `path`; errors are `path:line:column: message` (one line).
    public static func read(_ path: String, qubitCount: Int) throws(InputFileError) -> Observable {
        let bytes = try InputFile.read(path, limit: byteLimit, what: "observable")
        return try parse(bytes, fileName: path, qubitCount: qubitCount)
    }

    public static func parse(_ bytes: [UInt8], fileName: String, qubitCount: Int) throws(InputFileError) -> Observable {
        var terms: [PauliString] = []
        var lineNumber = 0
        for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            func fail(_ column: Int, _ message: String) -> InputFileError {
                InputFileError(path: "\(fileName):\(lineNumber):\(column)", reason: message)
            }
            var line = Array(rawLine)
            if let hash = line.firstIndex(of: UInt8(ascii: "#")) { line = Array(line[..<hash]) }
            if let bad = line.firstIndex(where: { ($0 < 0x20 && $0 != 9 && $0 != 13) || $0 >= 0x7F }) {
                throw fail(bad + 1, "unexpected byte 0x\(String(line[bad], radix: 16)) (observable files are ASCII text)")
            }
            let text = String(decoding: line, as: UTF8.self)
            let fields = splitFields(line)
            if fields.isEmpty { continue }
            let lineTerms: [PauliString]
            if fields.count == 2, let (label, coefficient) = labelAndCoefficient(fields, in: text) {
                let parsedCoefficient: Double
                switch realCoefficient(coefficient.text) {
                case .success(let c): parsedCoefficient = c
                case .failure(let why): throw fail(coefficient.column, why.message)
                }
                guard label.text.count == qubitCount else {
                    throw fail(label.column, "label '\(shown(label.text))' has \(label.text.count) letter(s); the circuit has \(qubitCount) qubit(s)")
                }
                do { lineTerms = try Observable.parse(label.text, qubitCount: qubitCount).terms } catch {
                    throw fail(label.column + error.column - 1, error.message)
                }
                terms += lineTerms.map { var t = $0; t.coefficient *= parsedCoefficient; return t }
            } else {
                do { terms += try Observable.parse(text, qubitCount: qubitCount).terms } catch {
                    throw fail(error.column, error.message)
                }
            }
            guard terms.count <= 1 << 22 else { throw fail(1, "more than \(1 << 22) terms") }
        }
        guard !terms.isEmpty else {
            throw InputFileError(path: fileName, reason: "no observable terms (one 'LABEL COEFFICIENT' per line)")
        }
        guard terms.allSatisfy({ $0.coefficient.isFinite }), terms.reduce(0.0, { $0 + abs($1.coefficient) }).isFinite else {
            throw InputFileError(path: fileName, reason: "the sum of |coefficients| overflows; scale the observable down")
        }
        return Observable(qubitCount: qubitCount, terms: terms)
    }

    struct Field {
        var text: String
        /// 1-based column of the first character.
        var column: Int
    }

    /// Fields separated by spaces, tabs or one comma.
    static func splitFields(_ line: [UInt8]) -> [Field] {
        var fields: [Field] = []
        var start: Int?
        for (i, b) in zip(0..., line + [UInt8(ascii: " ")]) {
            let separator = b == UInt8(ascii: " ") || b == 9 || b == 13 || b == UInt8(ascii: ",")
            if separator, let s = start {
                fields.append(Field(text: String(decoding: line[s..<i], as: UTF8.self), column: s + 1))
                start = nil
            } else if !separator && start == nil {
                start = i
            }
        }
        return fields
    }

    /// Which of two fields is the Pauli label (only I, X, Y, Z) and which the coefficient.
    static func labelAndCoefficient(_ f: [Field], in text: String) -> (label: Field, coefficient: Field)? {
        func isLabel(_ s: String) -> Bool { !s.isEmpty && s.allSatisfy { "IXYZ".contains($0) } }
        if isLabel(f[0].text) && !isLabel(f[1].text) { return (f[0], f[1]) }
        if isLabel(f[1].text) && !isLabel(f[0].text) { return (f[1], f[0]) }
        return nil
    }

    struct Reason: Error { var message: String }

    /// `0.5`, `-1e-3`, `(0.5+0j)`, `0.5-0j`, `(-0.25+0.0j)`: the real part, when the imaginary
    /// part is zero.
    static func realCoefficient(_ raw: String) -> Result<Double, Reason> {
        var s = Substring(raw)
        if s.hasPrefix("(") && s.hasSuffix(")") { s = s.dropFirst().dropLast() }
        if let v = Double(s), v.isFinite { return .success(v) }
        guard s.hasSuffix("j") else {
            return .failure(Reason(message: "expected a real coefficient such as 0.5 or (0.5+0j), found '\(shown(raw))'"))
        }
        let body = s.dropLast()
        // The sign that starts the imaginary part: the last + or - not at the start and not
        // right after an exponent's e.
        var split: Substring.Index?
        var i = body.endIndex
        while i > body.startIndex {
            i = body.index(before: i)
            if (body[i] == "+" || body[i] == "-") && i > body.startIndex {
                let previous = body[body.index(before: i)]
                if previous != "e" && previous != "E" { split = i; break }
            }
        }
        let realText = split.map { body[..<$0] } ?? "0"
        let imaginaryText = split.map { body[$0...] } ?? body
        guard let re = Double(realText), let im = Double(imaginaryText), re.isFinite, im.isFinite else {
            return .failure(Reason(message: "expected a real coefficient such as 0.5 or (0.5+0j), found '\(shown(raw))'"))
        }
        guard im == 0 else {
            return .failure(Reason(message: "coefficient \(shown(raw)) has an imaginary part: the observable must be Hermitian, with real coefficients"))
        }
        return .success(re)
    }

    static func shown(_ s: String) -> String { s.count <= 40 ? s : String(s.prefix(37)) + "…" }
}
