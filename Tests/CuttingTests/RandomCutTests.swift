/// Exact reconstruction equals the uncut circuit, gradients included, for generated circuits with
/// random gate and wire cuts (1–6 cuts, 2–4 intended fragments, SWAPs, angles in θ and x).
import Testing
import Circuits
import Simulator
@testable import Cutting
import Support

@Suite struct RandomCutTests {
    /// A generated circuit, its explicit cuts and an observable.
    struct Case {
        var circuit: Circuit
        var observable: Observable
        var gateCuts: [Int]
        var wireCuts: [WireCut]
    }

    static let oneQubit: [GateKind] = [.h, .s, .sdg, .t, .x, .y, .z, .sx, .rx, .ry, .rz, .p, .u3, .u2]
    static let cuttable: [GateKind] = [.cx, .cy, .cz, .ch, .rxx, .ryy, .rzz, .crx, .cry, .crz, .cp]

    static func angle(_ rng: inout Xoshiro256, parameters: Int, inputs: Int) -> Angle {
        let constant = (rng.uniform() - 0.5) * 4
        switch rng.next() % 4 {
        case 0: return .constant(constant)
        case 1: return Angle(constant: constant, inputIndex: Int(rng.next() % UInt64(inputs)), inputScale: rng.uniform() + 0.5)
        default: return Angle(constant: constant, thetaIndex: Int(rng.next() % UInt64(parameters)), thetaScale: rng.uniform() * 2 - 1)
        }
    }

    /// Qubits start in fragments; gates stay inside a fragment except the ones we cut; a wire cut
    /// moves a qubit to another fragment from that point on.
    static func makeCase(seed: UInt64) -> Case {
        var rng = Xoshiro256(seed: seed)
        let fragmentCount = 2 + Int(rng.next() % 3)
        let n = fragmentCount + Int(rng.next() % UInt64(7 - fragmentCount))
        let parameters = 6, inputs = 3
        var label = (0..<n).map { $0 < fragmentCount ? $0 : Int(rng.next() % UInt64(fragmentCount)) }
        var circuit = Circuit(qubitCount: n, parameterCount: parameters, inputCount: inputs)
        let cutCount = 1 + Int(rng.next() % 6)
        var gateCuts: [Int] = [], wireCuts: [WireCut] = []
        // Interleave cut events among ordinary gates.
        let gateCount = 8 + Int(rng.next() % 10)
        let cutSlots = Set((0..<cutCount).map { _ in Int(rng.next() % UInt64(gateCount + 1)) })
        var remainingCuts = cutCount
        for slot in 0...gateCount {
            if cutSlots.contains(slot) && remainingCuts > 0 {
                remainingCuts -= 1
                if rng.next() % 3 == 0 {
                    let q = Int(rng.next() % UInt64(n))
                    wireCuts.append(WireCut(qubit: q, beforeGate: circuit.gates.count))
                    label[q] = Int(rng.next() % UInt64(fragmentCount))
                } else {
                    let a = Int(rng.next() % UInt64(n))
                    var b = Int(rng.next() % UInt64(n))
                    if b == a { b = (a + 1) % n }
                    let kind = cuttable[Int(rng.next() % UInt64(cuttable.count))]
                    gateCuts.append(circuit.gates.count)
                    circuit.append(Gate(kind, [a, b], (0..<kind.angleCount).map { _ in angle(&rng, parameters: parameters, inputs: inputs) }))
                }
            }
            guard slot < gateCount else { break }
            let q = Int(rng.next() % UInt64(n))
            let partners = (0..<n).filter { $0 != q && label[$0] == label[q] }
            if !partners.isEmpty && rng.next() % 2 == 0 {
                let r = partners[Int(rng.next() % UInt64(partners.count))]
                let kind = rng.next() % 5 == 0 ? GateKind.swap : cuttable[Int(rng.next() % UInt64(cuttable.count))]
                circuit.append(Gate(kind, [q, r], (0..<kind.angleCount).map { _ in angle(&rng, parameters: parameters, inputs: inputs) }))
                if kind == .swap { label.swapAt(q, r) }
            } else {
                let kind = oneQubit[Int(rng.next() % UInt64(oneQubit.count))]
                circuit.append(Gate(kind, [q], (0..<kind.angleCount).map { _ in angle(&rng, parameters: parameters, inputs: inputs) }))
            }
        }
        // Observable: one or two random Pauli strings.
        var terms: [PauliString] = []
        for t in 0..<(1 + Int(rng.next() % 2)) {
            let qubits = (0..<n).filter { _ in rng.next() % 2 == 0 }
            terms.append(PauliString(coefficient: t == 0 ? 1 : 0.5 - rng.uniform(), qubits: qubits,
                                     paulis: qubits.map { _ in [Pauli.x, .y, .z][Int(rng.next() % 3)] }))
        }
        return Case(circuit: circuit, observable: Observable(qubitCount: n, terms: terms), gateCuts: gateCuts, wireCuts: wireCuts)
    }

    /// The plan, or nil when a fragment would exceed the settings limit (any other error fails).
    static func planUnlessHuge(_ c: Case, _ options: CutPlanOptions) throws -> CutPlan? {
        do {
            return try CutPlan(circuit: c.circuit, observable: c.observable,
                               cuts: .explicit(gateCuts: c.gateCuts, wireCuts: c.wireCuts), options: options)
        } catch let error as CuttingError {
            if case .tooManySettings = error { return nil }
            throw error
        }
    }

    @Test func reconstructionMatchesUncutWithGradients() throws {
        var checked = 0, skipped = 0, fragmentCounts: [Int: Int] = [:], withWireCuts = 0
        var seed: UInt64 = 1
        while checked < 200 {
            seed += 1
            let c = Self.makeCase(seed: seed)
            // Keep the debug-build test fast: skip the rare plans with very many settings (cuts
            // whose two sides land in one fragment multiply its settings).
            guard let plan = try Self.planUnlessHuge(c, CutPlanOptions(maxSettingsPerFragment: 400)) else { skipped += 1; continue }
            var rng = Xoshiro256(seed: seed &* 7919)
            let theta = (0..<c.circuit.parameterCount).map { _ in rng.uniform() * 6 - 3 }
            let inputs = (0..<2).map { _ in (0..<c.circuit.inputCount).map { _ in rng.uniform() * 6 - 3 } }
            let cut = try plan.estimate(theta: theta, inputs: inputs, gradients: true)
            let uncut = Simulator.evaluate(c.circuit, observable: c.observable, theta: theta, inputs: inputs, gradients: true)
            for b in inputs.indices {
                #expect(abs(cut.values[b] - uncut.values[b]) < 1e-10, "seed \(seed) sample \(b): \(cut.values[b]) vs \(uncut.values[b])")
                for i in theta.indices {
                    #expect(abs(cut.thetaGradients[b][i] - uncut.thetaGradients[b][i]) < 1e-10, "seed \(seed) ∂/∂θ\(i)")
                }
                for j in inputs[b].indices {
                    #expect(abs(cut.inputGradients[b][j] - uncut.inputGradients[b][j]) < 1e-10, "seed \(seed) ∂/∂x\(j)")
                }
            }
            checked += 1
            fragmentCounts[plan.fragments.count, default: 0] += 1
            if !c.wireCuts.isEmpty { withWireCuts += 1 }
        }
        // The generator really exercises several fragment counts and wire cuts.
        #expect(fragmentCounts.keys.contains(2) && fragmentCounts.keys.contains(3) && fragmentCounts.keys.contains(4),
                "fragment counts \(fragmentCounts)")
        #expect(skipped < 100, "\(skipped) generated cases exceeded the settings limit")
        #expect(withWireCuts >= 40, "only \(withWireCuts) cases with wire cuts")
    }

    /// Each gate kind with a decomposition, cut on its own (both orientations), in every Pauli
    /// readout: value and gradients (through the gate's own angle too) match the uncut circuit.
    @Test(arguments: cuttable)
    func everyGateKindCutsExactly(kind: GateKind) throws {
        for (a, b) in [(0, 1), (1, 0)] {
            var c = Circuit(qubitCount: 3)
            for q in 0..<3 {
                c.append(Gate(.ry, [q], [Angle(constant: 0.3, thetaIndex: q, thetaScale: 1.3)]))
                c.append(Gate(.rz, [q], [Angle(constant: -0.2, inputIndex: q, inputScale: 0.7)]))
            }
            c.append(Gate(.cx, [1, 2]))
            let cutIndex = c.gates.count
            c.append(Gate(kind, [a, b], (0..<kind.angleCount).map { _ in Angle(constant: 0.4, thetaIndex: 3, thetaScale: -0.9) }))
            for q in 0..<3 { c.append(Gate(.rx, [q], [.theta(4 + q)])) }
            c.append(Gate(.cz, [1, 2]))
            let observable = Observable(qubitCount: 3, terms: [
                PauliString(qubits: [0, 1, 2], paulis: [.x, .y, .z]),
                PauliString(coefficient: -0.7, qubits: [0, 2], paulis: [.y, .x]),
                PauliString(coefficient: 0.4, qubits: [0, 1], paulis: [.z, .z]),
            ])
            let plan = try CutPlan(circuit: c, observable: observable, cuts: .explicit(gateCuts: [cutIndex], wireCuts: []))
            #expect(plan.fragments.count == 2)
            #expect(plan.fragments.allSatisfy { $0.settingCount == 5 })
            let theta = [0.5, -1.1, 0.8, 1.7, -0.3, 0.9, 2.2]
            let inputs = [[0.1, 0.6, -0.4], [1.5, -2.0, 0.3]]
            let cut = try plan.estimate(theta: theta, inputs: inputs, gradients: true)
            let uncut = Simulator.evaluate(c, observable: observable, theta: theta, inputs: inputs, gradients: true)
            for s in inputs.indices {
                #expect(abs(cut.values[s] - uncut.values[s]) < 1e-10, "\(kind) on \([a, b])")
                for i in theta.indices { #expect(abs(cut.thetaGradients[s][i] - uncut.thetaGradients[s][i]) < 1e-10, "\(kind) ∂θ\(i)") }
                for j in 0..<3 { #expect(abs(cut.inputGradients[s][j] - uncut.inputGradients[s][j]) < 1e-10, "\(kind) ∂x\(j)") }
            }
        }
    }

    @Test func eightTermWireCutsAreExactToo() throws {
        for seed: UInt64 in 500..<530 {
            let c = Self.makeCase(seed: seed)
            guard let plan = try Self.planUnlessHuge(c, CutPlanOptions(wireCutForm: .eightTerms, maxSettingsPerFragment: 400))
            else { continue }
            let theta = (0..<c.circuit.parameterCount).map { Double($0) * 0.37 - 1 }
            let inputs = [(0..<c.circuit.inputCount).map { Double($0) * 0.71 + 0.2 }]
            let cut = try plan.estimate(theta: theta, inputs: inputs, gradients: false)
            let uncut = Simulator.evaluate(c.circuit, observable: c.observable, theta: theta, inputs: inputs, gradients: false)
            #expect(abs(cut.values[0] - uncut.values[0]) < 1e-10, "seed \(seed)")
        }
    }
}
