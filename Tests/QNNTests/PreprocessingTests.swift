/// The symmetric eigen-decomposition, PCA and the seeded stratified split with train-fitted scaling.
import Cutting
import Testing
@testable import QNN
import Support

struct PreprocessingTests {
    @Test("SymmetricEigen: A v = λ v with orthonormal vectors, values descending")
    func eigen() throws {
        var rng = Xoshiro256(seed: 11)
        let n = 7
        var a = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n { for j in 0...i { let v = 2 * rng.uniform() - 1; a[i][j] = v; a[j][i] = v } }
        let eigen = try SymmetricEigen(a)
        #expect(zip(eigen.values, eigen.values.dropFirst()).allSatisfy { $0 >= $1 })
        for (k, v) in eigen.vectors.enumerated() {
            for i in 0..<n {
                let av = (0..<n).reduce(0) { $0 + a[i][$1] * v[$1] }
                #expect(abs(av - eigen.values[k] * v[i]) < 1e-10)
            }
            for (l, w) in eigen.vectors.enumerated() {
                let dot = zip(v, w).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(abs(dot - (k == l ? 1 : 0)) < 1e-10)
            }
        }
        // Known case: [[2,1],[1,2]] has eigenvalues 3 and 1.
        let small = try SymmetricEigen([[2, 1], [1, 2]])
        #expect(abs(small.values[0] - 3) < 1e-14 && abs(small.values[1] - 1) < 1e-14)
        #expect(throws: ConfigError.self) { try SymmetricEigen([[1, 2], [0, 1]]) }
    }

    @Test("PCA finds the direction of a stretched cloud")
    func pca() throws {
        var rng = Xoshiro256(seed: 3)
        let rows = (0..<200).map { _ -> [Double] in
            let t = 3 * rng.normal(), s = 0.1 * rng.normal()
            return [t / 2.0.squareRoot() - s / 2.0.squareRoot(), t / 2.0.squareRoot() + s / 2.0.squareRoot()]
        }
        let p = try PCA(rows, components: 1)
        #expect(abs(abs(p.components[0][0]) - 0.5.squareRoot()) < 0.01)
        #expect(p.explainedVariance > 0.99)
    }

    @Test("the split is stratified and seeded; scaling is fitted on the training split")
    func split() throws {
        let config = try TestConfigs.config(TestConfigs.irisYAML())
        let dataset = try Dataset.readCSV(config.data.file)
        #expect(dataset.features.count == 150 && dataset.featureCount == 4)
        let a = try PreparedData.prepare(dataset, config: config.data, features: 4)
        let b = try PreparedData.prepare(dataset, config: config.data, features: 4)
        #expect(a == b)
        #expect(a.testLabels.filter { $0 == 0 }.count == 3 && a.testLabels.filter { $0 == 1 }.count == 3)
        #expect(a.trainLabels.filter { $0 == 0 }.count == 9 && a.trainLabels.filter { $0 == 1 }.count == 9)
        for j in 0..<4 {
            let column = a.trainInputs.map { $0[j] }
            #expect(abs(column.min()! - 0) < 1e-12 && abs(column.max()! - .pi) < 1e-12)
        }
        var other = config.data
        other.seed = 2
        #expect(try PreparedData.prepare(dataset, config: other, features: 4) != a)
        #expect(throws: ConfigError.self) { try PreparedData.prepare(dataset, config: config.data, features: 5) }
    }

    @Test("angle_scaling shared: one factor for every feature, the widest spans the range")
    func sharedScaling() throws {
        let rows: [[Double]] = [[0, 10, 5], [4, 12, 5], [2, 11, 5]]
        let s = FeatureScaler.sharedMinMax(rows, low: 0, high: .pi)
        let out = rows.map(s.apply)
        // Widths 4, 2, 0: the first spans [0, π], the second [0, π/2], the constant stays at 0.
        #expect(abs(out[1][0] - .pi) < 1e-15 && out[0][0] == 0)
        #expect(abs(out[1][1] - .pi / 2) < 1e-15 && out[0][1] == 0)
        #expect(out.allSatisfy { $0[2] == 0 })
        let shared = try TestConfigs.config(TestConfigs.irisYAML(), overrides: ["data.angle_scaling=shared"])
        #expect(shared.data.angleScaling == "shared")
        let plain = try TestConfigs.config(TestConfigs.irisYAML())
        #expect(plain.data.angleScaling == nil && plain.hash != shared.hash)
        let prepared = try PreparedData.prepare(try Dataset.readCSV(shared.data.file), config: shared.data, features: 4)
        let widest = (0..<4).map { j in prepared.trainInputs.map { $0[j] }.max()! - prepared.trainInputs.map { $0[j] }.min()! }
        #expect(abs(widest.max()! - .pi) < 1e-12 && widest.min()! < .pi - 0.1)
    }

    @Test("component_order blocks: every block's readout qubit gets one of the m leading components")
    func componentsDealtOverBlocks() throws {
        // 6 inputs, 3 blocks of 2 (readout = last qubit of each block); component c is [c].
        let components = (0..<6).map { [Double($0)] }
        let dealt = try PreparedData.dealtOverBlocks(components, blocks: 3, source: "t")
        // Block b: qubit 2b+1 (readout) gets component b, qubit 2b gets component 3 + b.
        #expect(dealt.map { Int($0[0]) } == [3, 0, 4, 1, 5, 2])
        #expect(throws: ConfigError.self) { try PreparedData.dealtOverBlocks(components, blocks: 4, source: "t") }
        // The reference family's blocks are its two halves.
        let halves = try TestConfigs.config(TestConfigs.irisYAML(), overrides: ["data.component_order=blocks"])
        #expect(halves.data.componentBlocks == 2)
        let plain = try TestConfigs.config(TestConfigs.irisYAML())
        #expect(plain.data.componentBlocks == nil && plain.hash != halves.hash)
        let a = try PreparedData.prepare(try Dataset.readCSV(halves.data.file), config: halves.data, features: 4)
        var natural = halves.data
        natural.componentOrder = "natural"
        let b = try PreparedData.prepare(try Dataset.readCSV(halves.data.file), config: natural, features: 4)
        // Inputs 0…3 hold components 3, 1, 4, 2 (1-based) of the natural order.
        for (q, c) in [2, 0, 3, 1].enumerated() { #expect(a.trainInputs.map { $0[q] } == b.trainInputs.map { $0[c] }) }
    }

    @Test("CSV errors name file, line and column")
    func csvErrors() throws {
        let path = try TestConfigs.temporaryFolder() + "/bad.csv"
        try "a,b,label\n1,2,0\n3,x,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigError.self) { try Dataset.readCSV(path) }
        #expect(error?.description.contains("\(path):3:3") == true, "\(String(describing: error))")
    }
}
