/// Seeded mutation fuzzing: thousands of corrupted fixture texts must each either parse or throw
/// the parser's error type, never trap or hang. Parsed results must still satisfy the model's
/// invariants.

import TestSupport
import Testing
@testable import Circuits

/// Byte-level mutations of a text: flips, deletions, insertions, token swaps, truncations.
struct Mutator {
    var rng: SplitMix64
    let tokens: [[UInt8]]

    mutating func mutate(_ input: [UInt8], times: Int) -> [UInt8] {
        var b = input
        for _ in 0..<times where !b.isEmpty {
            let at = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: b[at] = UInt8.random(in: 0...255, using: &rng)
            case 1: b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...12, using: &rng)))
            case 2: b.insert(contentsOf: tokens.randomElement(using: &rng)!, at: at)
            case 3: b.insert(UInt8.random(in: 0x20...0x7E, using: &rng), at: at)
            case 4: b.removeSubrange(at...)
            case 5: swapWords(&b)
            default:
                // Duplicate a slice (repeats statements, declarations, brackets).
                let end = min(b.count, at + Int.random(in: 1...40, using: &rng))
                b.insert(contentsOf: b[at..<end], at: end)
            }
        }
        return b
    }

    /// Exchanges two space/punctuation-delimited words.
    mutating func swapWords(_ b: inout [UInt8]) {
        let separators = Set(" \n;,()[]{}".utf8)
        var words: [Range<Int>] = []
        var start: Int?
        for (i, c) in b.enumerated() {
            if separators.contains(c) {
                if let s = start { words.append(s..<i) }
                start = nil
            } else if start == nil { start = i }
        }
        if let s = start { words.append(s..<b.count) }
        guard words.count >= 2 else { return }
        var i = Int.random(in: 0..<words.count, using: &rng)
        var j = Int.random(in: 0..<words.count, using: &rng)
        if i == j { return }
        if i > j { swap(&i, &j) }
        let (first, second) = (Array(b[words[i]]), Array(b[words[j]]))
        b.replaceSubrange(words[j], with: first)  // the later range first keeps indices valid
        b.replaceSubrange(words[i], with: second)
    }
}

@Suite struct FuzzTests {
    static let qasmTokens: [[UInt8]] = [
        "(", ")", ";", "[", "]", "{", "}", ",", "->", "==", "\"", "//", "\n", "-", "+", "*", "/", "^", ".",
        "gate ", "qreg ", "creg ", "opaque ", "barrier ", "measure ", "if", "include ", "OPENQASM ",
        "pi", "theta[0]", "x[3]", "theta[99999999999999999999]", "sin(", "ln(", "sqrt(", "1e308", "1e-3",
        ".5", "0", "7", "99999999999999999999", "q", "q[0]", "r", "U", "CX", "cu3", "c4x", "rccx", "ryy",
        " ", "\t", "\u{0}", "\u{FF}", "é",
    ].map { Array($0.utf8) }

    /// Checks a parsed circuit against the model's invariants.
    func checkInvariants(_ c: Circuit) {
        for g in c.gates {
            #expect(g.qubits.count == g.kind.arity && Set(g.qubits).count == g.qubits.count)
            #expect(g.qubits.allSatisfy { $0 >= 0 && $0 < c.qubitCount })
            #expect(g.angles.allSatisfy { $0.constant.isFinite && $0.thetaScale.isFinite && $0.inputScale.isFinite })
            #expect(g.angles.allSatisfy { ($0.thetaIndex ?? 0) < max(c.parameterCount, 1) })
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func mutatedQASMNeverCrashes() {
        let seeds = Fixtures.random.filter { $0.num_qubits <= 5 }.flatMap { [$0.qasm2, $0.qasm2_paper_qelib1] }
            + Fixtures.qnn.prefix(4).map(\.qasm2)
            + ["OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg c[3];\n"
                + "gate g(a,b) s,t { rz(a/2) s; cx s,t; barrier s,t; ry(-b*2+pi) t; cu3(a,b,a) s,t; }\n"
                + "g(theta[0], 0.5*x[1] - 1) q[0], q[2];\nh q;\nbarrier q;\nrzz(theta[1]) q[1], q[0];\n"]
        var mutator = Mutator(rng: SplitMix64(state: 20_240_611), tokens: Self.qasmTokens)
        var parsed = 0
        var failed: [QASMError.Kind: Int] = [:]
        for round in 0..<6000 {
            let seed = Array(seeds[round % seeds.count].utf8)
            let input = mutator.mutate(seed, times: 1 + round % 3)
            do {
                checkInvariants(try QASM.parse(utf8: input, fileName: "fuzz"))
                parsed += 1
            } catch {
                failed[error.kind, default: 0] += 1
                #expect(error.location != nil && !error.description.contains("\n"))
            }
        }
        // The mutations are neither all harmless nor all fatal, and hit many error kinds.
        #expect(parsed > 100)
        #expect(failed.values.reduce(0, +) > 1000)
        #expect(failed.count >= 8, "\(failed)")
    }

    @Test(.timeLimit(.minutes(1)))
    func randomBytesNeverCrash() {
        var rng = SplitMix64(state: 7)
        for _ in 0..<500 {
            let body = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(throws: QASMError.self) {
                try QASM.parse(utf8: Array("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\n".utf8) + [0x01] + body)
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func mutatedObservablesNeverCrash() {
        let seeds = Fixtures.allObservables.map { ($0.qubitCount, $0.observable.label) }
            + [(4, "0.5*Z0 Z1 + 0.25*X2 - Y1"), (3, "-1.5*IIZ + 2e-3*X0*Y2 - .5"), (10, "Z0 Z9 - I")]
        let tokens = ["+", "-", "*", " ", "0.5", "1e", "1e999", ".", "Z", "X1", "Y99999999999999999999", "I",
                      "IIZ", "\u{0}", "é", "q", "3"].map { Array($0.utf8) }
        var mutator = Mutator(rng: SplitMix64(state: 99), tokens: tokens)
        var parsed = 0
        var failed = 0
        for round in 0..<5000 {
            let (n, text) = seeds[round % seeds.count]
            let input = String(decoding: mutator.mutate(Array(text.utf8), times: 1 + round % 2), as: UTF8.self)
            do {
                let o = try Observable.parse(input, qubitCount: n)
                for t in o.terms {
                    #expect(t.qubits.allSatisfy { $0 >= 0 && $0 < n } && Set(t.qubits).count == t.qubits.count)
                    #expect(t.coefficient.isFinite)
                }
                #expect(try Observable.parse(o.description, qubitCount: n) == o)
                parsed += 1
            } catch {
                #expect(error.column >= 1 && error.column <= input.utf8.count + 1)
                failed += 1
            }
        }
        #expect(parsed > 500 && failed > 500, "parsed \(parsed), failed \(failed)")
    }
}
