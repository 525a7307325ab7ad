/// Parsing angle expressions into postfix `QASMExpression`s.
///
/// Precedence, loosest first: `+ -`, `* /`, unary `-`, `^` (right-associative, so `-2^2` is −4
/// and `2^-1` is 0.5). Primaries: numbers, `pi`, functions `sin cos tan exp ln sqrt asin acos
/// atan`, parentheses, and, by scope, a gate's parameters (inside its body) or the trainable
/// parameters `theta[i]` and input features `x[j]` (at top level only).

extension QASMParser {
    enum ExpressionScope {
        case topLevel
        case gateBody(gate: String, parameters: [String])
    }

    /// `( e1, e2, ... )`, possibly empty.
    mutating func parseExpressionList(scope: ExpressionScope) throws(QASMError) -> [QASMExpression] {
        try expect("(", "before the gate parameters")
        var list: [QASMExpression] = []
        if token.isSymbol(")") {
            try advance()
            return list
        }
        while true {
            var expression = QASMExpression()
            try parseSum(into: &expression, scope, depth: 0)
            list.append(expression)
            if token.isSymbol(",") {
                try advance()
                continue
            }
            guard token.isSymbol(")") else {
                throw unexpected("',' or ')' in the parameter list", kind: .badExpression)
            }
            try advance()
            return list
        }
    }

    private mutating func parseSum(into e: inout QASMExpression, _ scope: ExpressionScope, depth: Int) throws(QASMError) {
        try parseProduct(into: &e, scope, depth: depth)
        while token.isSymbol("+") || token.isSymbol("-") {
            let op = token
            try advance()
            try parseProduct(into: &e, scope, depth: depth)
            e.operations.append((op.text == "+" ? .add : .subtract, op.location))
        }
    }

    private mutating func parseProduct(into e: inout QASMExpression, _ scope: ExpressionScope, depth: Int) throws(QASMError) {
        try parseUnary(into: &e, scope, depth: depth)
        while token.isSymbol("*") || token.isSymbol("/") {
            let op = token
            try advance()
            try parseUnary(into: &e, scope, depth: depth)
            e.operations.append((op.text == "*" ? .multiply : .divide, op.location))
        }
    }

    private mutating func checkDepth(_ depth: Int) throws(QASMError) {
        if depth > QASM.maxNestingDepth {
            throw error(.badExpression, "expression nested more than \(QASM.maxNestingDepth) levels deep",
                        at: token.location)
        }
    }

    private mutating func parseUnary(into e: inout QASMExpression, _ scope: ExpressionScope, depth: Int) throws(QASMError) {
        if token.isSymbol("-") || token.isSymbol("+") {
            let op = token
            try advance()
            try checkDepth(depth + 1)
            try parseUnary(into: &e, scope, depth: depth + 1)
            if op.text == "-" { e.operations.append((.negate, op.location)) }
            return
        }
        try parsePrimary(into: &e, scope, depth: depth)
        if token.isSymbol("^") {
            let op = token
            try advance()
            try checkDepth(depth + 1)
            try parseUnary(into: &e, scope, depth: depth + 1)
            e.operations.append((.power, op.location))
        }
    }

    private mutating func parsePrimary(into e: inout QASMExpression, _ scope: ExpressionScope, depth: Int) throws(QASMError) {
        let t = token
        switch t.kind {
        case .integer, .real:
            guard let v = Double(t.text), v.isFinite else {
                throw error(.badExpression, "number \(t.text) is not a finite double", at: t.location)
            }
            try advance()
            e.operations.append((.number(v), t.location))
        case .symbol where t.text == "(":
            try advance()
            try checkDepth(depth + 1)
            try parseSum(into: &e, scope, depth: depth + 1)
            try expect(")", "to close the parenthesis opened at \(t.location)")
        case .identifier:
            try advance()
            try parseNamedPrimary(t, into: &e, scope, depth: depth)
        default:
            throw unexpected("a number, pi, a parameter, a function or '(' in the expression", kind: .badExpression)
        }
    }

    /// `pi`, `sin(...)`, a gate parameter, `theta[i]` or `x[j]`; `t` has been consumed.
    private mutating func parseNamedPrimary(_ t: QASMToken, into e: inout QASMExpression, _ scope: ExpressionScope,
                                            depth: Int) throws(QASMError)
    {
        if t.text == "pi" {
            e.operations.append((.number(Double.pi), t.location))
            return
        }
        if let f = QASMExpression.Function(rawValue: t.text) {
            guard token.isSymbol("(") else { throw unexpected("'(' after function '\(t.text)'", kind: .badExpression) }
            try advance()
            try checkDepth(depth + 1)
            try parseSum(into: &e, scope, depth: depth + 1)
            try expect(")", "to close the argument of '\(t.text)'")
            e.operations.append((.call(f), t.location))
            return
        }
        switch scope {
        case .gateBody(let gate, let parameters):
            if let k = parameters.firstIndex(of: t.text) {
                e.operations.append((.parameter(k), t.location))
                return
            }
            if t.text == "theta" || t.text == "x" {
                throw error(.badExpression, "'\(t.text)[...]' may only be used in top-level gate calls; "
                    + "pass it to gate '\(gate)' as an argument", at: t.location)
            }
            throw error(.undeclaredIdentifier, "'\(t.text)' is not a parameter of gate '\(gate)'", at: t.location)
        case .topLevel:
            if version == 3 {
                guard let operation = try inputParameter(t.text) else {
                    throw error(.undeclaredIdentifier, "unknown identifier '\(t.text)' in expression (declare "
                        + "parameters as 'input float[64] \(t.text);')", at: t.location)
                }
                e.operations.append((operation, t.location))
                return
            }
            guard t.text == "theta" || t.text == "x" else {
                throw error(.undeclaredIdentifier, "unknown identifier '\(t.text)' in expression (expected "
                    + "a number, pi, theta[i], x[j], a function or '(')", at: t.location)
            }
            guard token.isSymbol("[") else {
                throw unexpected("'[' after '\(t.text)': trainable parameters are written theta[i] and "
                    + "inputs x[j]", kind: .badExpression)
            }
            try advance()
            let (index, location) = try expectInteger("\(t.text) index")
            guard index <= QASM.maxParameterIndex else {
                throw error(.limitExceeded, "\(t.text) index \(index) exceeds \(QASM.maxParameterIndex)", at: location)
            }
            try expect("]", "after the \(t.text) index")
            e.operations.append((t.text == "theta" ? .theta(index) : .input(index), t.location))
        }
    }
}
