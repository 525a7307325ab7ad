/// Entry points of the OpenQASM reader (`QASM.parse`, `QASM.read`) and its safety limits.
///
/// The reader turns a QASM 2 file into a `Circuit` of `Gate`s (see README.md for the accepted
/// subset). It never traps on input: every problem is a `QASMError` naming file, line and column;
/// recursion depth, qubit count and gate count are bounded by the limits below.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum QASM {
    /// Largest total number of qubits over all `qreg`s.
    public static let maxQubits = 65_536
    /// Largest number of gates a file may expand to (after broadcasting and gate definitions).
    public static let maxGates = 1_000_000
    /// Deepest nesting of gate definitions (a gate calling a gate calling ...), and of
    /// parentheses / unary operators in one expression.
    public static let maxNestingDepth = 64
    /// Largest `i` in `theta[i]` or `x[i]`.
    public static let maxParameterIndex = 1 << 20

    /// Reads OpenQASM 2 source text. `fileName` only labels error messages.
    public static func parse(_ source: String, fileName: String = "<input>") throws(QASMError) -> Circuit {
        try parse(utf8: Array(source.utf8), fileName: fileName)
    }

    /// Reads OpenQASM 2 source bytes (need not be valid UTF-8: bad bytes are reported, not repaired).
    public static func parse(utf8 bytes: [UInt8], fileName: String = "<input>") throws(QASMError) -> Circuit {
        var parser = try QASMParser(source: bytes, fileName: fileName)
        return try parser.parseProgram()
    }

    /// Reads OpenQASM 2 source bytes, also returning the reader's warnings (`file:line:column:
    /// message` lines, e.g. a definition of a built-in gate that is ignored).
    public static func parseReportingWarnings(utf8 bytes: [UInt8], fileName: String) throws(QASMError)
        -> (circuit: Circuit, warnings: [String])
    {
        var parser = try QASMParser(source: bytes, fileName: fileName)
        let circuit = try parser.parseProgram()
        return (circuit, parser.warnings)
    }

    /// `parse(contentsOf:)`, also returning the reader's warnings.
    public static func parseReportingWarnings(contentsOf path: String) throws(QASMError) -> (circuit: Circuit, warnings: [String]) {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path, limit: InputFile.Limit.qasm, what: "circuit") } catch {
            throw QASMError(.fileNotReadable, error.reason, fileName: path, at: nil)
        }
        return try parseReportingWarnings(utf8: bytes, fileName: path)
    }

    /// Reads OpenQASM 2 or the OpenQASM 3 subset with everything the caller may want to report:
    /// warnings, notes (dropped barriers and final measurements), and, for OpenQASM 3, the
    /// Qiskit names of θ and x in index order. `parameters` says which `input`s are θ and x.
    public static func read(utf8 bytes: [UInt8], fileName: String,
                            parameters: QASMParameterNames = QASMParameterNames()) throws(QASMError) -> QASMProgram {
        var parser = try QASMParser(source: bytes, fileName: fileName, parameterNames: parameters)
        let circuit = try parser.parseProgram()
        let a = parser.parameterAssignment
        return QASMProgram(circuit: circuit, version: parser.version, warnings: parser.warnings, notes: parser.notes,
                           thetaNames: a?.thetaNames, inputNames: a?.inputNames)
    }

    /// `read(utf8:…)` of the file at `path` (a regular file of at most `InputFile.Limit.qasm` bytes).
    public static func read(contentsOf path: String, parameters: QASMParameterNames = QASMParameterNames())
        throws(QASMError) -> QASMProgram
    {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path, limit: InputFile.Limit.qasm, what: "circuit") } catch {
            throw QASMError(.fileNotReadable, error.reason, fileName: path, at: nil)
        }
        return try read(utf8: bytes, fileName: path, parameters: parameters)
    }

    /// Reads the OpenQASM 2 file at `path`: a regular file of at most `InputFile.Limit.qasm` bytes
    /// (a device, FIFO or folder is refused at once instead of read forever).
    public static func parse(contentsOf path: String) throws(QASMError) -> Circuit {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path, limit: InputFile.Limit.qasm, what: "circuit") } catch {
            throw QASMError(.fileNotReadable, error.reason, fileName: path, at: nil)
        }
        return try parse(utf8: bytes, fileName: path)
    }
}

/// A circuit read from OpenQASM, with what the reader has to say about it.
public struct QASMProgram: Sendable {
    public var circuit: Circuit
    /// 2 or 3.
    public var version: Int
    /// `file:line:column: message` lines: accepted, but maybe not what the author meant.
    public var warnings: [String]
    /// Statements dropped on purpose (barriers, final measurements), one line.
    public var notes: [String]
    /// OpenQASM 3: the Qiskit name of θ[i] (`theta[0]`, `alpha`) and of x[j]; nil for OpenQASM 2,
    /// whose parameters are written `theta[i]` and `x[j]` directly.
    public var thetaNames: [String]?
    public var inputNames: [String]?
}
