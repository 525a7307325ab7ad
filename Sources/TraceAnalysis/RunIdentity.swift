/// What a run is, for grouping and for legends: its *task* (the config name without its cut
/// suffix — `iris-cuts-2` → `iris` — or, for `qnncut estimate`, the circuit's file name) and a
/// *label* that names it among the runs analysed together (the config name, then what tells runs
/// of the same config apart: estimator mode, uncut, schedule policy, stragglers).
import Foundation

enum RunIdentity {
    /// `iris-cuts-2`, `mnist_cuts3`, `iris-2cuts` → `iris`, `mnist`, `iris`; other names unchanged.
    static func task(configName: String) -> String {
        let patterns = [#"[-_ ]?cuts?[-_ ]?[0-9]+$"#, #"[-_ ]?[0-9]+[-_ ]?cuts?$"#]
        for pattern in patterns {
            if let range = configName.range(of: pattern, options: [.regularExpression, .caseInsensitive]),
               range.lowerBound > configName.startIndex {
                return String(configName[..<range.lowerBound])
            }
        }
        return configName
    }

    /// The task of a run: its config's name without the cut suffix; for an estimate trace the
    /// circuit named on its command line (`estimate circuit.qasm`), else the file's name.
    static func task(_ run: TraceRun) -> String {
        if let name = run.configName, !name.isEmpty { return task(configName: name) }
        if let circuit = circuit(inCommand: run.command) { return "estimate " + circuit }
        return "estimate"
    }

    /// The first `*.qasm` argument of an estimate command, without folder and extension.
    static func circuit(inCommand command: String?) -> String? {
        guard let words = command?.split(separator: " "), words.contains("estimate") else { return nil }
        guard let file = words.first(where: { $0.hasSuffix(".qasm") }) else { return nil }
        return ((String(file) as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// The run's own name before disambiguation: its config name, or the trace file's name
    /// (its folder's for a `traces.h5`).
    static func baseLabel(_ run: TraceRun) -> String {
        if let name = run.configName, !name.isEmpty { return name }
        let file = (run.path as NSString).lastPathComponent
        if file == "traces.h5" {
            let folder = ((run.path as NSString).deletingLastPathComponent as NSString).lastPathComponent
            if !folder.isEmpty && folder != "." { return folder }
        }
        return (file as NSString).deletingPathExtension
    }

    /// The estimator settings that distinguish runs of one config: `estimator.mode` and
    /// `estimator.uncut`, from the config as JSON (schema 3) or as canonical flow YAML (before).
    static func estimatorFacts(_ config: String?) -> (mode: String?, uncut: Bool) {
        guard let config else { return (nil, false) }
        if let object = try? JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any],
           let estimator = object["estimator"] as? [String: Any] {
            return (estimator["mode"] as? String, (estimator["uncut"] as? Bool) ?? ((estimator["uncut"] as? String) == "true"))
        }
        // `{…, estimator: {mode: shots, shots: 10000, uncut: true}, …}`
        guard let start = config.range(of: "estimator: {") else { return (nil, false) }
        let body = config[start.upperBound...].prefix { $0 != "}" }
        func value(_ key: String) -> String? {
            guard let r = body.range(of: key + ": ") else { return nil }
            return String(body[r.upperBound...].prefix { $0 != "," && $0 != "}" })
        }
        return (value("mode"), value("uncut") == "true")
    }

    /// Unique labels for `runs`, in order: each run's base label, plus — among runs sharing one —
    /// the qualifiers that differ between them; a number where even those agree.
    static func labels(_ runs: [(TraceRun, RunSummary)]) -> [String] {
        let bases = runs.map { baseLabel($0.0) }
        let qualifiers: [[(String, String)]] = runs.map { run, summary in
            let facts = estimatorFacts(run.config)
            return [("mode", facts.mode ?? "exact"), ("uncut", facts.uncut ? "uncut" : ""),
                    ("policy", summary.policy), ("straggler", summary.stragglerRanks.isEmpty ? "" : "straggler")]
        }
        var labels = bases
        for base in Set(bases) {
            let members = bases.indices.filter { bases[$0] == base }
            guard members.count > 1 else { continue }
            let varying = qualifiers[0].indices.filter { k in Set(members.map { qualifiers[$0][k].1 }).count > 1 }
            for i in members {
                let extra = varying.map { qualifiers[i][$0] }.map { $0.1 }.filter { !$0.isEmpty }
                labels[i] = ([base] + extra).joined(separator: " ")
            }
        }
        // Identical settings (a repeated run): number them in input order.
        var seen: [String: Int] = [:]
        let counts = Dictionary(grouping: labels, by: { $0 }).mapValues(\.count)
        return labels.map { label in
            guard counts[label, default: 0] > 1 else { return label }
            seen[label, default: 0] += 1
            return "\(label) #\(seen[label]!)"
        }
    }
}
