/// The end of `qnncut train` on stdout: one summary line, or one JSON object with `--json`.
import CSupport
import Foundation
import QNN

enum TrainSummaryPrinter {
    static func print(_ s: TrainingSummary, json: Bool) throws {
        if json {
            csupport_write_stdout(try JSONOutput.text(s) + "\n")
            return
        }
        var line = String(format: "%@: %d epoch(s), %d step(s), train acc %.3f, test acc %.3f (loss %.4f), %d cut(s), %@%@, %d rank(s), %.2f s",
                          s.config, s.epochs, s.steps, s.finalTrainAccuracy, s.finalTestAccuracy, s.finalTestLoss,
                          s.cuts, s.mode.rawValue, s.uncut ? " uncut" : "", s.ranks, s.wallSeconds)
        // With more ranks rank 0's CPU time includes MPI polling, so the ratio means little.
        if s.ranks == 1 && s.forwardSecondsPerQuery > 0 && s.gradientSecondsPerQuery > 0 {
            line += String(format: ", gradient/forward CPU %.2f×", s.gradientCostRatio)
        }
        for r in s.robustness where r.attack != .clean {
            line += String(format: ", %@ %.3g: %.3f", r.attack.rawValue, r.strength, r.testAccuracy)
        }
        csupport_write_stdout(line + " → \(s.output)\n")
    }
}
