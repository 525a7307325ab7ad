/// Helpers shared by the HDF5 tests: scratch folders, running `h5dump`, and picking values out of
/// its output, so every round trip is checked by a reader that is not this module.
import Foundation
import TestSupport
import Testing

/// A fresh empty folder for one test, removed when the value goes away.
final class ScratchFolder {
    let path: String

    init(_ label: String = #function) throws {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "hdf5tests-\(safe)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs an executable to completion and captures its output; `environment` adds variables.
/// (TestSupport.ChildProcess, not Foundation's Process: see its doc comment.)
func runCommand(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws
    -> ProcessResult
{
    try ChildProcess.run(executable, arguments, environment: TestEnvironment.childEnvironment(environment), timeout: 120)
}

/// `h5dump` with `arguments`, without array indices (-y) or line wrapping (-w 0); records an issue
/// and returns "" if h5dump fails. HDF5 1.10 locks files: h5dump cannot open a file another
/// handle is writing unless `ignoreLocks` (HDF5_USE_FILE_LOCKING=FALSE).
func h5dump(_ arguments: [String], ignoreLocks: Bool = false, sourceLocation: SourceLocation = #_sourceLocation)
    throws -> String
{
    let result = try runCommand(
        "/usr/bin/h5dump", ["-y", "-w", "0"] + arguments,
        environment: ignoreLocks ? ["HDF5_USE_FILE_LOCKING": "FALSE"] : [:])
    #expect(result.exitCode == 0, "h5dump \(arguments) failed: \(result.stderr)", sourceLocation: sourceLocation)
    return result.stdout
}

/// The text between "DATA {" and its closing brace in h5dump output.
func h5dumpDataBlock(_ output: String) -> String {
    guard let start = output.range(of: "DATA {") else { return "" }
    var depth = 1
    var index = start.upperBound
    while index < output.endIndex {
        switch output[index] {
        case "{": depth += 1
        case "}":
            depth -= 1
            if depth == 0 { return String(output[start.upperBound..<index]) }
        default: break
        }
        index = output.index(after: index)
    }
    return ""
}

/// The comma-separated items of an h5dump DATA block (numbers, or quoted strings without commas,
/// unquoted and without their NUL padding), flattening compound braces.
func h5dumpItems(_ output: String) -> [String] {
    h5dumpDataBlock(output)
        .replacingOccurrences(of: "{", with: ",")
        .replacingOccurrences(of: "}", with: ",")
        .split(separator: ",")
        .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        .filter { !$0.isEmpty }
        .map { $0.hasPrefix("\"") && $0.hasSuffix("\"") && $0.count >= 2 ? String($0.dropFirst().dropLast()) : $0 }
        .map { $0.replacingOccurrences(of: "\\000", with: "") }  // NUL padding of fixed strings
}
