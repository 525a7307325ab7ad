/// Deliberate slowdowns of chosen ranks, so the cost of a straggler and the scheduling policies
/// that hide it can be measured (DESIGN §4). Deterministic: whether a unit is delayed depends only
/// on (seed, rank, round, unit), never on timing.
import Support

/// How and where to slow ranks down.
public struct StragglerInjection: Hashable, Sendable, Codable {
    /// Ranks that straggle.
    public var ranks: [Int]
    /// Fixed extra seconds after each work unit.
    public var delayPerUnit: Double
    /// Slowdown factor: after a unit that took t seconds, wait (factor − 1)·t more. 1 = none.
    public var factor: Double
    /// Probability that a given unit is slowed (1 = every unit).
    public var probability: Double
    public var seed: UInt64
    /// Estimator rounds in which the slowdown acts (a transient straggler); all by default.
    public var rounds: ClosedRange<Int>
    /// Probability that a straggler rank is slow in a given round, for the whole round (a
    /// straggler that comes and goes at random); drawn once per (seed, rank, round). 1 = always.
    public var roundProbability: Double

    public init(ranks: [Int] = [], delayPerUnit: Double = 0, factor: Double = 1, probability: Double = 1,
                seed: UInt64 = 0, rounds: ClosedRange<Int> = 1 ... Int.max, roundProbability: Double = 1) {
        self.ranks = ranks
        self.delayPerUnit = delayPerUnit
        self.factor = factor
        self.probability = probability
        self.seed = seed
        self.rounds = rounds
        self.roundProbability = roundProbability
    }

    enum CodingKeys: String, CodingKey { case ranks, delayPerUnit, factor, probability, seed, rounds, roundProbability }

    /// Options written before `roundProbability` existed decode with it at 1.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(ranks: try c.decode([Int].self, forKey: .ranks), delayPerUnit: try c.decode(Double.self, forKey: .delayPerUnit),
                  factor: try c.decode(Double.self, forKey: .factor), probability: try c.decode(Double.self, forKey: .probability),
                  seed: try c.decode(UInt64.self, forKey: .seed), rounds: try c.decode(ClosedRange<Int>.self, forKey: .rounds),
                  roundProbability: try c.decodeIfPresent(Double.self, forKey: .roundProbability) ?? 1)
    }

    /// No straggler.
    public static let none = StragglerInjection()

    public var isActive: Bool {
        !ranks.isEmpty && (delayPerUnit > 0 || factor > 1) && probability > 0 && roundProbability > 0
    }

    /// Whether `rank` straggles in estimator round `round` (its units may still be spared by
    /// `probability`).
    public func slows(rank: Int, round: Int) -> Bool {
        guard isActive, ranks.contains(rank), rounds.contains(round) else { return false }
        guard roundProbability < 1 else { return true }
        // A stream apart from the per-unit draws (which use the unit index in this place).
        let u = Double(Self.mix(seed, UInt64(rank), UInt64(round), 0x726f_756e_6473) >> 11) * 0x1p-53
        return u < roundProbability
    }

    /// Seconds to wait after a unit that took `elapsed` seconds.
    public func delay(rank: Int, round: Int, unit: Int, elapsed: Double) -> Double {
        guard slows(rank: rank, round: round) else { return 0 }
        if probability < 1 {
            let u = Double(Self.mix(seed, UInt64(rank), UInt64(round), UInt64(unit)) >> 11) * 0x1p-53
            if u >= probability { return 0 }
        }
        return delayPerUnit + max(0, factor - 1) * elapsed
    }

    /// The identifying integers hashed into one well-spread 64-bit value.
    static func mix(_ values: UInt64...) -> UInt64 {
        values.reduce(SplitMix64.increment) { SplitMix64.mix($0 ^ $1) }
    }
}
