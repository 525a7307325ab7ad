/// Final measurements (both versions) and the OpenQASM 3 subset `qiskit.qasm3.dumps` writes for
/// parameterised circuits: `input float[64] name;` parameters, `qubit[n] q;` / `bit[n] c;`
/// declarations, `c = measure q;`, `gphase`, `/* */` comments.
///
/// Measurements are dropped: estimation computes ⟨O⟩ of the state just before them, which is
/// what a Qiskit Estimator does with `measure_all()` circuits removed of their measurements. A
/// gate on a measured qubit is refused (that would need mid-circuit measurement).

extension QASMParser {
    /// OpenQASM 3 words outside the subset, refused by name instead of "unknown gate".
    static let unsupportedOpenQASM3: Set<String> = [
        "def", "for", "while", "const", "let", "output", "ctrl", "negctrl", "inv", "pow", "box", "delay",
        "extern", "cal", "defcal", "defcalgrammar", "break", "continue", "return", "switch", "end", "int",
        "uint", "bool", "complex", "duration", "stretch", "array", "pragma",
    ]

    /// An OpenQASM 3 statement that is not a gate call; false when the token starts a gate call.
    mutating func parseOpenQASM3Statement() throws(QASMError) -> Bool {
        let keyword = token
        switch keyword.text {
        case "input": try parseInputDeclaration()
        case "qubit", "bit": try parseTypedRegister()
        case "float", "angle":
            throw error(.unsupported, "classical variable declarations are not supported: declare circuit "
                + "parameters as 'input \(keyword.text)[64] name;'", at: keyword.location)
        case "gphase":
            // A global phase changes no expectation value.
            try advance()
            _ = try parseExpressionList(scope: .topLevel)
            try expect(";", "after gphase")
        default:
            guard Self.unsupportedOpenQASM3.contains(keyword.text) else { return false }
            throw error(.unsupported, "'\(keyword.text)' is not supported: only the OpenQASM 3 subset that "
                + "qiskit.qasm3.dumps writes for a parameterised circuit (input parameters, gate definitions "
                + "and calls, barrier, final measure)", at: keyword.location)
        }
        return true
    }

    /// `input float[64] name;` (also `input float name;`, `input angle[n] name;`).
    private mutating func parseInputDeclaration() throws(QASMError) {
        let keyword = token
        try advance()
        guard token.kind == .identifier, token.text == "float" || token.text == "angle" else {
            throw unexpected("'float[64]' after 'input' (circuit parameters are real numbers)")
        }
        try advance()
        if token.isSymbol("[") {
            try advance()
            _ = try expectInteger("the type's bit width")
            try expect("]", "after the type's bit width")
        }
        let name = try expectNewName("a parameter name")
        try expect(";", "after the input declaration")
        if parameterAssignment != nil {
            throw error(.unsupported, "input '\(name.text)' is declared after the first gate call: declare every "
                + "parameter first (as qiskit.qasm3.dumps does)", at: keyword.location)
        }
        if let previous = inputPositions[name.text] {
            throw error(.duplicateDefinition, "input '\(name.text)' is already declared at "
                + "\(inputDeclarations[previous].location)", at: name.location)
        }
        if registers[name.text] != nil {
            throw error(.duplicateDefinition, "'\(name.text)' is already a register", at: name.location)
        }
        guard inputDeclarations.count < QASM.maxParameterIndex else {
            throw error(.limitExceeded, "more than \(QASM.maxParameterIndex) input parameters", at: name.location)
        }
        inputPositions[name.text] = inputDeclarations.count
        inputDeclarations.append((name.text, name.location))
    }

    /// `qubit[n] name;`, `qubit name;`, `bit[n] name;`, `bit name;`.
    private mutating func parseTypedRegister() throws(QASMError) {
        let isQuantum = token.text == "qubit"
        try advance()
        var size = 1
        var sizeLocation = token.location
        if token.isSymbol("[") {
            try advance()
            (size, sizeLocation) = try expectInteger("register size")
            try expect("]", "after the register size")
        }
        let name = try expectNewName("a register name")
        try expect(";", "after the register declaration")
        if inputPositions[name.text] != nil {
            throw error(.duplicateDefinition, "'\(name.text)' is already an input parameter", at: name.location)
        }
        try declareRegister(name, size: size, sizeLocation: sizeLocation, isQuantum: isQuantum)
    }

    /// `c = measure q;` / `c[i] = measure q[j];` (OpenQASM 3); the current token is `c`.
    mutating func parseMeasureAssignment() throws(QASMError) {
        let target = try parseRegisterArgument(quantum: false)
        try expect("=", "between the classical bits and 'measure'")
        guard token.kind == .identifier, token.text == "measure" else { throw unexpected("'measure' after '='") }
        try parseMeasure(into: target)
    }

    /// `measure q -> c;` (OpenQASM 2), `measure q;`, or the right side of an assignment: the
    /// measured qubits are recorded and the statement is dropped.
    mutating func parseMeasure(into assigned: QubitArgument?) throws(QASMError) {
        let keyword = token
        try fixParameters()
        try advance()
        let source = try parseRegisterArgument(quantum: true)
        var target = assigned
        if token.isSymbol("->") {
            if assigned != nil { throw unexpected("';' after the measured qubits") }
            try advance()
            target = try parseRegisterArgument(quantum: false)
        }
        try expect(";", "after the measurement")
        if let target, target.qubits.count != source.qubits.count {
            throw error(.wrongQubitCount, "measurement of \(source.qubits.count) qubit(s) into "
                + "\(target.qubits.count) bit(s)", at: keyword.location)
        }
        for q in source.qubits where measuredQubits[q] == nil { measuredQubits[q] = keyword.location }
        ignoredMeasurements += source.qubits.count
    }

    /// The θ/x role of a top-level identifier naming an `input` parameter, or nil.
    mutating func inputParameter(_ name: String) throws(QASMError) -> QASMExpression.Operation? {
        guard let k = inputPositions[name] else { return nil }
        try fixParameters()
        switch parameterAssignment!.roles[k] {
        case .theta(let i): return .theta(i)
        case .input(let j): return .input(j)
        }
    }

    /// Decides, once, which declared inputs are θ and which are x (at the first gate call).
    mutating func fixParameters() throws(QASMError) {
        guard parameterAssignment == nil, version == 3 else { return }
        switch parameterNames.assign(inputDeclarations.map(\.name)) {
        case .success(let assignment): parameterAssignment = assignment
        case .failure(let failure):
            throw error(.undeclaredIdentifier, failure.message, at: inputDeclarations[failure.declaration].location)
        }
    }

    /// At the end of the file: every declared parameter counts (an unused one is a dead θ), and
    /// the dropped statements are reported as one note.
    mutating func finishParameters() throws(QASMError) {
        try fixParameters()
        if let a = parameterAssignment {
            circuit.parameterCount = max(circuit.parameterCount, a.thetaNames.count)
            circuit.inputCount = max(circuit.inputCount, a.inputNames.count)
        }
        var dropped: [String] = []
        if ignoredMeasurements > 0 { dropped.append("\(ignoredMeasurements) final measurement(s)") }
        if ignoredBarriers > 0 { dropped.append("\(ignoredBarriers) barrier(s)") }
        if !dropped.isEmpty {
            notes.append("\(fileName): ignored \(dropped.joined(separator: " and ")): ⟨O⟩ is estimated on the state before the measurements")
        }
    }
}
