/// Gradients of a wide model with no uncut reference to lean on: the adjoint gradient through one
/// cut (blocks of width w) must equal central differences of the values of a second, independent
/// cut of the same circuit (blocks of width 2w, which cuts only every other boundary). Two cuts
/// share no QPD terms, so a wrong coefficient derivative, fragment gradient or contraction on
/// either side shows up as a disagreement.
import Circuits
import Cutting
import Foundation
import Testing
@testable import QNN
import Support

struct WideGradientTests {
    @Test("∂E/∂θ and ∂E/∂x by blocks of 3 equal central differences of the cut by blocks of 6")
    func gradientsAgreeAcrossCuts() throws {
        // 4 blocks of 3 in a ring, rzz boundaries (trainable, so the QPD coefficients depend on θ),
        // mean_z: every parameter is inside the readout's light cone. One crossing layer and a
        // strided subset of θ keep it to a few seconds in a debug build (every θ and two crossing
        // layers took 85 s there).
        let family = BlockQNN(qubits: 12, layers: 2, fragments: 4, topology: .ring, crossingLayers: 1, boundaryGate: .rzz)
        let circuit = family.circuit
        var observable = Observable(qubitCount: 12, terms: [])
        observable.terms = family.readoutQubits.map { PauliString(coefficient: 0.25, qubits: [$0], paulis: [.z]) }
        let fine = try CutPlan(circuit: circuit, observable: observable, cuts: .partition(labels: family.partitionLabels))
        let coarse = try CutPlan(circuit: circuit, observable: observable, cuts: .partition(labels: "AAAAAABBBBBB"))
        #expect(fine.cuts.count == 4 && coarse.cuts.count == 2)

        var rng = Xoshiro256(seed: 21)
        let theta = (0..<circuit.parameterCount).map { _ in 2 * rng.uniform() - 1 }
        let x = (0..<12).map { _ in .pi * rng.uniform() }
        let a = try fine.estimate(theta: theta, inputs: [x], gradients: true)
        let b = try coarse.estimate(theta: theta, inputs: [x], gradients: false)
        #expect(abs(a.values[0] - b.values[0]) < 1e-12, "\(a.values[0]) vs \(b.values[0])")

        let h = 1e-5
        func coarseValue(_ t: [Double], _ input: [Double]) throws -> Double {
            try coarse.estimate(theta: t, inputs: [input], gradients: false).values[0]
        }
        var worst = 0.0
        // Every rzz angle (48…51) and every fifth rotation angle, RY and RZ alike.
        for i in Array(stride(from: 0, to: 48, by: 5)) + Array(48..<52) {
            var plus = theta, minus = theta
            plus[i] += h
            minus[i] -= h
            let difference = (try coarseValue(plus, x) - coarseValue(minus, x)) / (2 * h)
            worst = max(worst, abs(difference - a.thetaGradients[0][i]))
        }
        for j in [0, 5, 11] {
            var plus = x, minus = x
            plus[j] += h
            minus[j] -= h
            let difference = (try coarseValue(theta, plus) - coarseValue(theta, minus)) / (2 * h)
            worst = max(worst, abs(difference - a.inputGradients[0][j]))
        }
        #expect(worst < 1e-8, "largest |adjoint − central difference| = \(worst)")
        // Not vacuous: the rzz angles (after the 48 rotation angles) and the rotations both matter.
        #expect(a.thetaGradients[0][48...].contains { abs($0) > 1e-4 })
        #expect(a.thetaGradients[0][..<48].contains { abs($0) > 1e-3 })
    }
}
