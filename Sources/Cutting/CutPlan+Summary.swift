/// A one-paragraph human summary of a plan (what `qnncut estimate` prints): cuts, γ, widths and
/// sub-experiment counts.
import Circuits

extension CutPlan: CustomStringConvertible {
    /// Number of gate cuts and wire cuts.
    public var gateCutCount: Int { cuts.filter { if case .gate = $0.location { return true } else { return false } }.count }
    public var wireCutCount: Int { cuts.count - gateCutCount }

    public var description: String {
        let places = cuts.map { cut -> String in
            switch cut.location {
            case let .gate(index):
                let gate = circuit.gates[index]
                return "gate \(index) (\(gate.kind.rawValue) \(gate.qubits.map(String.init).joined(separator: ",")))"
            case let .wire(w):
                return "wire q\(w.qubit) before gate \(w.beforeGate)"
            }
        }
        let gamma = planningGamma
        return "\(cuts.count) cut(s) [\(gateCutCount) gate, \(wireCutCount) wire]"
            + (places.isEmpty ? "" : ": " + places.joined(separator: "; "))
            + "; γ = \(gamma), γ² = \(gamma * gamma); fragments of width \(fragments.map(\.width)); "
            + "\(uniqueSettingCount) unique settings (\(workUnits.count) work units) for \(termCount) QPD terms"
    }
}

extension CutEstimate {
    /// `[sample][1 + P + X]` (value, ∂/∂θ, ∂/∂x) flattened, zero rows for samples outside
    /// `samples`: ranks that reconstruct disjoint sample ranges can `MPI_Reduce(SUM)` these.
    public func packed(into sampleCount: Int, at samples: Range<Int>, parameterCount: Int, inputCount: Int) -> [Double] {
        let stride = 1 + parameterCount + inputCount
        var block = Array(repeating: 0.0, count: sampleCount * stride)
        for (local, b) in samples.enumerated() {
            block[b * stride] = values[local]
            if !thetaGradients.isEmpty {
                for i in 0..<parameterCount { block[b * stride + 1 + i] = thetaGradients[local][i] }
                for j in 0..<inputCount { block[b * stride + 1 + parameterCount + j] = inputGradients[local][j] }
            }
        }
        return block
    }

    /// The inverse of `packed` over every sample of a block: gradient rows only when `gradients`
    /// (the same shapes as `CutPlan.reconstruct` returns).
    public init(packed block: [Double], sampleCount: Int, parameterCount p: Int, inputCount x: Int, gradients: Bool) {
        let stride = 1 + p + x
        self.init(
            values: (0..<sampleCount).map { block[$0 * stride] },
            thetaGradients: gradients ? (0..<sampleCount).map { Array(block[$0 * stride + 1 ..< $0 * stride + 1 + p]) } : [],
            inputGradients: gradients ? (0..<sampleCount).map { Array(block[$0 * stride + 1 + p ..< ($0 + 1) * stride]) } : [])
    }
}
