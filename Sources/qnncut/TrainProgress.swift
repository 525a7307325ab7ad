/// Rank 0's view of a training run on stderr: a live bar (`StatusLine`) when stdout or stderr is
/// a terminal or `--progress` asks for it — preparation, every step (epoch, step, loss, ETA), the
/// evaluation of the splits, robustness, checkpoints — and plain log lines otherwise (an epoch
/// line each epoch, a step line every ten seconds at most, the robustness phase).
import CSupport
import Foundation
import QNN

final class TrainProgress: TrainingObserver {
    let drawsBar: Bool
    var totalSteps = 0, stepsPerEpoch = 0, startStep = 0, epochs = 0
    var lastLine = Date().timeIntervalSince1970
    /// The last step's text, kept under phase texts ("epoch 2/20 step 7/7 loss …").
    var stepText = ""
    var fraction = 0.0

    init(drawsBar: Bool) { self.drawsBar = drawsBar }

    /// Called as soon as rank 0 knows it is rank 0: the bar shows before the config is read.
    func preparing(_ what: String) {
        if drawsBar { StatusLine.shared.start("preparing: \(what)") }
    }

    func trainingStarted(totalSteps: Int, stepsPerEpoch: Int, startStep: Int, epochs: Int) {
        self.totalSteps = totalSteps
        self.stepsPerEpoch = stepsPerEpoch
        self.startStep = startStep
        self.epochs = epochs
        note("training: \(epochs) epoch(s) × \(stepsPerEpoch) step(s)")
        fraction = totalSteps > 0 ? Double(startStep) / Double(totalSteps) : 0
        let epoch = min(epochs, startStep / max(stepsPerEpoch, 1) + 1)
        stepText = "epoch \(epoch)/\(epochs) step \(startStep % max(stepsPerEpoch, 1))/\(stepsPerEpoch)"
        if drawsBar { StatusLine.shared.update(stepText + ": first step", fraction: fraction) }
    }

    func stepFinished(_ row: StepTraceRow, stepInEpoch: Int, elapsedSeconds: Double) {
        let done = Int(row.step)
        let rate = elapsedSeconds / Double(max(done - startStep, 1))
        let eta = rate * Double(totalSteps - done)
        stepText = String(format: "epoch %d/%d step %d/%d loss %.4f acc %.2f ETA %@",
                          Int(row.epoch) + 1, epochs, stepInEpoch, stepsPerEpoch, row.loss, row.accuracy, Self.duration(eta))
        fraction = totalSteps > 0 ? Double(done) / Double(totalSteps) : 1
        if drawsBar {
            StatusLine.shared.update(stepText, fraction: fraction)
        } else {
            // Plain lines for logs: one every ten seconds at most (epoch lines come anyway).
            let now = Date().timeIntervalSince1970
            guard now - lastLine >= 10 else { return }
            lastLine = now
            csupport_write_stderr("qnncut: \(stepText)\n")
        }
    }

    func phase(_ phase: TrainingPhase) {
        switch phase {
        case .evaluation(let epoch):
            if drawsBar { StatusLine.shared.update("epoch \(epoch + 1)/\(epochs): evaluating the train and test splits", fraction: fraction) }
        case .robustness(let settings):
            if drawsBar {
                StatusLine.shared.update("robustness: \(settings) attack setting(s) on the test split", fraction: 1)
            } else {
                note("robustness: \(settings) attack setting(s) on the test split")
            }
        case .checkpoint(let step):
            if drawsBar { StatusLine.shared.update("\(stepText) · checkpoint saved at step \(step)", fraction: fraction) }
        }
    }

    func epochFinished(_ row: EpochTraceRow) {
        note(String(format: "epoch %d: train loss %.4f acc %.3f | test loss %.4f acc %.3f (%.2f s)",
                    Int(row.epoch) + 1, row.train_loss, row.train_accuracy, row.test_loss, row.test_accuracy, row.seconds))
    }

    func note(_ message: String) { StatusLine.shared.write("qnncut: \(message)\n") }

    func finish() { StatusLine.shared.stop() }

    static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "--" }
        if s < 60 { return String(format: "%.0fs", s) }
        if s < 3600 { return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) }
        return String(format: "%dh%02dm", Int(s) / 3600, Int(s) / 60 % 60)
    }
}
