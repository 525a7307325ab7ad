/// The cut options `estimate` and `export` share: cut automatically up to a fragment width, by
/// partition labels, or at given gates — checked, and turned into the estimator's
/// `CutSpecification`. Which combinations a command accepts (`--uncut`, `--cuts auto`) stays with
/// the command.
import ArgumentParser
import Circuits
import Cutting

struct CutSelectionOptions: ParsableArguments {
    @Option(help: "Widest fragment allowed; cuts are found automatically.")
    var maxFragmentQubits: Int?

    @Option(help: ArgumentHelp("Gate indices (0-based, in file order) to cut, e.g. 3,9.", valueName: "i,j,…"))
    var cutGates: String?

    @Option(help: ArgumentHelp("One label per qubit, e.g. AABB; gates between labels are cut.", valueName: "labels"))
    var partition: String?

    func validate() throws {
        if let m = maxFragmentQubits, m < 1 { throw ValidationError("--max-fragment-qubits must be ≥ 1, got \(m)") }
        if let list = cutGates {
            do { _ = try NumberLists.indices(list, option: "--cut-gates") } catch { throw ValidationError("\(error)") }
        }
    }

    /// How many of the three were given (a command accepts at most one).
    var givenCount: Int { [maxFragmentQubits != nil, cutGates != nil, partition != nil].filter { $0 }.count }

    /// The cuts asked for; no cuts when none of the options was given.
    var specification: CutSpecification {
        if let m = maxFragmentQubits { return .automatic(maxFragmentQubits: m) }
        if let labels = partition { return .partition(labels: labels) }
        if let list = cutGates {
            // validate() has checked the list.
            return .explicit(gateCuts: (try? NumberLists.indices(list, option: "--cut-gates")) ?? [], wireCuts: [])
        }
        return .explicit(gateCuts: [], wireCuts: [])
    }

    /// The option that chose the cuts, for messages; nil when none was given.
    var flag: String? {
        if let m = maxFragmentQubits { return "--max-fragment-qubits \(m)" }
        if let p = partition { return "--partition \(NumberLists.clipped(p))" }
        if let g = cutGates { return "--cut-gates \(NumberLists.clipped(g))" }
        return nil
    }

    /// Cuts the explicit selections imply (0 for automatic cuts, which the plan check covers).
    func specifiedCutCount(_ c: Circuit) -> Int {
        if let list = cutGates { return list.split(separator: ",").count }
        guard let labels = partition.map(Array.init) else { return 0 }
        return c.gates.filter { g in g.qubits.count > 1 && Set(g.qubits.map { $0 < labels.count ? labels[$0] : "?" }).count > 1 }.count
    }
}
