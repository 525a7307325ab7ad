/// The gates a QASM file can call: the two OpenQASM 2 built-ins, what `include "qelib1.inc";`
/// brings in (both the paper's qelib1 and Qiskit's extended one), and user `gate` definitions.
///
/// Gates with a `GateKind` map straight to it, with Qiskit's matrices (u1→p, u/U→u3, cu1→cp,
/// CX→cx, u0→id). Library gates without a `GateKind` are defined below in QASM and expanded like
/// user gates. Their expansions are exact, *global phase included* for every gate except the
/// relative-phase Toffolis `rccx`/`rc3x`, whose defining circuits (Qiskit's) are taken as written:
/// a global phase would not change an expectation value anyway.

/// One statement of a composite gate's body: call `callee` with angle expressions over the
/// enclosing gate's parameters, on qubits given as positions in its qubit-argument list.
struct QASMGateCall: Sendable {
    var callee: Int
    var arguments: [QASMExpression]
    var qubits: [Int]
    var location: SourceLocation
}

/// A gate the reader knows: its signature and how it expands.
struct QASMGateDefinition: Sendable {
    enum Body: Sendable {
        /// Emits one `Gate` of this kind (dropping surplus angles: `u0(γ)` is an identity).
        case native(GateKind)
        case composite([QASMGateCall])
    }

    var name: String
    var parameterCount: Int
    var qubitCount: Int
    var body: Body
    /// Where the user defined it; nil for built-ins.
    var location: SourceLocation?
    /// Number of `Gate`s one call emits (saturating), checked against the gate limit before
    /// expanding so that nested definitions cannot blow up memory.
    var expandedGateCount: Int
    /// 1 for native gates, 1 + deepest callee otherwise.
    var nestingDepth: Int
}

/// Gate names in scope, and the definitions they name.
struct QASMGateTable: Sendable {
    var definitions: [QASMGateDefinition] = []
    var index: [String: Int] = [:]

    subscript(name: String) -> QASMGateDefinition? { index[name].map { definitions[$0] } }

    mutating func add(_ d: QASMGateDefinition) {
        index[d.name] = definitions.count
        definitions.append(d)
    }

    static func native(_ name: String, _ kind: GateKind, parameters: Int? = nil) -> QASMGateDefinition {
        QASMGateDefinition(name: name, parameterCount: parameters ?? kind.angleCount,
                           qubitCount: kind.arity, body: .native(kind), location: nil,
                           expandedGateCount: 1, nestingDepth: 1)
    }

    /// What every OpenQASM 2 file has without any include.
    static let builtIns: QASMGateTable = {
        var t = QASMGateTable()
        t.add(native("U", .u3))
        t.add(native("CX", .cx))
        return t
    }()

    /// Gate names defined by the OpenQASM 2 paper's qelib1.inc. Redefining one of these after the
    /// include is an error; Qiskit-only names may be redefined with the same signature (Qiskit's
    /// `qasm2.dumps` and older files do that) and then keep their built-in meaning.
    static let paperQelib1Names: Set<String> = [
        "u3", "u2", "u1", "cx", "id", "u0", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "rx", "ry",
        "rz", "cz", "cy", "ch", "ccx", "crz", "cu1", "cu3",
    ]

    /// Gate names `stdgates.inc` defines (OpenQASM 3): redefining one is an error; the other
    /// library names (`rzz`, `sxdg`, `ryy`, ...) may be redefined, as qasm3.dumps does.
    static let stdgatesNames: Set<String> = [
        "p", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "cx", "cy", "cz", "cp",
        "crx", "cry", "crz", "ch", "swap", "ccx", "cswap", "cu", "CX", "phase", "cphase", "id", "u1", "u2", "u3",
    ]

    /// What `include "stdgates.inc";` brings in: the qelib1 library (a superset, with the same
    /// matrices) plus stdgates' `phase` and `cphase` spellings.
    static let stdgates: QASMGateTable = {
        var t = qelib1
        t.add(native("phase", .p))
        t.add(native("cphase", .cp))
        return t
    }()

    /// The built-ins plus everything `include "qelib1.inc";` defines.
    static let qelib1: QASMGateTable = {
        var t = builtIns
        let natives: [(String, GateKind, Int?)] = [
            ("u3", .u3, nil), ("u2", .u2, nil), ("u1", .p, nil), ("cx", .cx, nil), ("id", .id, nil),
            ("u0", .id, 1), ("x", .x, nil), ("y", .y, nil), ("z", .z, nil), ("h", .h, nil),
            ("s", .s, nil), ("sdg", .sdg, nil), ("t", .t, nil), ("tdg", .tdg, nil), ("rx", .rx, nil),
            ("ry", .ry, nil), ("rz", .rz, nil), ("cz", .cz, nil), ("cy", .cy, nil), ("ch", .ch, nil),
            ("ccx", .ccx, nil), ("crz", .crz, nil), ("cu1", .cp, nil),
            // Qiskit's extended qelib1.inc
            ("u", .u3, nil), ("p", .p, nil), ("sx", .sx, nil), ("sxdg", .sxdg, nil),
            ("swap", .swap, nil), ("crx", .crx, nil), ("cry", .cry, nil), ("cp", .cp, nil),
            ("rxx", .rxx, nil), ("rzz", .rzz, nil),
            // Not in any qelib1.inc, but a GateKind; qasm2.dumps writes a definition for it.
            ("ryy", .ryy, nil),
        ]
        for (name, kind, parameters) in natives { t.add(native(name, kind, parameters: parameters)) }
        do {
            var parser = try QASMParser(source: Array(compositeSource.utf8), fileName: "<qelib1>")
            parser.gates = t
            parser.qelib1Included = true
            return try parser.parseDefinitionsOnly()
        } catch {
            // The source below is fixed text covered by the tests; failing here is a bug in it.
            fatalError("built-in qelib1 definitions do not parse: \(error)")
        }
    }()

    /// Library gates without a `GateKind`, as QASM.
    static let compositeSource: String = """
        // controlled-U3 with Qiskit's control phase (exactly the matrix of Qiskit's CU3Gate)
        gate cu3(theta,phi,lambda) c,t {
          u1((lambda+phi)/2) c; u1((lambda-phi)/2) t; cx c,t;
          u3(-theta/2,0,-(phi+lambda)/2) t; cx c,t; u3(theta/2,phi,0) t;
        }
        // controlled-U with an extra phase gamma on the control (Qiskit's CUGate)
        gate cu(theta,phi,lambda,gamma) c,t { p(gamma) c; cu3(theta,phi,lambda) c,t; }
        // controlled-sqrt(X): sx = h p(pi/2) h exactly
        gate csx a,b { h b; cu1(pi/2) a,b; h b; }
        // Fredkin
        gate cswap a,b,c { cx c,b; ccx a,b,c; cx c,b; }
        // relative-phase Toffoli and 3-controlled Toffoli, as Qiskit defines them
        gate rccx a,b,c {
          u2(0,pi) c; u1(pi/4) c; cx b,c; u1(-pi/4) c; cx a,c; u1(pi/4) c; cx b,c; u1(-pi/4) c;
          u2(0,pi) c;
        }
        gate rc3x a,b,c,d {
          u2(0,pi) d; u1(pi/4) d; cx c,d; u1(-pi/4) d; u2(0,pi) d; cx a,d; u1(pi/4) d; cx b,d;
          u1(-pi/4) d; cx a,d; u1(pi/4) d; cx b,d; u1(-pi/4) d; u2(0,pi) d; u1(pi/4) d; cx c,d;
          u1(-pi/4) d; u2(0,pi) d;
        }
        gate c3x a,b,c,d { h d; \(multiControlledPhase("pi", ["a", "b", "c", "d"])) h d; }
        gate c3sqrtx a,b,c,d { h d; \(multiControlledPhase("pi/2", ["a", "b", "c", "d"])) h d; }
        gate c4x a,b,c,d,e { h e; \(multiControlledPhase("pi", ["a", "b", "c", "d", "e"])) h e; }
        """

    /// QASM for diag(1, …, 1, e^{iλ}) on `qubits` (phase only on |1…1⟩), exactly, from the
    /// identity x₁x₂…x_k = 2^{1−k} Σ_{S≠∅} (−1)^{|S|+1} (⊕_{i∈S} x_i): for each non-empty subset
    /// S, compute its parity into S's last qubit with CNOTs, apply p(±λ/2^{k−1}), uncompute.
    static func multiControlledPhase(_ lambda: String, _ qubits: [String]) -> String {
        let k = qubits.count
        var out: [String] = []
        for mask in 1..<(1 << k) {
            let members = (0..<k).filter { mask & (1 << $0) != 0 }.map { qubits[$0] }
            let target = members[members.count - 1]
            let sign = members.count % 2 == 1 ? "" : "-"
            let fold = members.dropLast().map { "cx \($0),\(target);" }
            out += fold
            out.append("p(\(sign)(\(lambda))/\(1 << (k - 1))) \(target);")
            out += fold.reversed()
        }
        return out.joined(separator: " ")
    }
}
