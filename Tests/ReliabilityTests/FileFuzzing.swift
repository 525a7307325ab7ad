/// Checkpoint and trace fuzzing (issue 19): thousands of truncated and bit-flipped copies of a real
/// checkpoint and trace, read the way `train --resume` and `analyze` read them (through the hidden
/// `qnncut _read-files`, a few processes for all files). Every file must end in a verdict line —
/// no crash — and every accepted checkpoint must carry exactly the original's content digest: a
/// changed θ, optimiser state or counter is never resumed silently.
import Foundation
import Testing
import TestSupport
@testable import QNN

enum FileFuzzing {
    struct Outcome {
        var files = 0, accepted = 0, refused = 0, crashes = 0, silentChanges = 0
        var problems: [String] = []
    }

    /// Truncation (even trials) or 1–8 flipped bytes (odd trials) of `original`.
    static func mutant(_ original: [UInt8], trial: Int, _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = original
        if trial % 2 == 0 {
            bytes.removeSubrange(Int.random(in: 0 ..< bytes.count, using: &rng)...)
        } else {
            for _ in 0 ..< Int.random(in: 1 ... 8, using: &rng) {
                bytes[Int.random(in: 0 ..< bytes.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0 ... 7, using: &rng)
            }
        }
        return bytes
    }

    /// Read `paths` with `_read-files` (`kind`: "--checkpoint" or "--trace"), restarting after the
    /// file a crashed process was reading. Returns one verdict per path (nil: it crashed there).
    static func verdicts(_ paths: [String], kind: String, config: String, _ outcome: inout Outcome) throws -> [String?] {
        var verdicts = [String?](repeating: nil, count: paths.count)
        var next = 0
        while next < paths.count {
            let batch = Array(paths[next ..< min(next + 250, paths.count)])
            let r = try Runner.qnncut(["_read-files", "--config", config, kind] + batch, timeout: 120)
            var seen = 0
            for line in r.stdout.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, let index = Int(parts[0]), index < batch.count else { continue }
                verdicts[next + index] = String(parts[1])
                seen = max(seen, index + 1)
            }
            if seen < batch.count {
                outcome.crashes += 1
                outcome.problems.append("\(batch[seen]): the reader died (exit \(r.exitCode)): \(r.stderr.suffix(300))")
                next += seen + 1
            } else {
                next += batch.count
            }
        }
        return verdicts
    }

    static func run(earlier: String, config: String, checkpoints: Int, traces: Int, seed: UInt64) throws -> Outcome {
        let folder = try Workspace.temporaryFolder("fuzz")
        var rng = SplitMix64(state: seed)
        var outcome = Outcome()
        let original = try Checkpoint.read(from: earlier + "/checkpoint.h5")
        for (kind, source, count) in [("--checkpoint", earlier + "/checkpoint.h5", checkpoints), ("--trace", earlier + "/traces.h5", traces)] {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source)))
            var paths: [String] = []
            for trial in 0 ..< count {
                let path = folder + "/\(kind.dropFirst(2))-\(trial).h5"
                try Data(mutant(bytes, trial: trial, &rng)).write(to: URL(fileURLWithPath: path))
                paths.append(path)
            }
            let verdicts = try verdicts(paths, kind: kind, config: config, &outcome)
            for (path, verdict) in zip(paths, verdicts) {
                outcome.files += 1
                guard let verdict else { continue }
                if verdict.hasPrefix("accepted") {
                    outcome.accepted += 1
                    if kind == "--checkpoint" && verdict != "accepted \(original.digest)" {
                        outcome.silentChanges += 1
                        outcome.problems.append("\(path): a changed checkpoint was accepted (\(verdict))")
                    }
                } else {
                    outcome.refused += 1
                    if verdict.contains("\n") || verdict.count > 700 { outcome.problems.append("\(path): long refusal: \(verdict.prefix(200))") }
                }
            }
        }
        try? FileManager.default.removeItem(atPath: folder)
        return outcome
    }
}
