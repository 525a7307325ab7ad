/// Estimates from rounds (exact, or shot-noisy with a matched per-query budget: `ShotMode`),
/// metrics on whole splits, and the robustness sweep (Gaussian input noise, FGSM) at the end of
/// training.
import Estimator
import Support

extension Trainer {
    /// How a round's values are produced: exactly, or in shot mode with one seed per query from
    /// (run seed, purpose, counter, query) — so a resumed run draws the same shots.
    func sampling(_ stream: Seeds.Stream, counter: Int, queries: Int, offset: Int = 0) -> Sampling {
        guard let shotMode else { return .exact }
        return .shots(shotMode, seeds: (0..<queries).map { Seeds.derive(config.training.seed, stream, counter, offset + $0) })
    }

    /// Estimates for many inputs, in rounds of one training batch (so forward and gradient rounds
    /// have the same size and their per-query costs compare).
    func forwardEstimates(_ inputs: [[Double]], stream: Seeds.Stream, counter: Int) throws -> [Double] {
        var values: [Double] = []
        let size = config.training.batchSize
        var start = 0
        while start < inputs.count {
            let chunk = Array(inputs[start ..< min(start + size, inputs.count)])
            let result = try estimator.evaluate(theta: theta, inputs: chunk, gradients: false,
                                                sampling: sampling(stream, counter: counter, queries: chunk.count, offset: start))
            try trace?.trace.record(result, step: step, observable: 0)
            values += result.estimate.values
            start += size
        }
        return values
    }

    static func metrics(_ estimates: [Double], labels: [Int]) -> SplitMetrics {
        var loss = 0.0, correct = 0
        for (e, y) in zip(estimates, labels) {
            loss += BinaryCrossEntropy.loss(estimate: e, label: y)
            if BinaryCrossEntropy.predicted(estimate: e) == y { correct += 1 }
        }
        let n = Double(max(labels.count, 1))
        return SplitMetrics(loss: loss / n, accuracy: Double(correct) / n)
    }

    /// Train and test metrics at the current θ.
    func evaluateSplits(epochIndex: Int) throws -> (train: SplitMetrics, test: SplitMetrics) {
        let d = job.data
        let train = try forwardEstimates(d.trainInputs, stream: .evaluationShots, counter: 2 * epochIndex)
        let test = try forwardEstimates(d.testInputs, stream: .evaluationShots, counter: 2 * epochIndex + 1)
        return (Self.metrics(train, labels: d.trainLabels), Self.metrics(test, labels: d.testLabels))
    }

    /// Test accuracy clean, under Gaussian noise on the input angles (one draw per feature and
    /// sample, seeded), and under FGSM: x' = x + ε·sign(∂L/∂x) with ∂L/∂x = ∂L/∂E · ∂E/∂x from the
    /// estimator's input gradients (exact — the attacker is white-box even in shot mode — except
    /// with an executor, which gives only measured parameter-shift gradients).
    func evaluateRobustness() throws -> [RobustnessResult] {
        let r = config.robustness
        guard !r.gaussianSigmas.isEmpty || !r.fgsmEpsilons.isEmpty else { return [] }
        let x = job.data.testInputs, y = job.data.testLabels
        var results: [RobustnessResult] = []
        func add(_ attack: Attack, _ strength: Double, _ estimates: [Double]) {
            let m = Self.metrics(estimates, labels: y)
            results.append(RobustnessResult(attack: attack, strength: strength, testLoss: m.loss, testAccuracy: m.accuracy))
        }
        add(.clean, 0, try forwardEstimates(x, stream: .robustnessShots, counter: 0))
        for (i, sigma) in r.gaussianSigmas.enumerated() {
            let noisy = x.enumerated().map { b, row in
                var rng = Seeds.generator(r.seed, .gaussianNoise, i, b)
                return row.map { $0 + sigma * rng.normal() }
            }
            add(.gaussian, sigma, try forwardEstimates(noisy, stream: .robustnessShots, counter: 1 + i))
        }
        guard !r.fgsmEpsilons.isEmpty else { return results }
        var direction: [[Double]] = []
        let size = config.training.batchSize
        var start = 0
        while start < x.count {
            let chunk = Array(x[start ..< min(start + size, x.count)])
            // An executor has no exact gradients: the attacker measures them on the device too
            // (parameter shift over θ and x, the robustness stream's seeds).
            let result = config.estimator.executor == nil
                ? try estimator.evaluate(theta: theta, inputs: chunk, gradients: true)
                : try estimator.evaluate(theta: theta, inputs: chunk, method: .parameterShiftWithInputs,
                                         sampling: sampling(.robustnessShots, counter: 1 + r.gaussianSigmas.count + r.fgsmEpsilons.count,
                                                            queries: chunk.count, offset: start))
            for (q, e) in result.estimate.values.enumerated() {
                let dE = BinaryCrossEntropy.derivative(estimate: e, label: y[start + q])
                direction.append(result.estimate.inputGradients[q].map { g in
                    let d = dE * g
                    return d > 0 ? 1 : d < 0 ? -1 : 0
                })
            }
            start += size
        }
        for (i, epsilon) in r.fgsmEpsilons.enumerated() {
            let attacked = zip(x, direction).map { row, s in zip(row, s).map { $0 + epsilon * $1 } }
            add(.fgsm, epsilon, try forwardEstimates(attacked, stream: .robustnessShots, counter: 1 + r.gaussianSigmas.count + i))
        }
        return results
    }
}
