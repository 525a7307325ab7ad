/// `qnncut predict CHECKPOINT DATA.csv`: classify new rows with a trained model.
///
/// Rank 0 reads the checkpoint (sealed and checked like a resume: the model, θ and the fitted
/// preprocessing) and the CSV, turns each row into circuit angles exactly as training did, and
/// shares the job; every rank then joins the distributed estimator (as in training), and rank 0
/// prints each row's class and probability, and the accuracy when the file has labels.
import ArgumentParser
import Circuits
import Estimator
import Foundation
import MPI
import QNN

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify the rows of a CSV file with a trained model (its checkpoint).",
        usage: "qnncut predict <checkpoint> <data.csv> [--json] [<options>]",
        discussion: """
            Examples:
              qnncut predict results/iris/checkpoint.h5 results/iris/test.csv
              mpirun -np 2 qnncut predict results/iris/checkpoint.h5 new.csv --json

            DATA.csv holds raw features in the columns of the training data file (a header line is skipped), optionally followed by the label: then the accuracy is printed too. Training writes its held-back test split to DIR/test.csv, so predicting on it reproduces the test accuracy the run reported. The checkpoint holds the scaler, PCA, angle map and the model; it is read like one given to --resume.
            """)

    @Argument(help: "checkpoint.h5 of a training run.")
    var checkpoint: String

    @Argument(help: "CSV of rows to classify (features, optionally the label last).")
    var data: String

    @OptionGroup var distribution: DistributionOptions

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    struct Job: Codable {
        var model: QNNModel
        var theta: [Double]
        var inputs: [[Double]]
        var labels: [Int]?
        var classes: [Int]
    }

    func load() throws -> Job {
        let stored = try Checkpoint.read(from: checkpoint)
        guard let pipeline = stored.pipeline, let model = try stored.storedModel(path: checkpoint) else {
            throw InputError(description: "\(checkpoint): this checkpoint holds no preprocessing (written by a qnncut before 0.2); train again, or continue the run one epoch with --resume --set training.epochs=N+1, to write one that predict can use")
        }
        guard stored.theta.count == model.parameterCount, pipeline.inputCount == model.inputCount else {
            throw InputError(description: "\(checkpoint): θ has \(stored.theta.count) values and the preprocessing \(pipeline.inputCount) inputs; the model takes \(model.parameterCount) and \(model.inputCount)")
        }
        let table = try PredictData.read(data, featureCount: pipeline.featureCount)
        return Job(model: model, theta: stored.theta, inputs: table.rows.map(pipeline.inputs), labels: table.labels,
                   classes: pipeline.classes)
    }

    func run() throws {
        MPIJob.run { world in
            let job = try world.rootDecides { try load() }
            let estimator = try DistributedEstimator(world: world, options: distribution.estimatorOptions) {
                try job.model.cutPlan(source: checkpoint)
            }
            guard world.isRoot else { return try estimator.serve() }
            var estimates: [Double] = []
            var start = 0
            while start < job.inputs.count {
                let chunk = Array(job.inputs[start ..< min(start + 64, job.inputs.count)])
                estimates += try estimator.evaluate(theta: job.theta, inputs: chunk, gradients: false).estimate.values
                start += chunk.count
            }
            try estimator.stop()
            try PredictReport(job: job, estimates: estimates, ranks: world.size).print(json: json)
        }
    }
}

/// One row per input: the class (a `data.classes` label), p(class) = (1 ± ⟨O⟩)/2 of it, and the
/// label when given; the accuracy over labelled rows.
struct PredictReport: Encodable {
    struct Row: Encodable {
        var `class`: Int
        var probability: Double
        /// ⟨O⟩; p(second class) = (1 + estimate)/2.
        var estimate: Double
        var label: Int?
    }
    var rows: [Row]
    var classes: [Int]
    var accuracy: Double?
    var ranks: Int

    init(job: Predict.Job, estimates: [Double], ranks: Int) {
        classes = job.classes
        self.ranks = ranks
        rows = estimates.enumerated().map { q, e in
            let y = BinaryCrossEntropy.predicted(estimate: e)
            let p1 = min(1, max(0, (1 + e) / 2))
            return Row(class: job.classes[y], probability: y == 1 ? p1 : 1 - p1, estimate: e, label: job.labels?[q])
        }
        if let labels = job.labels {
            accuracy = Double(zip(rows, labels).filter { $0.class == $1 }.count) / Double(max(labels.count, 1))
        }
    }

    func print(json: Bool) throws {
        if json {
            try JSONOutput.print(self)
            return
        }
        for (i, r) in rows.enumerated() {
            let label = r.label.map { " (label \($0)\($0 == r.class ? "" : ", wrong"))" } ?? ""
            Swift.print(String(format: "row %d: class %d, p = %.4f", i + 1, r.class, r.probability) + label)
        }
        if let accuracy, let labelled = rows.first?.label.map({ _ in rows.count }) {
            let correct = rows.filter { $0.label == $0.class }.count
            Swift.print(String(format: "accuracy %.4f (%d of %d rows)", accuracy, correct, labelled))
        }
    }
}
