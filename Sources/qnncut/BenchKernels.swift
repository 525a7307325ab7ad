/// `qnncut bench kernels`: the Swift state-vector kernels beside plain C loops (CKernelReference)
/// measured in the same run — ns per amplitude update for a one-qubit (general 2×2) and a
/// two-qubit (general 4×4) gate at n = 4 (batched) … 24, and QNN circuits per second
/// (forward, forward + adjoint gradient). Timing is min-of-repeats of wall-clock time.

import ArgumentParser
import CKernelReference
import Circuits
import Foundation
import Simulator

/// A failure of the benchmark itself (not of its arguments).
struct BenchKernelsError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { "qnncut bench kernels: \(message)" }
}

struct BenchKernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Benchmark the Swift state-vector kernels against plain C loops.",
        usage: "qnncut bench kernels [--json] [--max-qubits <n>] [--repeats <n>]",
        discussion: """
            Build with `swift build -c release` (see docs/performance.md); debug builds are ~30x slower.
            speed = C time / Swift time (1.0 = as fast as C).
            """)

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "Largest state size to measure (qubits; the list is 4 10 16 20 24).")
    var maxQubits = 24

    @Option(help: "Timing repeats per measurement (the minimum is reported).")
    var repeats = 5

    struct KernelRow: Codable {
        var gate: String
        var qubits: Int
        var batch: Int
        var swiftNsPerAmplitude: Double
        var cNsPerAmplitude: Double
        var speedVsC: Double
    }

    struct QNNRow: Codable {
        var pass: String
        var qubits: Int
        var layers: Int
        var batch: Int
        var swiftCircuitsPerSecond: Double
        var cCircuitsPerSecond: Double
        var speedVsC: Double
        var maxAbsDifference: Double
    }

    struct Report: Codable {
        var date: String
        var configuration: String
        var kernels: [KernelRow]
        var qnn: [QNNRow]
    }

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1 (got \(repeats))") }
        guard maxQubits >= 4 else { throw ValidationError("--max-qubits must be at least 4 (got \(maxQubits))") }
    }

    func run() throws {
        var kernels: [KernelRow] = []
        for n in [4, 10, 16, 20, 24] where n <= maxQubits {   // batched only at n = 4
            kernels += try measureKernels(qubits: n)
        }
        let qnn = try measureQNN(qubits: 8, layers: 4, batch: 64)
        let report = Report(date: ISO8601DateFormatter().string(from: Date()), configuration: Self.buildConfiguration,
                            kernels: kernels, qnn: qnn)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            printTable(report)
        }
    }

    #if DEBUG
    static let buildConfiguration = "debug"
    #else
    static let buildConfiguration = "release"
    #endif

    // MARK: Measurements

    /// Batch size: at n = 4 the batch of tiny states is about 1 MiB (B = 4096); larger states
    /// are measured as single states (B = 1).
    static func batchSize(qubits n: Int) -> Int { n <= 4 ? (1 << 20) / (16 << n) : 1 }

    private func measureKernels(qubits n: Int) throws -> [KernelRow] {
        let b = Self.batchSize(qubits: n)
        let perSample = b > 1
        var state = StateBatch(qubitCount: n, batchSize: b)
        let amplitude = 1 / Double(state.storage.count / 2).squareRoot()
        for k in state.storage.indices { state.storage[k] = amplitude }   // touch every page
        var rng = SystemRandomNumberGenerator()
        let matrices = perSample ? b : 1
        var one: [Double] = [], two: [Double] = []
        for _ in 0..<matrices {
            one += packedU3(.random(in: 0...3, using: &rng), .random(in: 0...3, using: &rng), .random(in: 0...3, using: &rng))
            two += packedRXX(.random(in: 0...3, using: &rng))
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

    private func measureQNN(qubits n: Int, layers: Int, batch: Int) throws -> [QNNRow] {
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
            guard status == 0 else { throw BenchKernelsError("ckr_qnn_evaluate returned \(status) (allocation failed)") }
            // The two implementations must agree, or the comparison means nothing.
            var diff = zip(values, swiftResult.values).map { abs($0 - $1) }.max() ?? 0
            if gradients {
                diff = max(diff, zip(thetaGrad, swiftResult.thetaGradients.flatMap { $0 }).map { abs($0 - $1) }.max() ?? 0)
                diff = max(diff, zip(inputGrad, swiftResult.inputGradients.flatMap { $0 }).map { abs($0 - $1) }.max() ?? 0)
            }
            guard diff < 1e-9 else {
                throw BenchKernelsError("Swift and C QNN results differ by \(diff) (gradients: \(gradients))")
            }
            rows.append(QNNRow(pass: gradients ? "forward+gradient" : "forward", qubits: n, layers: layers, batch: batch,
                               swiftCircuitsPerSecond: Double(batch) / s, cCircuitsPerSecond: Double(batch) / c,
                               speedVsC: c / s, maxAbsDifference: diff))
        }
        return rows
    }

    /// Minimum over `repeats` of the seconds per call of `body`, each repeat running it often
    /// enough to last about 5 ms (so tiny kernels are not dominated by clock resolution).
    private func time(_ body: () -> Void) -> Double {
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

    // MARK: Output

    private func printTable(_ r: Report) {
        print("qnncut bench kernels — \(r.date), \(r.configuration) build; speed = C time / Swift time")
        if r.configuration == "debug" { print("warning: debug build; build with -c release for meaningful numbers") }
        print(pad("gate", 16) + pad("n", 4) + pad("B", 6) + pad("Swift ns/amp", 14) + pad("C ns/amp", 10) + "speed")
        for k in r.kernels {
            print(pad(k.gate, 16) + pad("\(k.qubits)", 4) + pad("\(k.batch)", 6) + pad(fmt(k.swiftNsPerAmplitude), 14)
                  + pad(fmt(k.cNsPerAmplitude), 10) + fmt(k.speedVsC))
        }
        print(pad("QNN pass", 18) + pad("n", 4) + pad("L", 4) + pad("B", 5) + pad("Swift circ/s", 14) + pad("C circ/s", 12)
              + pad("speed", 8) + "max |Swift−C|")
        for q in r.qnn {
            print(pad(q.pass, 18) + pad("\(q.qubits)", 4) + pad("\(q.layers)", 4) + pad("\(q.batch)", 5)
                  + pad(String(format: "%.0f", q.swiftCircuitsPerSecond), 14) + pad(String(format: "%.0f", q.cCircuitsPerSecond), 12)
                  + pad(fmt(q.speedVsC), 8) + String(format: "%.1e", q.maxAbsDifference))
        }
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    private func fmt(_ x: Double) -> String { String(format: "%.3f", x) }

    // MARK: Matrices

    private func packedU3(_ t: Double, _ p: Double, _ l: Double) -> [Double] {
        let c = cos(t / 2), s = sin(t / 2)
        return [c, 0, -s * cos(l), -s * sin(l), s * cos(p), s * sin(p), c * cos(p + l), c * sin(p + l)]
    }

    /// RXX(t) = cos(t/2) I − i sin(t/2) X⊗X, local index bit(q0) + 2·bit(q1).
    private func packedRXX(_ t: Double) -> [Double] {
        let c = cos(t / 2), s = sin(t / 2)
        var m = [Double](repeating: 0, count: 32)
        for k in 0..<4 {
            m[8 * k + 2 * k] = c             // diagonal
            m[8 * k + 2 * (3 - k) + 1] = -s  // anti-diagonal, imaginary
        }
        return m
    }
}
