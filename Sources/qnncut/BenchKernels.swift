/// `qnncut bench kernels`: options and output of `KernelBenchmark` (Benchmarks module): the
/// Swift state-vector kernels beside plain C loops measured in the same run.
import ArgumentParser
import Benchmarks
import Foundation

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

    struct Report: Codable {
        var date: String
        var configuration: String
        var kernels: [KernelBenchmark.KernelRow]
        var qnn: [KernelBenchmark.QNNRow]
    }

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1 (got \(repeats))") }
        guard maxQubits >= 4 else { throw ValidationError("--max-qubits must be at least 4 (got \(maxQubits))") }
    }

    func run() throws {
        let bench = KernelBenchmark(repeats: repeats)
        var kernels: [KernelBenchmark.KernelRow] = []
        for n in [4, 10, 16, 20, 24] where n <= maxQubits {   // batched only at n = 4
            kernels += bench.measureKernels(qubits: n)
        }
        let qnn = try bench.measureQNN(qubits: 8, layers: 4, batch: 64)
        let report = Report(date: ISO8601DateFormatter().string(from: Date()), configuration: Self.buildConfiguration,
                            kernels: kernels, qnn: qnn)
        if json {
            try JSONOutput.print(report, pretty: true)
        } else {
            printTable(report)
        }
    }

    #if DEBUG
    static let buildConfiguration = "debug"
    #else
    static let buildConfiguration = "release"
    #endif

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
}
