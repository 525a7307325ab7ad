/// The statement level of the OpenQASM reader: header, include, registers, gate calls with
/// broadcasting, and the statements estimation cannot use (rejected with a reason).
///
/// Gate definitions and expansion live in QASMParser+Gates.swift, expressions in
/// QASMParser+Expressions.swift, final measurements and the OpenQASM 3 subset (`input`
/// parameters, `qubit`/`bit` declarations) in QASMParser+OpenQASM3.swift.

struct QASMParser {
    /// A declared `qreg` (qubits `offset ..< offset+size` of the circuit) or `creg`.
    struct Register {
        var isQuantum: Bool
        var offset: Int
        var size: Int
        var location: SourceLocation
    }

    /// Words that cannot name a register, gate or gate parameter.
    static let reservedWords: Set<String> = [
        "OPENQASM", "include", "qreg", "creg", "gate", "opaque", "barrier", "measure", "reset", "if",
        "pi", "U", "CX",
    ]

    private var lexer: QASMLexer
    /// The current (not yet consumed) token.
    private(set) var token: QASMToken
    let fileName: String
    var gates = QASMGateTable.builtIns
    var qelib1Included = false
    var registers: [String: Register] = [:]
    var circuit = Circuit(qubitCount: 0)
    /// 2 or 3, from the header.
    var version = 2
    /// OpenQASM 3: which `input` parameters are θ and which are x (see QASMParameterNames).
    let parameterNames: QASMParameterNames
    /// OpenQASM 3 `input` declarations in file order, and each name's position in it.
    var inputDeclarations: [(name: String, location: SourceLocation)] = []
    var inputPositions: [String: Int] = [:]
    /// Fixed at the first gate call: no `input` may follow it.
    var parameterAssignment: QASMParameterNames.Assignment?
    /// Qubits measured so far, and where: a later gate on one of them is refused (only final
    /// measurements can be dropped without changing ⟨O⟩).
    var measuredQubits: [Int: SourceLocation] = [:]
    var ignoredBarriers = 0
    var ignoredMeasurements = 0
    /// Things the file does that are accepted but may not mean what its author intended, as
    /// `file:line:column: message` lines (a redefinition of a built-in gate that is ignored).
    var warnings: [String] = []
    /// Statements accepted and dropped (barriers, final measurements), as one line per file.
    var notes: [String] = []

    init(source: [UInt8], fileName: String, parameterNames: QASMParameterNames = QASMParameterNames()) throws(QASMError) {
        self.fileName = fileName
        self.parameterNames = parameterNames
        lexer = QASMLexer(bytes: source, fileName: fileName)
        token = try lexer.next()
    }

    // MARK: - Token helpers

    mutating func advance() throws(QASMError) { token = try lexer.next() }

    func error(_ kind: QASMError.Kind, _ message: String, at location: SourceLocation) -> QASMError {
        QASMError(kind, message, fileName: fileName, at: location)
    }

    /// "expected X, found Y", or an end-of-file error when the file stops here.
    func unexpected(_ expected: String, kind: QASMError.Kind = .unexpectedToken) -> QASMError {
        if token.kind == .endOfFile {
            return error(.unexpectedEndOfFile, "unexpected end of file: expected \(expected)", at: token.location)
        }
        return error(kind, "expected \(expected), found \(token.quoted)", at: token.location)
    }

    mutating func expect(_ symbol: String, _ purpose: String) throws(QASMError) {
        guard token.isSymbol(symbol) else { throw unexpected("'\(symbol)' \(purpose)") }
        try advance()
    }

    mutating func expectIdentifier(_ what: String) throws(QASMError) -> QASMToken {
        guard token.kind == .identifier else { throw unexpected(what) }
        let t = token
        try advance()
        return t
    }

    /// A name for a new register, gate or parameter: an identifier that is not reserved.
    mutating func expectNewName(_ what: String) throws(QASMError) -> QASMToken {
        let t = try expectIdentifier(what)
        if Self.reservedWords.contains(t.text) {
            throw error(.unexpectedToken, "'\(t.text)' is a reserved word and cannot be used as \(what)",
                        at: t.location)
        }
        return t
    }

    /// A non-negative integer literal that fits comfortably in an Int.
    mutating func expectInteger(_ what: String) throws(QASMError) -> (value: Int, location: SourceLocation) {
        guard token.kind == .integer else { throw unexpected(what) }
        let t = token
        guard t.text.utf8.count <= 15, let v = Int(t.text) else {
            throw error(.limitExceeded, "\(what) \(t.text) is too large", at: t.location)
        }
        try advance()
        return (v, t.location)
    }

    // MARK: - Program

    mutating func parseProgram() throws(QASMError) -> Circuit {
        try parseHeader()
        while token.kind != .endOfFile { try parseStatement() }
        try finishParameters()
        return circuit
    }

    /// `OPENQASM 2.0;` (any 2.x) or `OPENQASM 3.0;` (3, 3.x).
    private mutating func parseHeader() throws(QASMError) {
        guard token.kind == .identifier, token.text == "OPENQASM" else {
            throw unexpected("'OPENQASM 2.0;' or 'OPENQASM 3.0;' as the first statement")
        }
        try advance()
        guard token.kind == .integer || token.kind == .real else { throw unexpected("a version number such as 2.0") }
        if token.text == "3" || token.text.hasPrefix("3.") {
            version = 3
        } else if token.text != "2" && !token.text.hasPrefix("2.") {
            throw error(.unsupported, "OpenQASM version \(token.text) is not supported: only OpenQASM 2 and "
                + "the OpenQASM 3 subset qiskit.qasm3.dumps writes", at: token.location)
        }
        try advance()
        try expect(";", "after the OPENQASM version")
    }

    private mutating func parseStatement() throws(QASMError) {
        guard token.kind == .identifier else { throw unexpected("a statement") }
        let keyword = token
        switch keyword.text {
        case "OPENQASM":
            throw error(.unexpectedToken, "'OPENQASM' may only appear once, as the first statement",
                        at: keyword.location)
        case "include": try parseInclude()
        case "qreg", "creg": try parseRegister()
        case "gate": try parseGateDefinition()
        case "opaque":
            try advance()
            let name = token.kind == .identifier ? "'\(token.text)' " : ""
            throw error(.unsupported, "opaque gate \(name)is not supported: it has no definition, and "
                + "estimation needs every gate's matrix", at: keyword.location)
        case "barrier":
            try advance()
            _ = try parseQubitArguments()
            ignoredBarriers += 1
        case "measure": try parseMeasure(into: nil)
        case "reset", "if":
            let what = keyword.text == "if" ? "'if' (a classically controlled operation)" : "'\(keyword.text)'"
            throw error(.unsupported, "\(what) is not supported: estimation needs a measurement-free, "
                + "unitary circuit (give the observable separately, e.g. --observable \"Z0\")",
                        at: keyword.location)
        default:
            if version == 3, try parseOpenQASM3Statement() { return }
            if let register = registers[keyword.text], !register.isQuantum { return try parseMeasureAssignment() }
            try parseGateApplication()
        }
    }

    /// `include "qelib1.inc";` (OpenQASM 2) or `include "stdgates.inc";` (3): the only files that
    /// can be included (they are built in).
    private mutating func parseInclude() throws(QASMError) {
        try advance()
        guard token.kind == .string else { throw unexpected("a file name in double quotes after 'include'") }
        let file = token
        try advance()
        try expect(";", "after the include file name")
        let library = version == 3 ? "stdgates.inc" : "qelib1.inc"
        guard file.text == library else {
            throw error(.unsupported, "cannot include \"\(file.text)\": only \(library) is built in"
                + " for OpenQASM \(version); paste the file's gate definitions instead", at: file.location)
        }
        if qelib1Included { return }
        if gates.definitions.count > QASMGateTable.builtIns.definitions.count {
            throw error(.unsupported, "include \"\(library)\" must come before any gate definition",
                        at: file.location)
        }
        gates = version == 3 ? QASMGateTable.stdgates : QASMGateTable.qelib1
        qelib1Included = true
    }

    /// `qreg name[size];` or `creg name[size];`. Quantum registers are flattened in declaration
    /// order: the first declared register holds qubits 0 ..< size.
    private mutating func parseRegister() throws(QASMError) {
        let isQuantum = token.text == "qreg"
        try advance()
        let name = try expectNewName("a register name")
        try expect("[", "before the register size")
        let (size, sizeLocation) = try expectInteger("register size")
        try expect("]", "after the register size")
        try expect(";", "after the register declaration")
        try declareRegister(name, size: size, sizeLocation: sizeLocation, isQuantum: isQuantum)
    }

    /// Adds a `qreg`/`qubit[n]` (qubits appended to the circuit) or a `creg`/`bit[n]`.
    mutating func declareRegister(_ name: QASMToken, size: Int, sizeLocation: SourceLocation,
                                  isQuantum: Bool) throws(QASMError) {
        if let previous = registers[name.text] {
            throw error(.duplicateDefinition, "register '\(name.text)' is already declared at \(previous.location)",
                        at: name.location)
        }
        guard size >= 1 else {
            throw error(.unexpectedToken, "register '\(name.text)' must have at least one bit", at: sizeLocation)
        }
        if isQuantum {
            guard size <= QASM.maxQubits - circuit.qubitCount else {
                throw error(.limitExceeded, "qreg '\(name.text)' takes the circuit beyond \(QASM.maxQubits) qubits",
                            at: sizeLocation)
            }
            registers[name.text] = Register(isQuantum: true, offset: circuit.qubitCount, size: size,
                                            location: name.location)
            circuit.qubitCount += size
        } else {
            registers[name.text] = Register(isQuantum: false, offset: 0, size: size, location: name.location)
        }
    }

    /// One qubit argument of a top-level statement: a whole register or one qubit of it.
    struct QubitArgument {
        var text: String
        /// The circuit qubits it stands for (one, or the whole register).
        var qubits: [Int]
        var isRegister: Bool
        var location: SourceLocation
    }

    /// `a, b[1], ...;` with registers and indices checked; consumes the `;`.
    mutating func parseQubitArguments() throws(QASMError) -> [QubitArgument] {
        var arguments: [QubitArgument] = []
        repeat {
            if !arguments.isEmpty { try advance() }
            arguments.append(try parseRegisterArgument(quantum: true))
        } while token.isSymbol(",")
        try expect(";", "after the qubit arguments")
        return arguments
    }

    /// `q` or `q[i]` of a declared quantum (or, for measurement targets, classical) register.
    mutating func parseRegisterArgument(quantum: Bool) throws(QASMError) -> QubitArgument {
        let name = try expectIdentifier(quantum ? "a qubit register" : "a classical register")
        guard let register = registers[name.text] else {
            throw error(.undeclaredIdentifier, "undeclared register '\(name.text)'", at: name.location)
        }
        guard register.isQuantum == quantum else {
            throw error(.unexpectedToken, quantum ? "'\(name.text)' is a classical register; gates act on qregs"
                : "'\(name.text)' is a quantum register; measurements are stored in classical bits",
                        at: name.location)
        }
        if token.isSymbol("[") {
            try advance()
            let (index, indexLocation) = try expectInteger("qubit index")
            try expect("]", "after the qubit index")
            guard index < register.size else {
                throw error(.indexOutOfRange, "index \(index) is out of range for register '\(name.text)' "
                    + "of size \(register.size)", at: indexLocation)
            }
            return QubitArgument(text: "\(name.text)[\(index)]", qubits: [register.offset + index],
                                 isRegister: false, location: name.location)
        }
        return QubitArgument(text: name.text, qubits: Array(register.offset..<register.offset + register.size),
                             isRegister: true, location: name.location)
    }

    /// `name(angles) args;` applied once, or once per index when arguments are whole registers
    /// (`h q;`, `cx q, r;` for equal sizes, `cx q[0], r;`), as the OpenQASM 2 spec defines.
    private mutating func parseGateApplication() throws(QASMError) {
        let name = token
        try fixParameters()
        try advance()
        guard let definition = gates[name.text] else {
            var hint = ""
            if !qelib1Included && QASMGateTable.qelib1[name.text] != nil {
                hint = " (it is defined in qelib1.inc: add 'include \"qelib1.inc\";')"
            }
            throw error(.unknownGate, "unknown gate '\(name.text)'\(hint)", at: name.location)
        }
        var angles: [AffineValue] = []
        if token.isSymbol("(") {
            for expression in try parseExpressionList(scope: .topLevel) {
                do throws(ExpressionFailure) {
                    angles.append(try expression.evaluate(parameters: []))
                } catch {
                    throw self.error(.badExpression, error.message, at: error.location)
                }
            }
        }
        guard angles.count == definition.parameterCount else {
            throw error(.wrongParameterCount, "gate '\(name.text)' takes \(definition.parameterCount) "
                + "parameter(s), got \(angles.count)", at: name.location)
        }
        let arguments = try parseQubitArguments()
        guard arguments.count == definition.qubitCount else {
            throw error(.wrongQubitCount, "gate '\(name.text)' acts on \(definition.qubitCount) qubit(s), "
                + "got \(arguments.count)", at: name.location)
        }
        var applications = 1
        if let first = arguments.first(where: \.isRegister) {
            applications = first.qubits.count
            for a in arguments where a.isRegister && a.qubits.count != applications {
                throw error(.wrongQubitCount, "register '\(a.text)' has size \(a.qubits.count) but '\(first.text)' "
                    + "has size \(applications): broadcasting needs registers of equal size", at: a.location)
            }
        }
        guard definition.expandedGateCount <= (QASM.maxGates - circuit.gates.count) / applications else {
            throw error(.limitExceeded, "the circuit would exceed \(QASM.maxGates) gates", at: name.location)
        }
        for k in 0..<applications {
            let qubits = arguments.map { $0.isRegister ? $0.qubits[k] : $0.qubits[0] }
            for (i, a) in arguments.enumerated() where qubits[..<i].contains(qubits[i]) {
                let qubit = a.isRegister ? "\(a.text)[\(k)]" : a.text
                throw error(.wrongQubitCount, "gate '\(name.text)' uses qubit \(qubit) twice", at: a.location)
            }
            for (i, a) in arguments.enumerated() {
                if let measured = measuredQubits[qubits[i]] {
                    let qubit = a.isRegister ? "\(a.text)[\(k)]" : a.text
                    throw error(.unsupported, "gate '\(name.text)' acts on qubit \(qubit) after its measurement at "
                        + "\(measured): only final measurements are accepted (estimation needs a unitary circuit)",
                                at: a.location)
                }
            }
            try expand(definition, angles: angles, qubits: qubits, callSite: name.location)
        }
    }
}
