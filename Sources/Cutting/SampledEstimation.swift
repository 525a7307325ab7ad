/// Sampled reconstruction: QPD Monte Carlo under a term budget plus finite shots.
///
/// Terms whose joint probability p_t = |c_t|/γ reaches `exactThreshold` are summed exactly; the
/// tail (mass P) is sampled ∝ |c_t| (each cut independently, rejecting exact terms), each draw
/// weighted sign(c_t)·γ·P/N — unbiased for the tail sum. `exactThreshold` 0 enumerates every
/// term (no tail, `termSamples` may be 0); 1 samples every term (unless there is only one). Every sub-experiment a chosen term needs
/// gets shots ∝ the |weight| it carries (at least one). Shot noise is emulated exactly from the
/// exact fragment value v: every shot of a fragment yields the product of its ±1 outcomes (QPD
/// measurements and the final Pauli), whose mean is v — so the count of +1 shots is
/// Binomial(shots, (1+v)/2) whatever the branching. Products of independent fragment estimates
/// stay unbiased because one term uses each fragment once.
import Foundation
import Circuits
import Support

/// The budget and seed of a sampled estimate.
public struct SamplingOptions: Hashable, Sendable, Codable {
    /// Number of QPD terms drawn from the tail.
    public var termSamples: Int
    /// Terms with joint probability ≥ this are evaluated exactly (1 → sample everything).
    public var exactThreshold: Double
    /// Total shots over all sub-experiments used.
    public var shots: Int
    public var seed: UInt64

    public init(termSamples: Int, exactThreshold: Double = 1, shots: Int, seed: UInt64) {
        self.termSamples = termSamples
        self.exactThreshold = exactThreshold
        self.shots = shots
        self.seed = seed
    }
}

/// Where a sampled estimate's shot outcomes come from.
public enum ShotSource: Sendable {
    /// Drawn here from exact (or exactly noisy) fragment values: Binomial per unit.
    case emulated
    /// Measured elsewhere (an executor, or counts read back): the table holds v̂ per unit.
    case measured
}

/// A sampled expectation value with its estimated standard error.
public struct SampledEstimate: Sendable {
    public var value: Double
    /// Delta-method shot noise plus the QPD Monte Carlo variance of the tail draws.
    public var standardError: Double
    /// Distinct QPD terms summed exactly / drawn.
    public var exactTermCount: Int
    public var sampledTermCount: Int
    /// Work units (sub-experiments) that received shots, and the shots spent.
    public var workUnitsUsed: Int
    public var shotsUsed: Int
}

extension CutPlan {
    /// A sampled estimate for one sample (input x), simulating only the sub-experiments the
    /// chosen terms need.
    public func sampledEstimate(theta: [Double], input: [Double], options: SamplingOptions) throws -> SampledEstimate {
        let selection = try selectTerms(theta: theta, input: input, options: options)
        var table = FragmentValueTable(plan: self, sampleCount: 1, gradients: false)
        evaluate(units: selection.units.sorted(), theta: theta, inputs: [input], into: &table)
        return try sampledEstimate(table, sample: 0, theta: theta, input: input, options: options)
    }

    /// A sampled estimate from fragment values already in `table` (column `sample`). With
    /// `.emulated` shots (the default) the table holds exact values and the shot noise is drawn
    /// from them; with `.measured` it holds each unit's measured mean v̂ over exactly the shots
    /// `shotAllocation` gives it (an executor ran them), and nothing is drawn. Only the units the
    /// chosen terms need are read.
    public func sampledEstimate(_ table: FragmentValueTable, sample: Int, theta: [Double], input: [Double],
                                options: SamplingOptions, shots source: ShotSource = .emulated) throws -> SampledEstimate {
        let selection = try selectTerms(theta: theta, input: input, options: options)
        var rng = selection.rng
        // Fixed summation order (never Dictionary order, which Swift seeds per process), so a seed
        // reproduces the estimate bit for bit in any process.
        let weighted = selection.weights.sorted { $0.key.units.lexicographicallyPrecedes($1.key.units) }
        let shots = Self.shotAllocation(weighted, budget: options.shots)
        let units = shots.keys.sorted()
        var estimate: [Int: Double] = [:]
        var variance: [Int: Double] = [:]
        for u in units {
            let n = shots[u]!
            let value = table.value(unit: u, sample: sample)
            let vHat = source == .measured ? value : rng.shotEstimate(of: value, shots: n)
            estimate[u] = vHat
            variance[u] = n > 1 ? (1 - vHat * vHat) / Double(n - 1) : 1
        }
        // Ê = Σ weight · Π_f v̂_f, and ∂Ê/∂v̂_u for the delta-method shot variance.
        var value = 0.0
        var sensitivity: [Int: Double] = [:]
        for (key, w) in weighted {
            let factors = key.units.map { estimate[$0]! }
            value += w * factors.reduce(1, *)
            for (f, u) in key.units.enumerated() {
                var others = w
                for (g, x) in factors.enumerated() where g != f { others *= x }
                sensitivity[u, default: 0] += others
            }
        }
        var shotVariance = 0.0
        for u in units { shotVariance += (sensitivity[u] ?? 0) * (sensitivity[u] ?? 0) * variance[u]! }
        // Monte Carlo variance of the tail mean: sample variance of the per-draw contributions / N.
        var mcVariance = 0.0
        if selection.draws.count > 1 {
            let xs = selection.draws.map { draw in draw.scale * draw.keys.reduce(0) { $0 + $1.1 * $1.0.units.map { estimate[$0]! }.reduce(1, *) } }
            let mean = xs.reduce(0, +) / Double(xs.count)
            mcVariance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1) / Double(xs.count)
        }
        return SampledEstimate(value: value, standardError: (shotVariance + mcVariance).squareRoot(),
                               exactTermCount: selection.exactTerms, sampledTermCount: selection.sampledTerms,
                               workUnitsUsed: units.count, shotsUsed: units.reduce(0) { $0 + shots[$1]! })
    }

    /// The shots every sub-experiment of one query gets (unit index → shots; units absent get
    /// none): what an executor must run so that `sampledEstimate(…, shots: .measured)` can use
    /// its results. Deterministic in (plan, θ, x, options), so every rank computes the same.
    public func shotAllocation(theta: [Double], input: [Double], options: SamplingOptions) throws -> [Int: Int] {
        let selection = try selectTerms(theta: theta, input: input, options: options)
        let weighted = selection.weights.sorted { $0.key.units.lexicographicallyPrecedes($1.key.units) }
        return Self.shotAllocation(weighted, budget: options.shots)
    }

    /// Shots per unit ∝ the |weight| it carries (at least one each), for a budget of `budget`.
    static func shotAllocation(_ weighted: [(key: UnitKey, value: Double)], budget: Int) -> [Int: Int] {
        var load: [Int: Double] = [:]
        for (key, w) in weighted { for u in key.units { load[u, default: 0] += abs(w) } }
        let totalLoad = load.keys.sorted().reduce(0) { $0 + load[$1]! }
        return load.mapValues { max(1, Int((Double(budget) * $0 / max(totalLoad, .leastNormalMagnitude)).rounded())) }
    }

    /// The work units of one (QPD term, observable term) pair: one per fragment.
    struct UnitKey: Hashable {
        var units: [Int]
    }

    /// Chosen terms: weights per unit combination, the tail draws (for the MC variance) and the
    /// generator state after drawing.
    struct TermSelection {
        var weights: [UnitKey: Double] = [:]
        /// Per draw: its scale sign·γ·P (applied to Σ_j a_j Π v̂) and the observable-term keys.
        var draws: [(scale: Double, keys: [(UnitKey, Double)])] = []
        var units: Set<Int> = []
        var exactTerms = 0
        var sampledTerms = 0
        var rng: Xoshiro256
    }

    func selectTerms(theta: [Double], input: [Double], options: SamplingOptions) throws -> TermSelection {
        let call = "CutPlan.sampledEstimate"
        guard options.shots >= 1 else {
            throw CuttingError.invalidValues(call: call, reason: "shots must be at least 1, got \(options.shots)")
        }
        var selection = TermSelection(rng: Xoshiro256(seed: options.seed))
        let coefficients = cuts.map { cut in cut.basis.terms.map { $0.coefficient.value(theta: theta, input: input) } }
        let gammas = coefficients.map { $0.reduce(0) { $0 + abs($1) } }
        let gamma = gammas.reduce(1, *)
        let probabilities = zip(coefficients, gammas).map { cs, g in cs.map { abs($0) / g } }

        func keys(ofTerm term: [Int]) -> [(UnitKey, Double)] {
            let settings = self.settings(ofTerm: term)
            return observableTerms.map { obs in
                (UnitKey(units: settings.indices.map { f in
                    workUnitIndex(fragment: f, setting: settings[f], observable: obs.fragmentObservables[f])
                }), obs.coefficient)
            }
        }
        // A term's weight is scale/count per draw; scale·a/count is summed (not (scale/count)·a) so
        // the weights are the same numbers whichever caller enumerates or draws the terms.
        func add(_ term: [Int], scale: Double, count: Int) -> [(UnitKey, Double)] {
            let k = keys(ofTerm: term)
            for (key, a) in k {
                selection.weights[key, default: 0] += scale * a / Double(count)
                selection.units.formUnion(key.units)
            }
            return k
        }
        // Exact head: depth-first over cuts, pruning prefixes below the threshold (factors ≤ 1).
        var exact = Set<[Int]>()
        var headMass = 0.0
        // Whether a term of nonzero probability was left to the tail: if not, the head is every
        // term and the tail is empty, whatever rounding did to `headMass`.
        var pruned = false
        func visit(_ prefix: [Int], _ p: Double) {
            if p == 0 { return }
            if p < options.exactThreshold { pruned = true; return }
            if prefix.count == cuts.count {
                exact.insert(prefix)
                headMass += p
                return
            }
            for m in probabilities[prefix.count].indices { visit(prefix + [m], p * probabilities[prefix.count][m]) }
        }
        visit([], 1)
        for term in exact.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            _ = add(term, scale: zip(coefficients, term).reduce(1) { $0 * $1.0[$1.1] }, count: 1)
        }
        selection.exactTerms = exact.count
        let tailMass = max(0, 1 - headMass)
        guard pruned && tailMass > 1e-14 else { return selection }
        guard options.termSamples >= 1 else {
            throw CuttingError.invalidValues(call: call, reason: "the terms below exactThreshold carry probability \(tailMass) but termSamples is 0")
        }
        // Tail: draw each cut's term ∝ |c| (u ∈ [0, γ_j) against the running sum of |c|), reject
        // exact terms.
        var drawn = Set<[Int]>()
        let attempts = 1000 * options.termSamples
        var tries = 0
        while selection.draws.count < options.termSamples {
            tries += 1
            guard tries <= attempts else {
                throw CuttingError.invalidValues(call: call, reason: "rejection sampling of the tail (mass \(tailMass)) failed; lower exactThreshold")
            }
            let term = coefficients.indices.map { j -> Int in
                var u = selection.rng.uniform() * gammas[j]
                for (m, c) in coefficients[j].enumerated() where c != 0 {
                    u -= abs(c)
                    if u < 0 { return m }
                }
                return coefficients[j].lastIndex { $0 != 0 } ?? 0
            }
            if exact.contains(term) { continue }
            let c = zip(coefficients, term).reduce(1) { $0 * $1.0[$1.1] }
            let scale = (c < 0 ? -1.0 : 1.0) * gamma * tailMass
            let k = add(term, scale: scale, count: options.termSamples)
            selection.draws.append((scale, k))
            drawn.insert(term)
        }
        selection.sampledTerms = drawn.count
        return selection
    }
}
