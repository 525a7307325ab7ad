/// Eigen-decomposition of a real symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan
/// §8.5): each rotation zeroes one off-diagonal pair; sweeps repeat until the off-diagonal norm
/// is negligible. Used by PCA on the training covariance (at most a few hundred dimensions).

/// Eigenvalues (descending) and unit eigenvectors (`vectors[k]` belongs to `values[k]`).
public struct SymmetricEigen: Sendable {
    public var values: [Double]
    public var vectors: [[Double]]
    /// Sweeps used.
    public var sweeps: Int

    /// Decompose `matrix` (n×n, symmetric; only symmetry to 1e-12 relative is accepted).
    public init(_ matrix: [[Double]], maxSweeps: Int = 100) throws {
        let n = matrix.count
        guard matrix.allSatisfy({ $0.count == n }) else { throw ConfigError("SymmetricEigen: the matrix is not square") }
        var a = matrix.flatMap { $0 }
        let scale = max(a.map(abs).max() ?? 0, .leastNormalMagnitude)
        for i in 0..<n { for j in 0..<i where abs(a[i * n + j] - a[j * n + i]) > 1e-12 * scale {
            throw ConfigError("SymmetricEigen: the matrix is not symmetric at (\(i), \(j))")
        } }
        // v holds eigenvectors as columns: v[i*n + k] is component i of vector k.
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        var sweep = 0
        while sweep < maxSweeps {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<max(p + 1, n) { off += a[p * n + q] * a[p * n + q] } }
            if off <= 1e-30 * scale * scale { break }
            sweep += 1
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) where a[p * n + q] != 0 {
                    // Rotation angle that zeroes a[p][q]: t = tan φ, the smaller root of t² + 2τt − 1 = 0.
                    let tau = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
                    let t = (tau >= 0 ? 1.0 : -1.0) / (abs(tau) + (1 + tau * tau).squareRoot())
                    let c = 1 / (1 + t * t).squareRoot(), s = t * c
                    // A ← Jᵀ A J on rows/columns p and q.
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { a[$0 * n + $0] > a[$1 * n + $1] }
        values = order.map { a[$0 * n + $0] }
        vectors = order.map { k in
            var column = (0..<n).map { v[$0 * n + k] }
            // Deterministic sign: the largest component is positive.
            if let big = column.indices.max(by: { abs(column[$0]) < abs(column[$1]) }), column[big] < 0 {
                column = column.map { -$0 }
            }
            return column
        }
        sweeps = sweep
    }
}
