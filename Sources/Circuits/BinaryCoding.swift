/// A small, versionable binary encoding for circuits and observables: what ranks exchange instead
/// of JSON (a 720-gate circuit is ~40 KB and decodes in microseconds). Little-endian fixed-width
/// fields; every count a reader meets is checked against the bytes left before anything is
/// allocated, so a corrupt or hostile buffer fails with `BinaryDecodingError`, never a trap.

/// Appends fixed-width little-endian fields.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: Int) { write(UInt64(bitPattern: Int64(value))) }
    public mutating func write(_ value: Double) { write(value.bitPattern) }
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    public mutating func write(_ values: [Int]) {
        write(values.count)
        for v in values { write(v) }
    }
    public mutating func write(_ text: String) {
        let utf8 = Array(text.utf8)
        write(utf8.count)
        bytes.append(contentsOf: utf8)
    }
}

/// A malformed binary buffer: what was being read and at which byte.
public struct BinaryDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "byte \(offset): \(message)" }
}

/// Reads what `BinaryWriter` wrote, bounds-checked.
public struct BinaryReader: Sendable {
    let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var remaining: Int { bytes.count - offset }

    public func failure(_ message: String) -> BinaryDecodingError { BinaryDecodingError(offset: offset, message: message) }

    public mutating func readByte() throws(BinaryDecodingError) -> UInt8 {
        guard remaining >= 1 else { throw failure("unexpected end of data") }
        offset += 1
        return bytes[offset - 1]
    }

    public mutating func readUInt64() throws(BinaryDecodingError) -> UInt64 {
        guard remaining >= 8 else { throw failure("unexpected end of data") }
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(bytes[offset + k]) << (8 * UInt64(k)) }
        offset += 8
        return v
    }

    public mutating func readInt() throws(BinaryDecodingError) -> Int { Int(Int64(bitPattern: try readUInt64())) }
    public mutating func readDouble() throws(BinaryDecodingError) -> Double { Double(bitPattern: try readUInt64()) }
    public mutating func readBool() throws(BinaryDecodingError) -> Bool { try readByte() != 0 }

    /// An integer in `range` (counts, indices), named in the error.
    public mutating func readInt(in range: ClosedRange<Int>, _ what: String) throws(BinaryDecodingError) -> Int {
        let v = try readInt()
        guard range.contains(v) else { throw failure("\(what) \(v) is outside \(range.lowerBound)...\(range.upperBound)") }
        return v
    }

    /// A count of items at least `itemBytes` long each: never more than the bytes left allow.
    public mutating func readCount(itemBytes: Int, _ what: String) throws(BinaryDecodingError) -> Int {
        guard remaining >= 8 else { throw failure("unexpected end of data") }
        return try readInt(in: 0...(remaining - 8) / max(itemBytes, 1), what)
    }

    public mutating func readInts(_ what: String) throws(BinaryDecodingError) -> [Int] {
        let n = try readCount(itemBytes: 8, what)
        var values: [Int] = []
        values.reserveCapacity(n)
        for _ in 0..<n { values.append(try readInt()) }
        return values
    }

    public mutating func readString(_ what: String) throws(BinaryDecodingError) -> String {
        let n = try readCount(itemBytes: 1, what)
        defer { offset += n }
        return String(decoding: bytes[offset ..< offset + n], as: UTF8.self)
    }
}

extension Circuit {
    /// Append the circuit: sizes, then every gate (kind, qubits, angles).
    public func encode(into writer: inout BinaryWriter) {
        writer.write(qubitCount)
        writer.write(parameterCount)
        writer.write(inputCount)
        writer.write(gates.count)
        for gate in gates {
            writer.write(UInt8(GateKind.allCases.firstIndex(of: gate.kind)!))
            for q in gate.qubits { writer.write(q) }
            for a in gate.angles {
                writer.write(a.constant)
                writer.write(a.thetaIndex ?? -1)
                writer.write(a.thetaScale)
                writer.write(a.inputIndex ?? -1)
                writer.write(a.inputScale)
            }
        }
    }

    /// Read a circuit written by `encode(into:)`, validating every index.
    public init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let qubits = try reader.readInt(in: 0...(1 << 20), "qubit count")
        let parameters = try reader.readInt(in: 0...(1 << 30), "parameter count")
        let inputs = try reader.readInt(in: 0...(1 << 30), "input count")
        let count = try reader.readCount(itemBytes: 1, "gate count")
        var gates: [Gate] = []
        gates.reserveCapacity(count)
        for _ in 0..<count {
            let k = Int(try reader.readByte())
            guard k < GateKind.allCases.count else { throw reader.failure("unknown gate kind \(k)") }
            let kind = GateKind.allCases[GateKind.allCases.index(GateKind.allCases.startIndex, offsetBy: k)]
            var gateQubits: [Int] = []
            for _ in 0..<kind.arity { gateQubits.append(try reader.readInt(in: 0...max(qubits - 1, 0), "qubit")) }
            var angles: [Angle] = []
            for _ in 0..<kind.angleCount {
                let constant = try reader.readDouble()
                let theta = try reader.readInt(in: -1...max(parameters - 1, -1), "θ index")
                let thetaScale = try reader.readDouble()
                let input = try reader.readInt(in: -1...max(inputs - 1, -1), "input index")
                let inputScale = try reader.readDouble()
                angles.append(Angle(constant: constant, thetaIndex: theta < 0 ? nil : theta, thetaScale: thetaScale,
                                    inputIndex: input < 0 ? nil : input, inputScale: inputScale))
            }
            gates.append(Gate(kind, gateQubits, angles))
        }
        self.init(qubitCount: qubits, gates: gates, parameterCount: parameters, inputCount: inputs)
    }
}

extension Observable {
    /// Append the observable: qubit count, then every Pauli term.
    public func encode(into writer: inout BinaryWriter) {
        writer.write(qubitCount)
        writer.write(terms.count)
        for term in terms {
            writer.write(term.coefficient)
            writer.write(term.qubits)
            for p in term.paulis { writer.write(p.rawValue) }
        }
    }

    /// Read an observable written by `encode(into:)`.
    public init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let qubits = try reader.readInt(in: 0...(1 << 20), "qubit count")
        let count = try reader.readCount(itemBytes: 16, "term count")
        var terms: [PauliString] = []
        for _ in 0..<count {
            let coefficient = try reader.readDouble()
            let termQubits = try reader.readInts("term qubits")
            guard termQubits.allSatisfy({ $0 >= 0 && $0 < qubits }) else { throw reader.failure("term qubit out of range") }
            var paulis: [Pauli] = []
            for _ in termQubits {
                guard let p = Pauli(rawValue: try reader.readByte()) else { throw reader.failure("unknown Pauli") }
                paulis.append(p)
            }
            terms.append(PauliString(coefficient: coefficient, qubits: termQubits, paulis: paulis))
        }
        self.init(qubitCount: qubits, terms: terms)
    }
}
