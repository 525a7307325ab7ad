/// `Codable` for `CutPlan`: the compiled contraction and the unit offsets are derived data, so
/// they are rebuilt on decoding instead of being sent over MPI.
import Circuits

extension CutPlan {
    enum CodingKeys: String, CodingKey {
        case circuit, observable, options, cuts, fragments, observableTerms, workUnits
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        circuit = try c.decode(Circuit.self, forKey: .circuit)
        observable = try c.decode(Observable.self, forKey: .observable)
        options = try c.decode(CutPlanOptions.self, forKey: .options)
        cuts = try c.decode([Cut].self, forKey: .cuts)
        fragments = try c.decode([Fragment].self, forKey: .fragments)
        observableTerms = try c.decode([ObservableTerm].self, forKey: .observableTerms)
        workUnits = try c.decode([WorkUnit].self, forKey: .workUnits)
        var offsets: [Int] = []
        var next = 0
        for fragment in fragments {
            offsets.append(next)
            next += fragment.settingCount * fragment.observables.count
        }
        guard next == workUnits.count else {
            throw DecodingError.dataCorruptedError(forKey: .workUnits, in: c,
                debugDescription: "CutPlan.init(from:): \(workUnits.count) work unit(s), fragments need \(next)")
        }
        unitOffsets = offsets
        contraction = ContractionProgram(cuts: cuts, fragments: fragments)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(circuit, forKey: .circuit)
        try c.encode(observable, forKey: .observable)
        try c.encode(options, forKey: .options)
        try c.encode(cuts, forKey: .cuts)
        try c.encode(fragments, forKey: .fragments)
        try c.encode(observableTerms, forKey: .observableTerms)
        try c.encode(workUnits, forKey: .workUnits)
    }
}
