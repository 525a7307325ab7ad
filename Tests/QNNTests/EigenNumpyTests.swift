/// SymmetricEigen (Householder + implicit QL) and PCA against numpy.linalg.eigh (LAPACK), from
/// Tests/Fixtures/eigen_numpy.json (make_eigen_numpy.py): a random matrix, a matrix with repeated
/// eigenvalues, and the covariance PCA builds from real MNIST pixels read from the shipped gzip.
import Foundation
import TestSupport
import Testing
@testable import QNN

struct EigenNumpyTests {
    struct Fixture: Decodable {
        struct Case: Decodable { var matrix: [[Double]]; var values: [Double] }
        struct MNIST: Decodable { var features: Int; var values: [Double]; var trace: Double; var vectors: [[Double]] }
        var random: Case
        var degenerate: Case
        var mnist: MNIST
    }

    static func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: TestEnvironment.fixturesFolder + "/eigen_numpy.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// max over k of ‖A v_k − λ_k v_k‖∞ and max |v_k·v_l − δ_kl|.
    static func residuals(_ a: [[Double]], _ eigen: SymmetricEigen) -> (equation: Double, orthonormality: Double) {
        let n = a.count
        var equation = 0.0, orthonormality = 0.0
        for (k, v) in eigen.vectors.enumerated() {
            for i in 0..<n {
                let av = (0..<n).reduce(0) { $0 + a[i][$1] * v[$1] }
                equation = max(equation, abs(av - eigen.values[k] * v[i]))
            }
            for (l, w) in eigen.vectors.enumerated() {
                orthonormality = max(orthonormality, abs(zip(v, w).reduce(0) { $0 + $1.0 * $1.1 } - (k == l ? 1 : 0)))
            }
        }
        return (equation, orthonormality)
    }

    @Test("random and degenerate symmetric matrices: numpy's eigenvalues, A v = λ v, orthonormal vectors")
    func matrices() throws {
        let f = try Self.fixture()
        for c in [f.random, f.degenerate] {
            let eigen = try SymmetricEigen(c.matrix)
            #expect(eigen.values.count == c.values.count)
            for (ours, numpy) in zip(eigen.values, c.values) { #expect(abs(ours - numpy) < 1e-12, "\(ours) vs \(numpy)") }
            let r = Self.residuals(c.matrix, eigen)
            #expect(r.equation < 1e-12 && r.orthonormality < 1e-12, "\(r)")
        }
        // Diagonal, zero and 1×1 matrices (trivial tridiagonal forms).
        let diagonal = try SymmetricEigen([[1, 0, 0], [0, 3, 0], [0, 0, 2]])
        #expect(diagonal.values == [3, 2, 1] && diagonal.vectors[0] == [0, 1, 0])
        #expect(try SymmetricEigen([[0, 0], [0, 0]]).values == [0, 0])
        #expect(try SymmetricEigen([[4]]).values == [4])
        #expect(throws: ConfigError.self) { try SymmetricEigen([[1, .nan], [.nan, 1]]) }
    }

    @Test("PCA covariance of MNIST pixels (read from the gzip) matches numpy: values, trace, top vectors")
    func mnist() throws {
        let f = try Self.fixture()
        let data = try Dataset.readCSV(TestConfigs.repository.appendingPathComponent("data/mnist5000.csv.gz").path)
        #expect(data.features.count == 5000 && data.featureCount == 784)
        let crop = (7...20).flatMap { r in (7...20).map { c in 28 * r + c } }
        try #require(crop.count == f.mnist.features)
        let rows = (Array(0..<400) + Array(500..<900)).map { i in crop.map { data.features[i][$0] } }
        let standard = FeatureScaler.standardising(rows)
        let z = rows.map(standard.apply)
        let covariance = PCA.covariance(z)
        let trace = (0..<crop.count).reduce(0) { $0 + covariance[$1][$1] }
        #expect(abs(trace - f.mnist.trace) < 1e-9 * f.mnist.trace)
        let eigen = try SymmetricEigen(covariance)
        for (ours, numpy) in zip(eigen.values, f.mnist.values) { #expect(abs(ours - numpy) < 1e-10 * f.mnist.values[0], "\(ours) vs \(numpy)") }
        for (ours, numpy) in zip(eigen.vectors, f.mnist.vectors) {
            #expect(zip(ours, numpy).allSatisfy { abs($0 - $1) < 1e-9 })
        }
        let r = Self.residuals(covariance, eigen)
        #expect(r.equation < 1e-10 * f.mnist.values[0] && r.orthonormality < 1e-12, "\(r)")
        let pca = try PCA(z, components: 16)
        #expect(abs(pca.explainedVariance - f.mnist.values.reduce(0, +) / f.mnist.trace) < 1e-10)
    }
}
