/// Which mode `qnncut estimate` runs in, said in words (text: one `qnncut: mode: …` line on
/// stderr; JSON: `mode` and `cut_selection`), so a run without a cut option is never silently
/// uncut.
extension Estimate {
    /// "uncut" (--uncut), "none" (no cut option: one fragment), "automatic", "gates", "partition".
    var cutSelection: String {
        if uncut { return "uncut" }
        if cutOptions.maxFragmentQubits != nil { return "automatic" }
        if cutOptions.cutGates != nil { return "gates" }
        if cutOptions.partition != nil { return "partition" }
        return "none"
    }

    /// "exact" or "sampled".
    var estimationMode: String { samples != nil ? "sampled" : "exact" }

    var modeDescription: String {
        let cuts: String
        switch cutSelection {
        case "uncut": cuts = "uncut (--uncut: the whole circuit simulated on rank 0)"
        case "none": cuts = "no cuts (no cut option given: the whole circuit is one fragment)"
        default: cuts = "cuts from \(cutFlag)"
        }
        let estimation = samples.map { "sampled (\($0) QPD terms, \(shots ?? 0) shots per query, seed \(seed))" } ?? "exact"
        return "\(estimation), \(cuts)\(gradients ? ", with gradients" : "")"
    }
}
