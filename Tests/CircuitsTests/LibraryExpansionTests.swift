/// Checks, with dense unitaries, that the qelib1 gates the reader expands (no GateKind of their
/// own) are exactly the gates Qiskit means, global phase included.

import Testing
@testable import Circuits

#if canImport(Glibc)
import Glibc
#endif

/// Just enough complex arithmetic for small dense unitaries.
struct C: Equatable {
    var re: Double
    var im: Double
    init(_ re: Double, _ im: Double = 0) { self.re = re; self.im = im }
    static func expi(_ t: Double) -> C { C(cos(t), sin(t)) }
    static func + (a: C, b: C) -> C { C(a.re + b.re, a.im + b.im) }
    static func - (a: C, b: C) -> C { C(a.re - b.re, a.im - b.im) }
    static func * (a: C, b: C) -> C { C(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re) }
    var magnitude: Double { (re * re + im * im).squareRoot() }
}

/// The unitary of a constant-angle circuit, `u[row][column]`, qubit 0 = least significant bit.
/// Knows only the kinds the library expansions use.
func unitary(of circuit: Circuit) -> [[C]] {
    let dim = 1 << circuit.qubitCount
    var u = (0..<dim).map { r in (0..<dim).map { c in C(r == c ? 1 : 0) } }  // columns = states
    for gate in circuit.gates {
        let a = gate.angles.map(\.constant)
        let s2 = 1 / 2.0.squareRoot()
        func u3(_ t: Double, _ f: Double, _ l: Double) -> [C] {
            [C(cos(t / 2)), C.expi(l) * C(-sin(t / 2)), C.expi(f) * C(sin(t / 2)), C.expi(f + l) * C(cos(t / 2))]
        }
        let (matrix, controls): ([C], Int)
        switch gate.kind {
        case .x, .cx, .ccx: (matrix, controls) = ([C(0), C(1), C(1), C(0)], gate.qubits.count - 1)
        case .h: (matrix, controls) = ([C(s2), C(s2), C(s2), C(-s2)], 0)
        case .p, .cp: (matrix, controls) = ([C(1), C(0), C(0), C.expi(a[0])], gate.qubits.count - 1)
        case .u3: (matrix, controls) = (u3(a[0], a[1], a[2]), 0)
        case .u2: (matrix, controls) = (u3(.pi / 2, a[0], a[1]), 0)
        case .id: (matrix, controls) = ([C(1), C(0), C(0), C(1)], 0)
        default:
            Issue.record("test unitary: \(gate.kind) is not modelled")
            continue
        }
        let target = 1 << gate.qubits[controls]
        let controlMask = gate.qubits[..<controls].reduce(0) { $0 | 1 << $1 }
        for column in 0..<dim {
            for i in 0..<dim where i & target == 0 && i & controlMask == controlMask {
                let (v0, v1) = (u[column][i], u[column][i | target])
                u[column][i] = matrix[0] * v0 + matrix[1] * v1
                u[column][i | target] = matrix[2] * v0 + matrix[3] * v1
            }
        }
    }
    return (0..<dim).map { r in (0..<dim).map { c in u[c][r] } }
}

/// `|0⟩⟨0| ⊗ I + |1⟩⟨1| ⊗ m` with the control on `control` and the 2×2 `m` on `target`.
func controlled(_ m: [C], controls: [Int], target: Int, qubits: Int) -> [[C]] {
    let dim = 1 << qubits
    let mask = controls.reduce(0) { $0 | 1 << $1 }
    var u = (0..<dim).map { r in (0..<dim).map { c in C(r == c ? 1 : 0) } }
    for i in 0..<dim where i & (1 << target) == 0 && i & mask == mask {
        let j = i | 1 << target
        u[i][i] = m[0]; u[i][j] = m[1]; u[j][i] = m[2]; u[j][j] = m[3]
    }
    return u
}

func maxDifference(_ a: [[C]], _ b: [[C]]) -> Double {
    zip(a, b).flatMap { zip($0, $1).map { ($0 - $1).magnitude } }.max() ?? .infinity
}

@Suite struct LibraryExpansionTests {
    func expansion(_ call: String, qubits: Int) throws -> [[C]] {
        unitary(of: try QASM.parse("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[\(qubits)];\n\(call)"))
    }

    func u3(_ t: Double, _ f: Double, _ l: Double) -> [C] {
        [C(cos(t / 2)), C.expi(l) * C(-sin(t / 2)), C.expi(f) * C(sin(t / 2)), C.expi(f + l) * C(cos(t / 2))]
    }

    @Test func cu3IsControlledU3() throws {
        let got = try expansion("cu3(0.7,-1.1,2.3) q[1],q[0];", qubits: 2)
        #expect(maxDifference(got, controlled(u3(0.7, -1.1, 2.3), controls: [1], target: 0, qubits: 2)) < 1e-12)
    }

    @Test func cuIsControlledU3WithControlPhase() throws {
        let got = try expansion("cu(0.7,-1.1,2.3,0.4) q[0],q[1];", qubits: 2)
        let m = u3(0.7, -1.1, 2.3).map { C.expi(0.4) * $0 }
        #expect(maxDifference(got, controlled(m, controls: [0], target: 1, qubits: 2)) < 1e-12)
    }

    @Test func csxIsControlledSqrtX() throws {
        let sx = [C(0.5, 0.5), C(0.5, -0.5), C(0.5, -0.5), C(0.5, 0.5)]
        let got = try expansion("csx q[0],q[1];", qubits: 2)
        #expect(maxDifference(got, controlled(sx, controls: [0], target: 1, qubits: 2)) < 1e-12)
    }

    @Test func multiControlledXGatesAreExact() throws {
        let x = [C(0), C(1), C(1), C(0)]
        let sx = [C(0.5, 0.5), C(0.5, -0.5), C(0.5, -0.5), C(0.5, 0.5)]
        #expect(maxDifference(try expansion("c3x q[0],q[2],q[3],q[1];", qubits: 4),
                              controlled(x, controls: [0, 2, 3], target: 1, qubits: 4)) < 1e-12)
        #expect(maxDifference(try expansion("c3sqrtx q[3],q[1],q[2],q[0];", qubits: 4),
                              controlled(sx, controls: [3, 1, 2], target: 0, qubits: 4)) < 1e-12)
        #expect(maxDifference(try expansion("c4x q[0],q[1],q[2],q[3],q[4];", qubits: 5),
                              controlled(x, controls: [0, 1, 2, 3], target: 4, qubits: 5)) < 1e-12)
    }

    @Test func cswapIsFredkin() throws {
        let got = try expansion("cswap q[2],q[0],q[1];", qubits: 3)
        var fredkin = (0..<8).map { r in (0..<8).map { c in C(r == c ? 1 : 0) } }
        // control q2 set: swap q0 and q1, i.e. exchange |101⟩ (5) and |110⟩ (6)
        fredkin[5][5] = C(0); fredkin[6][6] = C(0); fredkin[5][6] = C(1); fredkin[6][5] = C(1)
        #expect(maxDifference(got, fredkin) < 1e-12)
    }

    @Test func relativePhaseToffolisPermuteLikeToffolis() throws {
        for (call, n) in [("rccx q[0],q[1],q[2];", 3), ("rc3x q[0],q[1],q[2],q[3];", 4)] {
            let got = try expansion(call, qubits: n)
            let toffoli = controlled([C(0), C(1), C(1), C(0)], controls: Array(0..<(n - 1)), target: n - 1, qubits: n)
            let magnitudes = got.map { $0.map { C($0.magnitude) } }
            #expect(maxDifference(magnitudes, toffoli) < 1e-12, "\(call)")
            #expect(got != toffoli, "\(call) has relative phases")
        }
    }
}
