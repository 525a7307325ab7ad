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
    /// OpenQASM 3: the Qiskit names of θ[i] and x[j] (nil for OpenQASM 2's theta[i] / x[j]).
    var thetaNames: [String]?
    var inputNames: [String]?
    /// Statements the reader dropped (barriers, final measurements).
    var notes: [String] = []

    static func load(_ command: Estimate) throws -> EstimateInputs {
        let names = QASMParameterNames(theta: try nameList(command.thetaNames, option: "--theta-names"),
                                       inputs: try nameList(command.inputNames, option: "--input-names"))
        let program = try QASM.read(contentsOf: command.circuit, parameters: names)
        let circuit = program.circuit
        for warning in program.warnings { Log.warning(warning) }
        if program.version == 2 && (command.thetaNames != nil || command.inputNames != nil) {
            throw InputError(description: "--theta-names/--input-names: \(command.circuit) is OpenQASM 2, whose parameters are written theta[i] and x[j]; the names apply to OpenQASM 3 input parameters")
        }
        if let labels = command.cutOptions.partition, labels.count != circuit.qubitCount {
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
        var texts = command.observables
        for path in command.observableFiles {
            do { observables.append(try ObservableFile.read(path, qubitCount: circuit.qubitCount)) } catch {
                throw InputError(description: "--observable-file \(error)")
            }
            texts.append("file:\(path)")
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
        return EstimateInputs(circuit: circuit, observables: observables, observableTexts: texts,
                              theta: theta, inputs: inputs, thetaNames: program.thetaNames,
                              inputNames: program.inputNames, notes: program.notes)
    }

    /// `a,b,c` → names; an empty text is an empty list (`--input-names ""`: no inputs).
    static func nameList(_ text: String?, option: String) throws -> [String]? {
        guard let text else { return nil }
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if text.isEmpty { return [] }
        if let bad = names.first(where: { $0.isEmpty || $0.utf8.count > 200 || $0.unicodeScalars.contains { $0.value < 0x21 || $0.value > 0x7E } }) {
            throw InputError(description: "\(option) \(NumberLists.clipped(text)): '\(NumberLists.clipped(bad))' is not a parameter name (comma-separated names such as theta,x)")
        }
        return names
    }
}
