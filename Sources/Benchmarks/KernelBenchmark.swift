/// The Swift state-vector kernels beside plain C loops (CKernelReference) measured in the same
/// run (`qnncut bench kernels`) — ns per amplitude update for a one-qubit (general 2×2) and a
/// two-qubit (general 4×4) gate at n = 4 (batched) … 24, and QNN circuits per second (forward,
/// forward + adjoint gradient), after checking that both give the same numbers. Timing is
/// min-of-repeats of wall-clock time.
import CKernelReference
import Circuits
import Foundation
import Simulator

/// A failure of the benchmark itself (the two implementations disagree, an allocation failed).
public struct KernelBenchmarkError: Error, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { "qnncut bench kernels: \(message)" }
}

public struct KernelBenchmark: Sendable {
    /// Timing repeats per measurement (the minimum is reported).
    public var repeats: Int

    public init(repeats: Int) { self.repeats = repeats }

    public struct KernelRow: Codable, Sendable {
        public var gate: String
        public var qubits: Int
        public var batch: Int
        public var swiftNsPerAmplitude: Double
        public var cNsPerAmplitude: Double
        public var speedVsC: Double
    }

    public struct QNNRow: Codable, Sendable {
        public var pass: String
        public var qubits: Int
        public var layers: Int
        public var batch: Int
        public var swiftCircuitsPerSecond: Double
        public var cCircuitsPerSecond: Double
        public var speedVsC: Double
        public var maxAbsDifference: Double
    }

    /// Batch size: at n = 4 the batch of tiny states is about 1 MiB (B = 4096); larger states
    /// are measured as single states (B = 1).
    public static func batchSize(qubits n: Int) -> Int { n <= 4 ? (1 << 20) / (16 << n) : 1 }

    /// ns per amplitude update of the Swift and the C kernels on an n-qubit state.
    public func measureKernels(qubits n: Int) -> [KernelRow] {
        let b = Self.batchSize(qubits: n)
        let perSample = b > 1
        var state = StateBatch(qubitCount: n, batchSize: b)
        let amplitude = 1 / Double(state.storage.count / 2).squareRoot()
        for k in state.storage.indices { state.storage[k] = amplitude }   // touch every page
        var rng = SystemRandomNumberGenerator()
        let matrices = perSample ? b : 1
        var one: [Double] = [], two: [Double] = []
        for _ in 0..<matrices {
            one += Self.packedU3(.random(in: 0...3, using: &rng), .random(in: 0...3, using: &rng), .random(in: 0...3, using: &rng))
            two += Self.packedRXX(.random(in: 0...3, using: &rng))
        }
        let amplitudes = Double(state.storage.count / 2)
        let dim = 1 << n

        let targets = Array(Set([0, n / 2, n - 1])).sorted()
        var swift1 = 0.0, c1 = 0.0
        for q in targets {
            swift1 += time { state.applyOneQubit(qubit: q, packed: one, perSample: perSample) }
            c1 += time {
                state.storage.withUnsafeMutableBufferPointer { a in
                    one.withUnsafeBufferPointer { ckr_apply_1q(a.baseAddress!, dim, b, Int32(q), $0.baseAddress!, perSample ? 1 : 0) }
                }
            }
        }
        let pairs = [(0, 1), (n / 2, n - 1)]
        var swift2 = 0.0, c2 = 0.0
        for (q0, q1) in pairs {
            swift2 += time { state.applyTwoQubit(q0, q1, packed: two, perSample: perSample) }
            c2 += time {
                state.storage.withUnsafeMutableBufferPointer { a in
                    two.withUnsafeBufferPointer {
                        ckr_apply_2q(a.baseAddress!, dim, b, Int32(q0), Int32(q1), $0.baseAddress!, perSample ? 1 : 0)
                    }
                }
            }
        }
        func row(_ gate: String, _ s: Double, _ c: Double, _ count: Int) -> KernelRow {
            let sNs = s / Double(count) / amplitudes * 1e9, cNs = c / Double(count) / amplitudes * 1e9
            return KernelRow(gate: gate, qubits: n, batch: b, swiftNsPerAmplitude: sNs, cNsPerAmplitude: cNs,
                             speedVsC: cNs / sNs)
        }
        return [row("1q general 2x2", swift1, c1, targets.count), row("2q general 4x4", swift2, c2, pairs.count)]
    }

    /// Circuits per second of the reference QNN, Swift against C, forward and with gradients;
    /// throws if the two disagree beyond 1e-9 (the comparison would mean nothing).
    public func measureQNN(qubits n: Int, layers: Int, batch: Int) throws -> [QNNRow] {
        let circuit = ReferenceQNN.circuit(qubits: n, layers: layers)
        let observable = Observable.z(n - 1, qubitCount: n)
        var rng = SystemRandomNumberGenerator()
        let theta = (0..<circuit.parameterCount).map { _ in Double.random(in: -3...3, using: &rng) }
        let inputs = (0..<batch).map { _ in (0..<n).map { _ in Double.random(in: -3...3, using: &rng) } }
        let flatInputs = inputs.flatMap { $0 }
        var rows: [QNNRow] = []
        for gradients in [false, true] {
            var swiftResult = Evaluation(values: [], thetaGradients: [], inputGradients: [])
            let s = time {
                swiftResult = Simulator.evaluate(circuit, observable: observable, theta: theta, inputs: inputs,
                                                 gradients: gradients)
            }
            var values = [Double](repeating: 0, count: batch)
            var thetaGrad = [Double](repeating: 0, count: gradients ? batch * theta.count : 0)
            var inputGrad = [Double](repeating: 0, count: gradients ? batch * n : 0)
            var status: Int32 = 0
            let c = time {
                status = values.withUnsafeMutableBufferPointer { v in
                    thetaGrad.withUnsafeMutableBufferPointer { tg in
                        inputGrad.withUnsafeMutableBufferPointer { ig in
                            ckr_qnn_evaluate(Int32(n), Int32(layers), batch, theta, flatInputs, v.baseAddress!,
                                             gradients ? tg.baseAddress : nil, gradients ? ig.baseAddress : nil)
                        }
                    }
                }
            }
            guard status == 0 else { throw KernelBenchmarkError("ckr_qnn_evaluate returned \(status) (allocation failed)") }
            var diff = zip(values, swiftResult.values).map { abs($0 - $1) }.max() ?? 0
            if gradients {
                diff = max(diff, zip(thetaGrad, swiftResult.thetaGradients.flatMap { $0 }).map { abs($0 - $1) }.max() ?? 0)
                diff = max(diff, zip(inputGrad, swiftResult.inputGradients.flatMap { $0 }).map { abs($0 - $1) }.max() ?? 0)
            }
            guard diff < 1e-9 else {
                throw KernelBenchmarkError("Swift and C QNN results differ by \(diff) (gradients: \(gradients))")
            }
            rows.append(QNNRow(pass: gradients ? "forward+gradient" : "forward", qubits: n, layers: layers, batch: batch,
                               swiftCircuitsPerSecond: Double(batch) / s, cCircuitsPerSecond: Double(batch) / c,
                               speedVsC: c / s, maxAbsDifference: diff))
        }
        return rows
    }

    /// Minimum over `repeats` of the seconds per call of `body`, each repeat running it often
    /// enough to last about 5 ms (so tiny kernels are not dominated by clock resolution).
    func time(_ body: () -> Void) -> Double {
        body()   // warm up: page faults, caches
        var calls = 1
        while true {
            let t = seconds(calls, body)
            if t > 0.005 || calls >= 1 << 20 { break }
            calls *= 4
        }
        var best = Double.infinity
        for _ in 0..<repeats { best = min(best, seconds(calls, body) / Double(calls)) }
        return best
    }

    private func seconds(_ calls: Int, _ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<calls { body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }

    static func packedU3(_ t: Double, _ p: Double, _ l: Double) -> [Double] {
        let c = cos(t / 2), s = sin(t / 2)
        return [c, 0, -s * cos(l), -s * sin(l), s * cos(p), s * sin(p), c * cos(p + l), c * sin(p + l)]
    }

    /// RXX(t) = cos(t/2) I − i sin(t/2) X⊗X, local index bit(q0) + 2·bit(q1).
    static func packedRXX(_ t: Double) -> [Double] {
        let c = cos(t / 2), s = sin(t / 2)
        var m = [Double](repeating: 0, count: 32)
        for k in 0..<4 {
            m[8 * k + 2 * k] = c             // diagonal
            m[8 * k + 2 * (3 - k) + 1] = -s  // anti-diagonal, imaginary
        }
        return m
    }
}
