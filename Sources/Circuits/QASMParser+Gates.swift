/// Gate definitions (`gate name(params) qargs { body }`) and their inline expansion into
/// `Gate`s.
///
/// A definition may only call gates defined before it (the spec's rule), so definitions cannot
/// recurse; their nesting depth and expanded size are computed once, when defined, and bounded.

extension QASMParser {
    /// Parses a file of nothing but gate definitions (the built-in library source).
    mutating func parseDefinitionsOnly() throws(QASMError) -> QASMGateTable {
        while token.kind != .endOfFile {
            guard token.kind == .identifier, token.text == "gate" else { throw unexpected("'gate'") }
            try parseGateDefinition()
        }
        return gates
    }

    /// `gate name(p1, p2) a, b { body }`; the body holds gate calls on the qubit arguments by name
    /// and `barrier`s (ignored).
    mutating func parseGateDefinition() throws(QASMError) {
        try advance()
        let name = try expectNewName("a gate name")
        var parameters: [String] = []
        if token.isSymbol("(") {
            try advance()
            if !token.isSymbol(")") {
                parameters = try parseNameList("a parameter name", kind: "parameter", in: name.text)
            }
            try expect(")", "after the gate parameters")
        }
        let qubitNames = try parseNameList("a qubit argument name", kind: "qubit argument", in: name.text)
        for q in qubitNames where parameters.contains(q) {
            throw error(.duplicateDefinition, "gate '\(name.text)' uses '\(q)' both as a parameter and "
                + "as a qubit argument", at: name.location)
        }
        try expect("{", "to open the body of gate '\(name.text)'")
        var body: [QASMGateCall] = []
        while !token.isSymbol("}") {
            if let call = try parseBodyStatement(gate: name.text, parameters: parameters, qubits: qubitNames) {
                body.append(call)
            }
        }
        try advance()

        var count = 0
        var depth = 1
        for call in body {
            let callee = gates.definitions[call.callee]
            count = min(QASM.maxGates + 1, count + callee.expandedGateCount)
            depth = max(depth, callee.nestingDepth + 1)
        }
        guard depth <= QASM.maxNestingDepth else {
            throw error(.limitExceeded, "gate '\(name.text)' nests gate definitions more than "
                + "\(QASM.maxNestingDepth) deep", at: name.location)
        }
        if let existing = gates[name.text] {
            let signatureMatches = existing.parameterCount == parameters.count
                && existing.qubitCount == qubitNames.count
            let protected = version == 3 ? QASMGateTable.stdgatesNames : QASMGateTable.paperQelib1Names
            let redefinable = existing.location == nil && qelib1Included
                && !protected.contains(name.text)
                && QASMGateTable.builtIns[name.text] == nil
            if redefinable && signatureMatches {
                // Qiskit writes definitions of its own gates; the built-in is the exact gate. A
                // different body is not checked, so say that the file's definition is not used.
                let line = "\(fileName):\(name.location): gate '\(name.text)' is built in; this definition is ignored and the built-in gate is used (rename the gate to use the definition)"
                // qiskit.qasm3.dumps defines every gate outside stdgates.inc (rzz, sxdg, ...):
                // expected there, so a note rather than a warning.
                if version == 3 { notes.append(line) } else { warnings.append(line) }
                return
            }
            let previously = existing.location.map { "at \($0)" } ?? "by qelib1.inc"
            throw error(.duplicateDefinition, "gate '\(name.text)' is already defined \(previously)",
                        at: name.location)
        }
        gates.add(QASMGateDefinition(name: name.text, parameterCount: parameters.count,
                                     qubitCount: qubitNames.count, body: .composite(body),
                                     location: name.location, expandedGateCount: count, nestingDepth: depth))
    }

    /// `a, b, c` of distinct new names.
    private mutating func parseNameList(_ what: String, kind: String, in gate: String) throws(QASMError) -> [String] {
        var names: [String] = []
        repeat {
            if !names.isEmpty { try advance() }
            let t = try expectNewName(what)
            if QASMExpression.Function(rawValue: t.text) != nil {
                throw error(.unexpectedToken, "'\(t.text)' is a function name and cannot be a \(kind)",
                            at: t.location)
            }
            if names.contains(t.text) {
                throw error(.duplicateDefinition, "gate '\(gate)' declares \(kind) '\(t.text)' twice",
                            at: t.location)
            }
            names.append(t.text)
        } while token.isSymbol(",")
        return names
    }

    /// One statement of a gate body: a gate call (returned) or a barrier (nil).
    private mutating func parseBodyStatement(gate: String, parameters: [String], qubits: [String])
        throws(QASMError) -> QASMGateCall?
    {
        guard token.kind == .identifier else {
            throw unexpected("a gate call or '}' in the body of gate '\(gate)'")
        }
        let name = token
        try advance()
        if name.text == "barrier" {
            _ = try parseBodyQubits(gate: gate, qubits: qubits)
            return nil
        }
        if name.text == "gphase" && version == 3 {
            // Qiskit writes a definition's global phase; it changes no expectation value.
            _ = try parseExpressionList(scope: .gateBody(gate: gate, parameters: parameters))
            try expect(";", "after gphase")
            return nil
        }
        if QASMParser.reservedWords.contains(name.text) && name.text != "U" && name.text != "CX" {
            throw error(.unexpectedToken, "'\(name.text)' is not allowed in a gate body: only gate calls "
                + "and barrier", at: name.location)
        }
        guard let calleeIndex = gates.index[name.text] else {
            let why = name.text == gate ? " (a gate cannot call itself)" : " in the body of gate '\(gate)'"
            throw error(.unknownGate, "unknown gate '\(name.text)'\(why)", at: name.location)
        }
        let callee = gates.definitions[calleeIndex]
        var arguments: [QASMExpression] = []
        if token.isSymbol("(") {
            arguments = try parseExpressionList(scope: .gateBody(gate: gate, parameters: parameters))
        }
        guard arguments.count == callee.parameterCount else {
            throw error(.wrongParameterCount, "gate '\(name.text)' takes \(callee.parameterCount) "
                + "parameter(s), got \(arguments.count)", at: name.location)
        }
        let used = try parseBodyQubits(gate: gate, qubits: qubits)
        guard used.count == callee.qubitCount else {
            throw error(.wrongQubitCount, "gate '\(name.text)' acts on \(callee.qubitCount) qubit(s), "
                + "got \(used.count)", at: name.location)
        }
        return QASMGateCall(callee: calleeIndex, arguments: arguments, qubits: used, location: name.location)
    }

    /// `a, b;` naming distinct qubit arguments of the enclosing gate; returns their positions.
    private mutating func parseBodyQubits(gate: String, qubits: [String]) throws(QASMError) -> [Int] {
        var used: [Int] = []
        repeat {
            if !used.isEmpty { try advance() }
            let t = try expectIdentifier("a qubit argument of gate '\(gate)'")
            guard let k = qubits.firstIndex(of: t.text) else {
                throw error(.undeclaredIdentifier, "'\(t.text)' is not a qubit argument of gate '\(gate)'",
                            at: t.location)
            }
            if token.isSymbol("[") {
                throw error(.unexpectedToken, "gate bodies name qubit arguments without indices", at: token.location)
            }
            if used.contains(k) {
                throw error(.wrongQubitCount, "qubit argument '\(t.text)' is used twice in one gate call",
                            at: t.location)
            }
            used.append(k)
        } while token.isSymbol(",")
        try expect(";", "after the qubit arguments")
        return used
    }

    /// Appends the gates of one application of `definition` to the circuit.
    mutating func expand(_ definition: QASMGateDefinition, angles: [AffineValue], qubits: [Int],
                         callSite: SourceLocation) throws(QASMError)
    {
        switch definition.body {
        case .native(let kind):
            var gateAngles: [Angle] = []
            for value in angles.prefix(kind.angleCount) {
                switch value.angle() {
                case .success(let angle): gateAngles.append(angle)
                case .failure(let reason):
                    throw error(.badExpression, "gate '\(definition.name)': \(reason.message)", at: callSite)
                }
            }
            circuit.append(Gate(kind, qubits, gateAngles))
        case .composite(let body):
            for call in body {
                var values: [AffineValue] = []
                for argument in call.arguments {
                    do throws(ExpressionFailure) {
                        values.append(try argument.evaluate(parameters: angles))
                    } catch {
                        throw self.error(.badExpression, "in gate '\(definition.name)' (expression at "
                            + "\(error.location)): \(error.message)", at: callSite)
                    }
                }
                try expand(gates.definitions[call.callee], angles: values, qubits: call.qubits.map { qubits[$0] },
                           callSite: callSite)
            }
        }
    }
}
