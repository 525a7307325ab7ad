/// Binary cross-entropy on p = (1 + E)/2 and its derivative with respect to the estimate E.
#if canImport(Glibc)
import Glibc
#endif

public enum BinaryCrossEntropy {
    /// Probabilities are clipped to [ε, 1 − ε] so that a confident wrong answer costs a finite loss.
    public static let clip = 1e-12

    public static func probability(_ e: Double) -> Double { min(max((1 + e) / 2, clip), 1 - clip) }

    /// −[y log p + (1 − y) log(1 − p)].
    public static func loss(estimate e: Double, label y: Int) -> Double {
        let p = probability(e)
        return y == 1 ? -log(p) : -log(1 - p)
    }

    /// ∂loss/∂E = ½ ∂loss/∂p = ½ (p − y)/(p(1 − p)); zero where the clip is active.
    public static func derivative(estimate e: Double, label y: Int) -> Double {
        let raw = (1 + e) / 2
        if raw <= clip || raw >= 1 - clip { return 0 }
        return 0.5 * (raw - Double(y)) / (raw * (1 - raw))
    }

    /// Class 1 when p ≥ ½.
    public static func predicted(estimate e: Double) -> Int { e >= 0 ? 1 : 0 }
}
