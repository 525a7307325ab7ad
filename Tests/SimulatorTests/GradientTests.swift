/// Adjoint gradients against central finite differences (every gate kind, shared parameters,
/// θ and x) and against the exact parameter-shift rule.

import Testing
import Circuits
@testable import Simulator

/// Central finite differences of every sample's value with respect to θ and to x.
func finiteDifferences(_ c: Circuit, _ o: Observable, theta: [Double], inputs: [[Double]],
                       step h: Double = 1e-5) -> (theta: [[Double]], input: [[Double]]) {
    func value(_ t: [Double], _ x: [Double]) -> Double {
        Simulator.evaluate(c, observable: o, theta: t, inputs: [x], gradients: false).values[0]
    }
    var dTheta: [[Double]] = [], dInput: [[Double]] = []
    for x in inputs {
        dTheta.append(theta.indices.map { i in
            var up = theta, down = theta
            up[i] += h; down[i] -= h
            return (value(up, x) - value(down, x)) / (2 * h)
        })
        dInput.append(x.indices.map { j in
            var up = x, down = x
            up[j] += h; down[j] -= h
            return (value(theta, up) - value(theta, down)) / (2 * h)
        })
    }
    return (dTheta, dInput)
}

@Suite struct GradientTests {
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func adjointMatchesFiniteDifferencesOnRandomCircuits(seed: UInt64) {
        var rng = SeededRNG(seed: seed)
        let n = 4
        let c = randomCircuit(qubits: n, gates: 40, parameters: 6, inputs: 3, rng: &rng)
        let o = randomObservable(qubits: n, terms: 3, rng: &rng)
        let theta = (0..<6).map { _ in Double.random(in: -3...3, using: &rng) }
        let inputs = randomInputs(3, features: 3, rng: &rng)
        let e = Simulator.evaluate(c, observable: o, theta: theta, inputs: inputs, gradients: true)
        let fd = finiteDifferences(c, o, theta: theta, inputs: inputs)
        #expect(maxDifference(e.thetaGradients, fd.theta) < 1e-6)
        #expect(maxDifference(e.inputGradients, fd.input) < 1e-6)
        // Not a vacuous comparison: the gradients are far from zero.
        #expect(e.thetaGradients.flatMap { $0 }.map(abs).max()! > 1e-2)
        #expect(e.inputGradients.flatMap { $0 }.map(abs).max()! > 1e-2)
    }

    @Test func adjointMatchesParameterShiftForRotations() {
        var rng = SeededRNG(seed: 42)
        let n = 4
        let rotations: [GateKind] = [.rx, .ry, .rz, .rxx, .ryy, .rzz]
        var c = Circuit(qubitCount: n)
        for q in 0..<n { c.append(Gate(.h, [q])) }
        // Each θ_i and x_j drives exactly one gate with scale 1, so the two-term shift rule is exact.
        var nextTheta = 0, nextInput = 0
        for k in 0..<24 {
            let kind = rotations.randomElement(using: &rng)!
            let qubits = Array((0..<n).shuffled(using: &rng).prefix(kind.arity))
            let angle: Angle = k % 3 == 2 ? .input(nextInput, scale: 1) : .theta(nextTheta, scale: 1)
            if k % 3 == 2 { nextInput += 1 } else { nextTheta += 1 }
            c.append(Gate(kind, qubits, [Angle(constant: 0.3 * Double(k), thetaIndex: angle.thetaIndex,
                                                inputIndex: angle.inputIndex)]))
            if k % 5 == 4 { c.append(Gate(.cx, [qubits[0], (qubits[0] + 1) % n])) }
        }
        let o = randomObservable(qubits: n, terms: 2, rng: &rng)
        let theta = (0..<c.parameterCount).map { _ in Double.random(in: -3...3, using: &rng) }
        let x = (0..<c.inputCount).map { _ in Double.random(in: -3...3, using: &rng) }
        let e = Simulator.evaluate(c, observable: o, theta: theta, inputs: [x], gradients: true)
        func value(_ t: [Double], _ x: [Double]) -> Double {
            Simulator.evaluate(c, observable: o, theta: t, inputs: [x], gradients: false).values[0]
        }
        let s = Double.pi / 2
        for i in theta.indices {
            var up = theta, down = theta
            up[i] += s; down[i] -= s
            let shift = (value(up, x) - value(down, x)) / 2
            #expect(abs(e.thetaGradients[0][i] - shift) < 1e-10, "θ[\(i)]")
        }
        for j in x.indices {
            var up = x, down = x
            up[j] += s; down[j] -= s
            let shift = (value(theta, up) - value(theta, down)) / 2
            #expect(abs(e.inputGradients[0][j] - shift) < 1e-10, "x[\(j)]")
        }
        #expect(e.thetaGradients[0].map(abs).max()! > 1e-2)
    }

    @Test func qnnGradientsMatchFiniteDifferences() {
        var rng = SeededRNG(seed: 7)
        let n = 5, layers = 2
        let c = ReferenceQNN.circuit(qubits: n, layers: layers, crossingLayers: 1)
        let o = Observable.z(n - 1, qubitCount: n)
        let theta = (0..<c.parameterCount).map { _ in Double.random(in: -3...3, using: &rng) }
        let inputs = randomInputs(4, features: n, rng: &rng)
        let e = Simulator.evaluate(c, observable: o, theta: theta, inputs: inputs, gradients: true)
        let fd = finiteDifferences(c, o, theta: theta, inputs: inputs)
        #expect(maxDifference(e.thetaGradients, fd.theta) < 1e-6)
        #expect(maxDifference(e.inputGradients, fd.input) < 1e-6)
    }

    @Test func gradientShapesFollowThetaAndInputLengths() {
        let c = ReferenceQNN.circuit(qubits: 3, layers: 1)
        let theta = Array(repeating: 0.1, count: c.parameterCount + 2)   // extra unused parameters
        let e = Simulator.evaluate(c, observable: .z(2, qubitCount: 3), theta: theta,
                                   inputs: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], gradients: true)
        #expect(e.thetaGradients.count == 2 && e.thetaGradients[0].count == theta.count)
        #expect(e.thetaGradients[0].suffix(2) == [0, 0])
        #expect(e.inputGradients.count == 2 && e.inputGradients[1].count == 3)
        let plain = Simulator.evaluate(c, observable: .z(2, qubitCount: 3), theta: theta,
                                       inputs: [[0.1, 0.2, 0.3]], gradients: false)
        #expect(plain.thetaGradients.isEmpty && plain.inputGradients.isEmpty)
        #expect(plain.values[0] == e.values[0])
    }
}
