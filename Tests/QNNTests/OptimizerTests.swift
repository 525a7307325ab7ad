/// Loss derivative against finite differences; SGD and Adam update rules.
import Testing
@testable import QNN

struct OptimizerTests {
    @Test("∂BCE/∂E matches a central difference", arguments: [-0.9, -0.3, 0.0, 0.4, 0.95])
    func bceDerivative(e: Double) {
        for y in [0, 1] {
            let h = 1e-6
            let numeric = (BinaryCrossEntropy.loss(estimate: e + h, label: y) - BinaryCrossEntropy.loss(estimate: e - h, label: y)) / (2 * h)
            #expect(abs(numeric - BinaryCrossEntropy.derivative(estimate: e, label: y)) < 1e-6)
        }
    }

    @Test("SGD with momentum and Adam follow their update rules")
    func updates() throws {
        var config = try TestConfigs.config(TestConfigs.irisYAML()).training
        config.optimizer = .sgd
        config.learningRate = 0.5
        config.momentum = 0.9
        var sgd = Optimizer(config, parameterCount: 2)
        var theta = [1.0, -1.0]
        sgd.update(&theta, gradient: [0.2, -0.4])
        #expect(theta == [1 - 0.1, -1 + 0.2])
        sgd.update(&theta, gradient: [0.2, -0.4])
        #expect(abs(theta[0] - (0.9 - 0.5 * (0.9 * 0.2 + 0.2))) < 1e-15)

        config.optimizer = .adam
        config.learningRate = 0.01
        var adam = Optimizer(config, parameterCount: 2)
        theta = [0, 0]
        adam.update(&theta, gradient: [3, -0.001])
        // First bias-corrected Adam step is lr·g/(|g| + ε′): nearly lr·sign(g).
        #expect(abs(theta[0] + 0.01) < 1e-8 && abs(theta[1] - 0.01) < 1e-7)
        #expect(adam.state.t == 1 && adam.state.v.count == 2)
    }
}
