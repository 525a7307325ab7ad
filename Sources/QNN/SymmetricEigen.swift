/// Eigen-decomposition of a real symmetric matrix: Householder reduction to tridiagonal form,
/// then the implicit QL algorithm with Wilkinson-type shifts (EISPACK tred2/tql2, as in JAMA;
/// Golub & Van Loan §8.3). Used by PCA on the training covariance.
///
/// Why not Jacobi rotations (the first version): MNIST at full resolution has 784 features, and
/// cyclic Jacobi needs ~10 sweeps of n²/2 rotations × 3n updates — about 10^10 flops, minutes.
/// tred2 + tql2 cost ~ 9n³ ≈ 4·10^9 flops in cache-friendly loops: about a second at n = 784
/// (release). The loops run on unsafe buffers so that debug builds (tests) stay usable too.

/// Eigenvalues (descending) and unit eigenvectors (`vectors[k]` belongs to `values[k]`).
public struct SymmetricEigen: Sendable {
    public var values: [Double]
    public var vectors: [[Double]]

    /// Decompose `matrix` (n×n, symmetric; only symmetry to 1e-12 relative is accepted).
    public init(_ matrix: [[Double]]) throws {
        let n = matrix.count
        guard matrix.allSatisfy({ $0.count == n }) else { throw ConfigError("SymmetricEigen: the matrix is not square") }
        guard n > 0 else { values = []; vectors = []; return }
        var a = matrix.flatMap { $0 }
        guard a.allSatisfy({ $0.isFinite }) else { throw ConfigError("SymmetricEigen: the matrix has a non-finite entry") }
        let scale = max(a.map(abs).max() ?? 0, .leastNormalMagnitude)
        for i in 0..<n { for j in 0..<i where abs(a[i * n + j] - a[j * n + i]) > 1e-12 * scale {
            throw ConfigError("SymmetricEigen: the matrix is not symmetric at (\(i), \(j))")
        } }
        var d = [Double](repeating: 0, count: n), e = d
        a.withUnsafeMutableBufferPointer { v in
            d.withUnsafeMutableBufferPointer { d in
                e.withUnsafeMutableBufferPointer { e in Self.tridiagonalise(v, d, e, n) }
            }
        }
        // tred2 leaves the accumulated transformation Q in `a` (row-major, eigenvector k will be
        // column k). tql2 rotates pairs of columns, so work on Qᵀ: each rotation then touches two
        // contiguous rows.
        var q = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { q[j * n + i] = a[i * n + j] } }
        let converged = q.withUnsafeMutableBufferPointer { w in
            d.withUnsafeMutableBufferPointer { d in
                e.withUnsafeMutableBufferPointer { e in Self.diagonalise(w, d, e, n) }
            }
        }
        guard converged else { throw ConfigError("SymmetricEigen: the QL iteration did not converge (n = \(n))") }
        let order = (0..<n).sorted { d[$0] > d[$1] }
        values = order.map { d[$0] }
        vectors = order.map { k in
            var row = Array(q[(k * n)..<(k * n + n)])
            // Deterministic sign: the largest component is positive.
            if let big = row.indices.max(by: { abs(row[$0]) < abs(row[$1]) }), row[big] < 0 {
                row = row.map { -$0 }
            }
            return row
        }
    }

    /// tred2: Householder reduction of the symmetric matrix in `v` (row-major n×n) to a
    /// tridiagonal matrix with diagonal `d` and sub-diagonal `e[1..<n]`; `v` becomes the
    /// orthogonal Q with A = Q T Qᵀ.
    private static func tridiagonalise(_ v: UnsafeMutableBufferPointer<Double>, _ d: UnsafeMutableBufferPointer<Double>,
                                       _ e: UnsafeMutableBufferPointer<Double>, _ n: Int) {
        for j in 0..<n { d[j] = v[(n - 1) * n + j] }
        var i = n - 1
        while i > 0 {
            var scale = 0.0, h = 0.0
            for k in 0..<i { scale += abs(d[k]) }
            if scale == 0 {
                e[i] = d[i - 1]
                for j in 0..<i { d[j] = v[(i - 1) * n + j]; v[i * n + j] = 0; v[j * n + i] = 0 }
            } else {
                // The Householder vector, scaled against under- and overflow.
                for k in 0..<i { d[k] /= scale; h += d[k] * d[k] }
                var f = d[i - 1]
                var g = h.squareRoot()
                if f > 0 { g = -g }
                e[i] = scale * g
                h -= f * g
                d[i - 1] = f - g
                for j in 0..<i { e[j] = 0 }
                // Apply the similarity transformation to the remaining columns.
                for j in 0..<i {
                    f = d[j]
                    v[j * n + i] = f
                    g = e[j] + v[j * n + j] * f
                    var k = j + 1
                    while k < i { g += v[k * n + j] * d[k]; e[k] += v[k * n + j] * f; k += 1 }
                    e[j] = g
                }
                f = 0
                for j in 0..<i { e[j] /= h; f += e[j] * d[j] }
                let hh = f / (h + h)
                for j in 0..<i { e[j] -= hh * d[j] }
                for j in 0..<i {
                    f = d[j]
                    g = e[j]
                    for k in j..<i { v[k * n + j] -= f * e[k] + g * d[k] }
                    d[j] = v[(i - 1) * n + j]
                    v[i * n + j] = 0
                }
            }
            d[i] = h
            i -= 1
        }
        // Accumulate the transformations into Q.
        for i in 0..<(n - 1) {
            v[(n - 1) * n + i] = v[i * n + i]
            v[i * n + i] = 1
            let h = d[i + 1]
            if h != 0 {
                for k in 0...i { d[k] = v[k * n + i + 1] / h }
                for j in 0...i {
                    var g = 0.0
                    for k in 0...i { g += v[k * n + i + 1] * v[k * n + j] }
                    for k in 0...i { v[k * n + j] -= g * d[k] }
                }
            }
            for k in 0...i { v[k * n + i + 1] = 0 }
        }
        for j in 0..<n { d[j] = v[(n - 1) * n + j]; v[(n - 1) * n + j] = 0 }
        v[(n - 1) * n + n - 1] = 1
        e[0] = 0
    }

    /// tql2: implicit QL on the tridiagonal (`d`, `e`), rotating the rows of `w` = Qᵀ along.
    /// Afterwards `d` holds the eigenvalues and row k of `w` the eigenvector of `d[k]`.
    /// Returns false if some eigenvalue needed more than 60 iterations (NaNs, never in practice).
    private static func diagonalise(_ w: UnsafeMutableBufferPointer<Double>, _ d: UnsafeMutableBufferPointer<Double>,
                                    _ e: UnsafeMutableBufferPointer<Double>, _ n: Int) -> Bool {
        for i in 1..<max(n, 1) { e[i - 1] = e[i] }
        e[n - 1] = 0
        var f = 0.0, tst1 = 0.0
        let eps = Double.ulpOfOne
        for l in 0..<n {
            // Find a negligible sub-diagonal element.
            tst1 = max(tst1, abs(d[l]) + abs(e[l]))
            var m = l
            while m < n - 1 && abs(e[m]) > eps * tst1 { m += 1 }
            if m > l {
                var iterations = 0
                repeat {
                    iterations += 1
                    if iterations > 60 { return false }
                    // Implicit shift.
                    var g = d[l]
                    var p = (d[l + 1] - g) / (2 * e[l])
                    var r = (p * p + 1).squareRoot()
                    if p < 0 { r = -r }
                    d[l] = e[l] / (p + r)
                    d[l + 1] = e[l] * (p + r)
                    let dl1 = d[l + 1]
                    var h = g - d[l]
                    var i = l + 2
                    while i < n { d[i] -= h; i += 1 }
                    f += h
                    // Implicit QL transformation.
                    p = d[m]
                    var c = 1.0, c2 = 1.0, c3 = 1.0, s = 0.0, s2 = 0.0
                    let el1 = e[l + 1]
                    i = m - 1
                    while i >= l {
                        c3 = c2
                        c2 = c
                        s2 = s
                        g = c * e[i]
                        h = c * p
                        r = Self.hypot(p, e[i])
                        e[i + 1] = s * r
                        s = e[i] / r
                        c = p / r
                        p = c * d[i] - s * g
                        d[i + 1] = h + s * (c * g + s * d[i])
                        // Rotate eigenvector rows i and i+1 (columns of Q).
                        let rowI = w.baseAddress! + i * n, rowJ = w.baseAddress! + (i + 1) * n
                        for k in 0..<n {
                            let t = rowJ[k]
                            rowJ[k] = s * rowI[k] + c * t
                            rowI[k] = c * rowI[k] - s * t
                        }
                        i -= 1
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1
                    e[l] = s * p
                    d[l] = c * p
                } while abs(e[l]) > eps * tst1
            }
            d[l] += f
            e[l] = 0
        }
        return true
    }

    /// √(a² + b²) without overflow.
    private static func hypot(_ a: Double, _ b: Double) -> Double {
        let x = abs(a), y = abs(b)
        let big = max(x, y), small = min(x, y)
        guard big > 0 else { return 0 }
        let t = small / big
        return big * (1 + t * t).squareRoot()
    }
}
