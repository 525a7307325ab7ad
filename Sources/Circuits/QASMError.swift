/// The one error type of the OpenQASM 2 reader: where in which file, what kind, and what was
/// expected.

/// A position in a QASM source: 1-based line and column (columns count UTF-8 bytes).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// A QASM file could not be read into a `Circuit`. Prints as `file:line:column: message`.
public struct QASMError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely; `message` says exactly what and what was expected.
    public enum Kind: String, Hashable, Sendable {
        /// A byte that cannot start any token (binary data, non-ASCII outside comments, `$`, ...).
        case unexpectedCharacter
        /// A well-formed token in a place where the grammar wants something else.
        case unexpectedToken
        /// The file ends inside a statement, gate body or expression.
        case unexpectedEndOfFile
        /// A gate name that is neither built in (after `include "qelib1.inc";`) nor defined.
        case unknownGate
        /// A gate applied to the wrong number of qubits, or to the same qubit twice.
        case wrongQubitCount
        /// A gate given the wrong number of angle parameters.
        case wrongParameterCount
        /// A register (or, inside a gate body, a qubit argument / parameter) that was not declared.
        case undeclaredIdentifier
        /// A register index at or beyond the register's size.
        case indexOutOfRange
        /// An expression that cannot be evaluated (bad syntax, division by zero, non-finite value,
        /// non-affine use of a trainable parameter).
        case badExpression
        /// A register or gate declared twice.
        case duplicateDefinition
        /// Valid OpenQASM 2 that estimation cannot use (`measure`, `reset`, `if`, `opaque`, ...).
        case unsupported
        /// A safety limit (qubits, gates, nesting depth) was exceeded.
        case limitExceeded
        /// The file could not be read from disk.
        case fileNotReadable
    }

    public var kind: Kind
    public var fileName: String
    /// Nil only for `fileNotReadable`.
    public var location: SourceLocation?
    public var message: String

    public init(_ kind: Kind, _ message: String, fileName: String, at location: SourceLocation?) {
        self.kind = kind
        self.message = message
        self.fileName = fileName
        self.location = location
    }

    public var description: String {
        if let location { return "\(fileName):\(location.line):\(location.column): \(message)" }
        return "\(fileName): \(message)"
    }
}
