/// Hostile files (issue 19): inputs that are devices, FIFOs or folders; output targets that are
/// devices, FIFOs, folders or links; config names that leave the results folder; checkpoints
/// whose θ lives in another file, behind a link, declares 2^40 elements, or carries a valid
/// digest over out-of-range fields; traces declaring 2^40 rows or a round of Int64.max. Every
/// case must be one error line with exit 1 within seconds, and change nothing on disk.
import CHDF5
import Estimator
import Foundation
import HDF5
import Testing
import TestSupport
@testable import QNN

#if canImport(Glibc)
import Glibc
#endif

enum HostileFiles {
    /// Kind of a path (`lstat`), to check that a refused run left a device a device.
    static func kind(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }

    /// A FIFO and, when we may create one (root), a character device equal to /dev/null — never
    /// the real /dev/null: a regression would replace it for the whole machine.
    static func specialFiles(_ folder: String) throws -> [String] {
        var paths: [String] = []
        let fifo = folder + "/fifo"
        try #require(mkfifo(fifo, 0o644) == 0, "mkfifo failed")
        paths.append(fifo)
        let device = folder + "/null-device"
        if mknod(device, S_IFCHR | 0o666, makedev(1, 3)) == 0 { paths.append(device) }
        return paths
    }

    static func makedev(_ major: UInt32, _ minor: UInt32) -> dev_t {
        dev_t((major & 0xfff) << 8 | (minor & 0xff) | ((minor & ~0xff) << 12))
    }

    /// Inputs that are not regular files: refused at once, never read.
    static func inputCases(folder: String, config: String) throws -> [BadInputCase] {
        let specials = try specialFiles(folder)
        let circuit = folder + "/chain.qasm"
        try Workspace.write(Workspace.chainQASM(qubits: 4), to: circuit)
        var cases: [BadInputCase] = []
        for path in specials + ["/dev/zero", "/dev/urandom", folder] {
            let name = (path as NSString).lastPathComponent
            cases.append(BadInputCase(name: "estimate circuit \(name)", arguments: ["estimate", path, "--observable", "Z0", "--uncut"],
                                      mentions: [path, "regular file"]))
            cases.append(BadInputCase(name: "train config \(name)", arguments: ["train", path, "--output", folder + "/never"],
                                      mentions: [path, "regular file"]))
            cases.append(BadInputCase(name: "analyze \(name)", arguments: ["analyze", path], mentions: [path]))
        }
        for path in [specials[0], "/dev/zero"] {
            cases.append(BadInputCase(name: "estimate --inputs \(path)",
                                      arguments: ["estimate", circuit, "--observable", "Z3", "--uncut", "--inputs", path],
                                      mentions: [path, "regular file"]))
            let data = folder + "/data-\((path as NSString).lastPathComponent).yaml"
            try Workspace.write(Workspace.tinyYAML().replacingOccurrences(of: Workspace.irisPath, with: path), to: data)
            cases.append(BadInputCase(name: "train data.file \(path)", arguments: ["train", data, "--output", folder + "/never"],
                                      mentions: [path, "regular file"]))
        }
        // Config names that would leave results/ (refused even when --output is given).
        for (label, name) in [("dotdot", ".."), ("dot", "."), ("slash", "a/b")] {
            let path = folder + "/name-\(label).yaml"
            try Workspace.write(Workspace.tinyYAML().replacingOccurrences(of: "name: tiny", with: "name: '\(name)'"), to: path)
            cases.append(BadInputCase(name: "config name \(name)", arguments: ["train", path, "--output", folder + "/never"],
                                      mentions: ["name", "results folder"]))
        }
        cases.append(BadInputCase(name: "--set name=..", arguments: ["train", config, "--set", "name=..", "--output", folder + "/never"],
                                  mentions: ["name", "results folder"]))
        return cases
    }

    /// `estimate --trace T --overwrite` and `train --overwrite` onto targets that are not regular
    /// files: refused, the target still what it was.
    static func outputTargets(folder: String, config: String) throws {
        let targets = folder + "/targets"
        try FileManager.default.createDirectory(atPath: targets, withIntermediateDirectories: true)
        let outside = folder + "/outside.txt"
        try Workspace.write("not yours\n", to: outside)
        let link = targets + "/link.h5"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: outside)
        let circuit = folder + "/chain.qasm"
        try Workspace.write(Workspace.chainQASM(qubits: 4), to: circuit)
        for target in try specialFiles(targets) + [link, folder + "/targets"] {
            var check = CaseCheck()
            let before = kind(target)
            let r = try Runner.qnncut(["estimate", circuit, "--observable", "Z3", "--uncut", "--trace", target, "--overwrite"], timeout: 20)
            Runner.expectRefusal(r, mentions: ["--trace", target, "never replaced"], &check)
            check.expect(kind(target) == before, "the target changed kind")
            Tally.record("--trace \((target as NSString).lastPathComponent) --overwrite", check.problems)
        }
        // A run folder whose traces.h5 is a link out of it.
        let run = folder + "/linked-run"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: run + "/traces.h5", withDestinationPath: outside)
        var check = CaseCheck()
        let r = try Runner.qnncut(["train", config, "--output", run, "--overwrite"])
        Runner.expectRefusal(r, mentions: ["traces.h5", "symbolic link"], &check)
        check.expect(FileManager.default.contents(atPath: outside) == Data("not yours\n".utf8), "the link's target changed")
        check.expect(kind(run + "/traces.h5") == S_IFLNK, "the link was replaced")
        Tally.record("train into a folder whose traces.h5 is a link", check.problems)

        // The default folder results/<name> as a link: not followed; named with --output: used.
        let cwd = folder + "/cwd"
        try FileManager.default.createDirectory(atPath: cwd + "/results", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/elsewhere", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: cwd + "/results/tiny", withDestinationPath: folder + "/elsewhere")
        check = CaseCheck()
        let refused = try ChildProcess.run("env", ["-C", cwd, TestEnvironment.qnncutPath, "train", config],
                                           environment: TestEnvironment.childEnvironment(), timeout: 60)
        Runner.expectRefusal(refused, mentions: ["results/tiny", "symbolic link", "--output"], &check)
        check.expect(((try? FileManager.default.contentsOfDirectory(atPath: folder + "/elsewhere")) ?? ["?"]).isEmpty,
                     "a file was written through the link")
        let named = try ChildProcess.run("env", ["-C", cwd, TestEnvironment.qnncutPath, "train", config, "--output", "results/tiny"],
                                         environment: TestEnvironment.childEnvironment(), timeout: 60)
        check.expect(named.exitCode == 0, "--output naming the link itself was refused: \(named.stderr)")
        check.expect(FileManager.default.fileExists(atPath: folder + "/elsewhere/checkpoint.h5"), "no checkpoint where the named link points")
        Tally.record("default run folder that is a link", check.problems)
    }

    /// Copies of the earlier run whose checkpoint was crafted or edited, resumed: refused before
    /// the folder changes (the copies are guarded by `runCorpus`).
    static func checkpointCases(folder: String, earlier: String, config: String) throws -> [BadInputCase] {
        let original = try Checkpoint.read(from: earlier + "/checkpoint.h5")
        var cases: [BadInputCase] = []
        func copy(_ name: String, mentions: [String], _ damage: (String) throws -> Void) throws {
            let run = folder + "/" + name
            try FileManager.default.copyItem(atPath: earlier, toPath: run)
            try damage(run + "/checkpoint.h5")
            cases.append(BadInputCase(name: "checkpoint/" + name, arguments: ["train", config, "--output", run, "--resume"],
                                      mentions: ["checkpoint.h5"] + mentions))
        }
        try copy("external-storage", mentions: ["external files"]) { try CraftedHDF5.externalStorage($0, theta: original.theta) }
        try copy("soft-link", mentions: ["soft link"]) { try CraftedHDF5.softLink($0) }
        try copy("external-link", mentions: ["external link"]) { try CraftedHDF5.externalLink($0, theta: original.theta) }
        try copy("virtual-dataset", mentions: ["virtual"]) { try CraftedHDF5.virtualDataset($0, theta: original.theta) }
        try copy("theta-2-40", mentions: ["theta", "1099511627776"]) { try CraftedHDF5.hugeShape($0) }
        try copy("no-digest", mentions: ["content_digest"]) { try CraftedHDF5.withoutDigest($0) }
        /// The original with one field changed, written with a matching digest.
        func edited(_ name: String, _ field: String, _ change: (inout Checkpoint) -> Void) throws {
            try copy(name, mentions: [field]) { path in
                var c = original
                change(&c)
                try FileManager.default.removeItem(atPath: path)
                try c.write(to: path)
            }
        }
        try edited("theta-short", "theta") { $0.theta.removeLast(); $0.optimizerState.m.removeLast(); $0.optimizerState.v.removeLast() }
        try edited("theta-empty", "theta") { $0.theta = []; $0.optimizerState.m = []; $0.optimizerState.v = [] }
        try edited("theta-nan", "theta") { $0.theta[3] = .nan }
        try edited("step-max", "step") { $0.step = Int(Int64.max); $0.optimizerState.t = Int(Int64.max) }
        try edited("step-in-epoch-negative", "step_in_epoch") { $0.stepInEpoch = -1 }
        try edited("step-in-epoch-1000", "step_in_epoch") { $0.stepInEpoch = 1000; $0.step += 1000; $0.optimizerState.t += 1000 }
        try edited("epoch-negative", "epoch") { $0.epoch = -1 }
        try edited("epoch-inconsistent", "step") { $0.epoch += 5 }
        try edited("optimizer-sgd", "training.optimizer") { $0.optimizer = "sgd"; $0.optimizerState.v = [] }
        try edited("moment-short", "optimizer/m") { $0.optimizerState.m.removeLast() }
        try edited("optimizer-t", "optimizer_t") { $0.optimizerState.t += 1 }
        try edited("seed", "training.seed") { $0.seed &+= 1 }
        return cases
    }

    /// Traces declaring 2^40 rows, or holding a round of Int64.max: `analyze` refuses in one line.
    static func traceCases(folder: String, earlier: String, config: String) throws -> [BadInputCase] {
        let huge = folder + "/huge-trace.h5", bigRound = folder + "/round-max.h5"
        try FileManager.default.copyItem(atPath: earlier + "/traces.h5", toPath: huge)
        try FileManager.default.copyItem(atPath: earlier + "/traces.h5", toPath: bigRound)
        try CraftedHDF5.edit(huge) { file in
            let dataset = try CraftedHDF5.check(H5Dopen2(file, "queries", chdf5_p_default()), "H5Dopen2")
            defer { H5Dclose(dataset) }
            var size = [hsize_t(1) << 40]
            try CraftedHDF5.check(H5Dset_extent(dataset, &size), "H5Dset_extent")
        }
        let file = try File.open(bigRound, mode: .readWrite)
        let table = try file.openTable("queries", layout: QueryTraceRow.layout)
        var row = try table.read(0 ..< 1)[0]
        row.round = .max
        try table.append(row)
        try file.close()
        // A segment copied in from a run of another config, next to this run's traces.h5.
        let other = folder + "/other-run", mixed = folder + "/mixed-run"
        let second = try Runner.qnncut(["train", config, "--output", other, "--set", "training.learning_rate=0.2"])
        try #require(second.exitCode == 0, "\(second.stderr)")
        try FileManager.default.copyItem(atPath: earlier, toPath: mixed)
        try FileManager.default.copyItem(atPath: other + "/traces.h5", toPath: mixed + "/traces.segment-1.h5")
        return [
            BadInputCase(name: "analyze with another run's segment", arguments: ["analyze", mixed + "/traces.h5"],
                         mentions: ["traces.segment-1.h5", "another run"]),
            BadInputCase(name: "analyze 2^40 rows", arguments: ["analyze", huge], mentions: ["huge-trace.h5", "queries"]),
            BadInputCase(name: "analyze round Int64.max", arguments: ["analyze", bigRound], mentions: ["round-max.h5", "round"]),
        ]
    }
}
