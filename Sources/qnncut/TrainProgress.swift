/// Rank 0's view of a training run on stderr: a one-line progress bar redrawn in place on a
/// terminal (epoch, step, loss, ETA), plain log lines when stderr is a file or pipe.
import CSupport
import Foundation
import QNN

final class TrainProgress: TrainingObserver {
    let isTTY = csupport_stderr_isatty() == 1
    var totalSteps = 0, stepsPerEpoch = 0, startStep = 0, epochs = 0
    var lastDraw = Date().timeIntervalSince1970
    var barShown = false
    func trainingStarted(totalSteps: Int, stepsPerEpoch: Int, startStep: Int, epochs: Int) {
        self.totalSteps = totalSteps
        self.stepsPerEpoch = stepsPerEpoch
        self.startStep = startStep
        self.epochs = epochs
        note("training: \(epochs) epoch(s) × \(stepsPerEpoch) step(s)")
    }

    func stepFinished(_ row: StepTraceRow, stepInEpoch: Int, elapsedSeconds: Double) {
        let done = Int(row.step)
        let rate = elapsedSeconds / Double(max(done - startStep, 1))
        let eta = rate * Double(totalSteps - done)
        let text = String(format: "epoch %d/%d step %d/%d loss %.4f acc %.2f ETA %@",
                          Int(row.epoch) + 1, epochs, stepInEpoch, stepsPerEpoch, row.loss, row.accuracy, Self.duration(eta))
        if isTTY {
            let now = Date().timeIntervalSince1970
            guard now - lastDraw > 0.1 || done == totalSteps else { return }
            lastDraw = now
            let width = 24
            let filled = totalSteps > 0 ? width * done / totalSteps : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            csupport_write_stderr("\r\u{1B}[2K[\(bar)] \(text)")
            barShown = true
        } else {
            // Plain lines for logs: one every ten seconds at most (epoch lines come anyway).
            let now = Date().timeIntervalSince1970
            guard now - lastDraw >= 10 else { return }
            lastDraw = now
            csupport_write_stderr("qnncut: \(text)\n")
        }
    }

    func epochFinished(_ row: EpochTraceRow) {
        note(String(format: "epoch %d: train loss %.4f acc %.3f | test loss %.4f acc %.3f (%.2f s)",
                    Int(row.epoch) + 1, row.train_loss, row.train_accuracy, row.test_loss, row.test_accuracy, row.seconds))
    }

    func note(_ message: String) {
        if barShown { csupport_write_stderr("\r\u{1B}[2K"); barShown = false }
        csupport_write_stderr("qnncut: \(message)\n")
    }

    func finish() {
        if barShown { csupport_write_stderr("\r\u{1B}[2K"); barShown = false }
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "--" }
        if s < 60 { return String(format: "%.0fs", s) }
        if s < 3600 { return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) }
        return String(format: "%dh%02dm", Int(s) / 3600, Int(s) / 60 % 60)
    }
}
