/// What `qnncut estimate` reads before any work: the circuit, the observables, θ and the inputs,
/// all checked on rank 0 and shared with every rank (so a bad file is one clear error, not a hang).
import Circuits
import Foundation

struct EstimateInputs: Codable {
    var circuit: Circuit
    var observables: [Observable]
    var observableTexts: [String]
    var theta: [Double]
    var inputs: [[Double]]

    static func load(_ command: Estimate) throws -> EstimateInputs {
        let (circuit, warnings) = try QASM.parseReportingWarnings(contentsOf: command.circuit)
        for warning in warnings { Log.warning(warning) }
        if let labels = command.partition, labels.count != circuit.qubitCount {
            throw InputError(description: "--partition \(NumberLists.clipped(labels)): \(labels.count) label(s) for the \(circuit.qubitCount) qubit(s) of \(command.circuit)")
        }
        var observables: [Observable] = []
        for text in command.observables {
            let observable: Observable
            do { observable = try Observable.parse(text, qubitCount: circuit.qubitCount) } catch {
                throw InputError(description: "--observable \"\(NumberLists.clipped(text))\": \(error)")
            }
            // Coefficients near the largest Double sum to infinity: every value would be ±inf.
            guard observable.terms.reduce(0.0, { $0 + abs($1.coefficient) }).isFinite else {
                throw InputError(description: "--observable \"\(NumberLists.clipped(text))\": the sum of |coefficients| overflows; scale the observable down")
            }
            observables.append(observable)
        }
        var theta = Array(repeating: 0.0, count: circuit.parameterCount)
        if let text = command.theta {
            theta = try NumberLists.parse(text, option: "--theta")
            guard theta.count == circuit.parameterCount else {
                throw InputError(description: "--theta: \(command.circuit) has \(circuit.parameterCount) parameter(s), got \(theta.count) value(s)")
            }
        }
        var inputs = [Array(repeating: 0.0, count: circuit.inputCount)]
        if let text = command.x {
            inputs = [try NumberLists.parse(text, option: "--x")]
            guard inputs[0].count == circuit.inputCount else {
                throw InputError(description: "--x: \(command.circuit) has \(circuit.inputCount) input feature(s), got \(inputs[0].count) value(s)")
            }
        } else if let path = command.inputs {
            inputs = try NumberLists.readCSV(path, width: circuit.inputCount)
        }
        return EstimateInputs(circuit: circuit, observables: observables, observableTexts: command.observables,
                              theta: theta, inputs: inputs)
    }
}
