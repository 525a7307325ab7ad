/// Shot-mode estimates with a matched budget, reproducible across processes: one query spends
/// `shots` shots in total over the sub-experiments it uses. With `termSamples` = 0 every QPD term
/// keeps its exact coefficient c_t (only shot noise remains; affordable while 6^k is small);
/// otherwise N terms are drawn ∝ |c_t| (each cut independently), each draw weighted
/// sign(c_t)·γ/N (QPD Monte Carlo noise on top). Shots go to sub-experiments ∝ the
/// |weight| they carry (at least one each); a sub-experiment's ±1 shots are Binomial draws from
/// its exact value (the table), v̂ = (2·plus − n)/n; Ê = Σ weight·Π_f v̂_f.
///
/// This follows `CutPlan.sampledEstimate` but walks every collection in sorted order. That
/// function sums in Dictionary order, which Swift seeds per process, and rounds those sums into
/// shot counts — so the same seed drew different shots in a resumed process. Here the draws are
/// a function of the seed alone, which `--resume` needs.
import Cutting

public struct MatchedShotSampler: Sendable {
    public var shots: Int
    public var termSamples: Int

    public init(shots: Int, termSamples: Int) {
        self.shots = shots
        self.termSamples = termSamples
    }

    /// The estimate, its standard error (delta-method shot noise plus QPD Monte Carlo) and the
    /// shots spent (the budget, up to rounding of the per-sub-experiment split).
    public func estimate(plan: CutPlan, table: FragmentValueTable, sample: Int, theta: [Double], input: [Double],
                        seed: UInt64) -> (value: Double, standardError: Double, shotsUsed: Int) {
        var rng = Xoshiro256(seed: seed)
        let coefficients = plan.cuts.map { cut in cut.basis.terms.map { $0.coefficient.value(theta: theta, input: input) } }
        let gammas = coefficients.map { $0.reduce(0) { $0 + abs($1) } }
        let gamma = gammas.reduce(1, *)
        // Draws: without cuts there is one term, evaluated once with weight 1; with exact
        // enumeration every term once, with weight c_t.
        let enumerate = termSamples == 0 || plan.cuts.isEmpty
        let drawCount = enumerate ? 1 : termSamples
        var draws: [(term: [Int], scale: Double)] = []
        if enumerate {
            for t in 0..<plan.termCount {
                let term = plan.qpdTerm(t)
                let c = zip(coefficients, term).reduce(1.0) { $0 * $1.0[$1.1] }
                if c != 0 { draws.append((term, c)) }
            }
        }
        for _ in 0..<(enumerate ? 0 : drawCount) {
            var term: [Int] = []
            var sign = 1.0
            for (j, cs) in coefficients.enumerated() {
                var u = rng.uniform() * gammas[j]
                var chosen = cs.lastIndex { $0 != 0 } ?? 0
                for (m, c) in cs.enumerated() where c != 0 {
                    u -= abs(c)
                    if u < 0 { chosen = m; break }
                }
                term.append(chosen)
                if cs[chosen] < 0 { sign = -sign }
            }
            draws.append((term, sign * gamma))
        }
        // Per draw: (unit combination, observable coefficient) pairs; weights per combination.
        let keysOfDraw: [[([Int], Double)]] = draws.map { draw in
            let settings = plan.settings(ofTerm: draw.term)
            return plan.observableTerms.map { obs in
                (settings.indices.map { f in plan.workUnitIndex(fragment: f, setting: settings[f], observable: obs.fragmentObservables[f]) },
                 obs.coefficient)
            }
        }
        var weights: [[Int]: Double] = [:]
        for (draw, keys) in zip(draws, keysOfDraw) {
            for (units, a) in keys { weights[units, default: 0] += draw.scale * a / Double(drawCount) }
        }
        let combinations = weights.keys.sorted { $0.lexicographicallyPrecedes($1) }
        var load: [Int: Double] = [:]
        for units in combinations { for u in units { load[u, default: 0] += abs(weights[units]!) } }
        let units = load.keys.sorted()
        let totalLoad = units.reduce(0) { $0 + load[$1]! }
        var estimate: [Int: Double] = [:], variance: [Int: Double] = [:]
        var shotsUsed = 0
        for u in units {
            let n = max(1, Int((Double(shots) * load[u]! / max(totalLoad, .leastNormalMagnitude)).rounded()))
            let v = table.value(unit: u, sample: sample)
            shotsUsed += n
            let plus = rng.binomial(trials: n, probability: (1 + v) / 2)
            let vHat = Double(2 * plus - n) / Double(n)
            estimate[u] = vHat
            variance[u] = n > 1 ? (1 - vHat * vHat) / Double(n - 1) : 1
        }
        var value = 0.0
        var sensitivity: [Int: Double] = [:]
        for combination in combinations {
            let w = weights[combination]!
            let factors = combination.map { estimate[$0]! }
            value += w * factors.reduce(1, *)
            for (f, u) in combination.enumerated() {
                var others = w
                for (g, x) in factors.enumerated() where g != f { others *= x }
                sensitivity[u, default: 0] += others
            }
        }
        let shotVariance = units.reduce(0) { $0 + (sensitivity[$1] ?? 0) * (sensitivity[$1] ?? 0) * variance[$1]! }
        var mcVariance = 0.0
        if !enumerate && drawCount > 1 {
            let xs = zip(draws, keysOfDraw).map { draw, keys in
                draw.scale * keys.reduce(0) { $0 + $1.1 * $1.0.map { estimate[$0]! }.reduce(1, *) }
            }
            let mean = xs.reduce(0, +) / Double(xs.count)
            mcVariance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1) / Double(xs.count)
        }
        return (value, (shotVariance + mcVariance).squareRoot(), shotsUsed)
    }
}
