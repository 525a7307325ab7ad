/// How ranks agree on a plan without shipping it. Rank 0 makes the expensive decision — the cut
/// search and its validation — and broadcasts only that decision: the circuit, the observable,
/// the options and the *resolved* cuts (gate and wire cuts, and which fragment every wire
/// segment joins), O(circuit + cuts) bytes in a versioned binary form. Every rank derives the
/// fragments, settings and unit enumeration from it deterministically (`CutPlan(blueprint:)`)
/// and proves it did with `CutPlan.digest`, compared across ranks.
import Circuits
import Support

public struct PlanBlueprint: Sendable, Hashable {
    /// Bumped whenever the byte layout changes; a reader refuses other versions.
    public static let version: UInt8 = 1
    static let magic: [UInt8] = Array("QCPB".utf8)

    public var circuit: Circuit
    public var observable: Observable
    public var options: CutPlanOptions
    var resolution: CutResolution

    /// The bytes a rank needs to rebuild the plan.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter()
        for b in Self.magic { w.write(b) }
        w.write(Self.version)
        circuit.encode(into: &w)
        observable.encode(into: &w)
        w.write(options.wireCutForm == .fourPreparations ? UInt8(0) : UInt8(1))
        w.write(options.exactSearchLimit)
        w.write(options.allowWireCuts)
        w.write(options.maxSettingsPerFragment)
        w.write(resolution.gateCuts)
        w.write(resolution.wireCuts.count)
        for cut in resolution.wireCuts {
            w.write(cut.wire)
            w.write(cut.position)
            w.write(cut.location.qubit)
            w.write(cut.location.beforeGate)
        }
        w.write(resolution.fragmentOfSegment != nil)
        if let segments = resolution.fragmentOfSegment { w.write(segments) }
        return w.bytes
    }

    /// Decode `encoded()` bytes; throws on a wrong magic, version or any malformed field.
    public init(decoding bytes: [UInt8]) throws(BinaryDecodingError) {
        var r = BinaryReader(bytes)
        for b in Self.magic where try r.readByte() != b { throw r.failure("not a plan blueprint") }
        let version = try r.readByte()
        guard version == Self.version else { throw r.failure("blueprint version \(version), this qnncut reads \(Self.version)") }
        circuit = try Circuit(decoding: &r)
        observable = try Observable(decoding: &r)
        var options = CutPlanOptions()
        options.wireCutForm = try r.readByte() == 0 ? .fourPreparations : .eightTerms
        options.exactSearchLimit = try r.readInt()
        options.allowWireCuts = try r.readBool()
        options.maxSettingsPerFragment = try r.readInt(in: 1...Int.max, "settings limit")
        self.options = options
        let gates = circuit.gates.count
        let gateCuts = try r.readInts("gate cuts")
        guard gateCuts.allSatisfy({ $0 >= 0 && $0 < gates }) else { throw r.failure("gate cut out of range") }
        var wireCuts: [WorkingWireCut] = []
        for _ in 0..<(try r.readCount(itemBytes: 32, "wire cuts")) {
            let wire = try r.readInt(in: 0...max(circuit.qubitCount - 1, 0), "wire")
            let position = try r.readInt(in: 0...gates, "wire cut position")
            let qubit = try r.readInt(in: 0...max(circuit.qubitCount - 1, 0), "wire cut qubit")
            let before = try r.readInt(in: 0...gates, "wire cut gate")
            wireCuts.append(WorkingWireCut(wire: wire, position: position, location: WireCut(qubit: qubit, beforeGate: before)))
        }
        var segments: [Int]?
        if try r.readBool() {
            let given = try r.readInts("segment fragments")
            let bound = circuit.qubitCount + wireCuts.count
            guard given.count == bound, given.allSatisfy({ $0 >= 0 && $0 < max(bound, 1) }) else {
                throw r.failure("segment fragments do not match the circuit's \(bound) segment(s)")
            }
            segments = given
        }
        guard r.remaining == 0 else { throw r.failure("\(r.remaining) trailing byte(s)") }
        resolution = CutResolution(gateCuts: gateCuts, wireCuts: wireCuts, fragmentOfSegment: segments)
    }

    init(circuit: Circuit, observable: Observable, options: CutPlanOptions, resolution: CutResolution) {
        self.circuit = circuit
        self.observable = observable
        self.options = options
        self.resolution = resolution
    }
}

extension CutPlan {
    /// The decision a rank needs to derive this plan (see `PlanBlueprint`).
    public var blueprint: PlanBlueprint {
        PlanBlueprint(circuit: circuit, observable: observable, options: options, resolution: resolution)
    }

    /// Derive the plan of a blueprint: no cut search, the same fragments and units on every rank.
    public init(blueprint: PlanBlueprint) throws {
        try self.init(circuit: blueprint.circuit, observable: blueprint.observable,
                      working: RelabelledCircuit(blueprint.circuit), resolution: blueprint.resolution,
                      options: blueprint.options, call: "CutPlan(blueprint:)")
    }

    /// FNV-1a over the blueprint and the derived structure (fragments, their templates and
    /// settings, cuts, unit count): equal on two ranks iff they built the same plan.
    public var digest: UInt64 {
        var h = FNV1a()
        h.add(blueprint.encoded())
        var w = BinaryWriter()
        w.write(cuts.count)
        for cut in cuts { w.write(cut.fragments); w.write(cut.localQubits); w.write(cut.basis.terms.count) }
        w.write(fragments.count)
        for f in fragments {
            w.write(f.wires)
            w.write(f.cutSides.flatMap { [$0.cut, $0.side] })
            w.write(f.radices)
            w.write(f.template.count)
            w.write(f.settingCount)
            w.write(f.observables.count)
        }
        w.write(observableTerms.flatMap(\.fragmentObservables))
        w.write(workUnits.count)
        h.add(w.bytes)
        return h.value
    }
}

