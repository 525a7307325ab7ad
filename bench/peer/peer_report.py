"""Markdown for the peer benchmark: the combined table (qiskit-addon-cutting vs qnncut, same
configurations, same run), the per-stage table, accuracy, and the run's machine/versions/commands.
Input rows are those of qiskit.json (qiskit_cutting_bench.py) and of `qnncut bench estimator --json`.
"""


def _theirs(rows, k, shots):
    """The qiskit row for cut count k in exact mode (shots None) or with `shots` shots."""
    return next((r for r in rows if r["cuts"] == k and r["shots"] == shots), None)


def _ms(row, stage="total"):
    return "not run" if row is None else _fmt(row["per_query_ms"][stage])


def _fmt(ms):
    if ms >= 1000:
        return f"{ms:,.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    return f"{ms:.3f}"


def _pct(share):
    return f"{100 * share:.0f} %" if share >= 0.01 else f"{100 * share:.2f} %"


def combined_table(theirs_rows, ours_rows):
    """k, terms, sub-experiments, per-query ms both sides, ratio, reconstruction shares."""
    shot_counts = sorted({r["shots"] for r in theirs_rows if r["shots"] is not None})
    lines = [
        "| k | terms | sub-exp. theirs / ours | theirs exact ms | "
        + "".join(f"theirs {s} shots ms | " for s in shot_counts)
        + "ours exact ms | ratio exact (theirs / ours) | recon. share theirs exact"
        + "".join(f" / {s} shots" for s in shot_counts) + " | recon. share ours (median / p95) |",
        "|" + "---|" * (7 + len(shot_counts)),
    ]
    for k in sorted({r["cuts"] for r in theirs_rows}):
        exact = _theirs(theirs_rows, k, None)
        sampled = [_theirs(theirs_rows, k, s) for s in shot_counts]
        ours = next((r for r in ours_rows if r["cuts"] == k), None)
        terms = exact["terms"] if exact else next(r for r in theirs_rows if r["cuts"] == k)["terms"]
        theirs_sub = (exact or next(r for r in theirs_rows if r["cuts"] == k))["subexperiments"]["total"]
        our_sub = ours["subexperiments"] if ours else "–"
        ratio = (f"{exact['per_query_ms']['total'] / ours['per_query_ms']['total']:,.0f}×"
                 if exact and ours else "–")
        shares = " / ".join(["–" if r is None else _pct(r["reconstruction_share_median"]) for r in [exact] + sampled])
        our_share = (f"{_pct(ours['reconstruction_share_median'])} / {_pct(ours['reconstruction_share_p95'])}"
                     if ours else "–")
        lines.append(
            f"| {k} | {terms} | {theirs_sub} / {our_sub} | {_ms(exact)} | "
            + "".join(f"{_ms(r)} | " for r in sampled)
            + f"{_fmt(ours['per_query_ms']['total']) if ours else '–'} | {ratio} | {shares} | {our_share} |")
    return "\n".join(lines)


def stage_table(theirs_rows, ours_rows):
    """Median per-query ms per stage, exact mode, both sides."""
    lines = [
        "| k | theirs partition | theirs generate | theirs execute | theirs reconstruct | "
        "theirs CPU (all threads) | ours generate | ours execute | ours reconstruct | ours partition (one-off per run) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for k in sorted({r["cuts"] for r in theirs_rows}):
        t = _theirs(theirs_rows, k, None)
        o = next((r for r in ours_rows if r["cuts"] == k), None)
        theirs = " | ".join(_ms(t, s) for s in ("partition", "generate", "execute", "reconstruct", "cpu"))
        ours = (" | ".join(_fmt(o["per_query_ms"][s]) for s in ("generate", "execute", "reconstruct"))
                + f" | {_fmt(o['one_off_ms']['partition'])}") if o else "– | – | – | –"
        lines.append(f"| {k} | {theirs} | {ours} |")
    return "\n".join(lines)


def accuracy_table(theirs_rows, ours_rows):
    """Max |E - exact| per configuration: theirs against Statevector, ours against our uncut run."""
    shot_counts = sorted({r["shots"] for r in theirs_rows if r["shots"] is not None})
    lines = ["| k | queries theirs exact" + "".join(f" / {s} shots" for s in shot_counts)
             + " | theirs exact max err | " + "".join(f"theirs {s} shots max err | " for s in shot_counts)
             + "ours \\|E − uncut\\| |",
             "|" + "---|" * (4 + len(shot_counts))]
    for k in sorted({r["cuts"] for r in theirs_rows}):
        rows = [_theirs(theirs_rows, k, None)] + [_theirs(theirs_rows, k, s) for s in shot_counts]
        o = next((r for r in ours_rows if r["cuts"] == k), None)
        counts = " / ".join("0" if r is None else str(r["repeats"]) for r in rows)
        errs = " | ".join("–" if r is None else f"{r['max_abs_error']:.1e}" for r in rows)
        lines.append(f"| {k} | {counts} | {errs} | {abs(o['value'] - o['uncut_value']):.1e} |" if o
                     else f"| {k} | {counts} | {errs} | – |")
    return "\n".join(lines)


def markdown(theirs, ours_rows, our_commands, note):
    """The whole results/peer/README.md."""
    m, v = theirs["machine"], theirs["versions"]
    loads = [x for r in theirs["rows"] for x in r["loadavg_1min"]] + [r["loadavg_1min"] for r in ours_rows]
    executors = sorted({r["executor"] for r in theirs["rows"]})
    parts = [
        "# qiskit-addon-cutting vs qnncut: per-query cost on the reference QNN family",
        "",
        f"Run {theirs['generated']} → {theirs['finished']} UTC on {m['cpu']}, {m['cores']} cores, {m['os']}, "
        f"Python {m['python']}. Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        "",
        f"Circuit: n = {theirs['rows'][0]['n']}, L = {theirs['rows'][0]['layers']}, k cut CNOTs "
        "(the boundary CNOT kept in the first k layers), observable Z on the last qubit; one query = "
        "one parameter binding (θ fixed per k, a fresh input x per query), batch 1, one process each side.",
        "Theirs re-partitions and regenerates per binding (qiskit-addon-cutting issue #539), so their "
        "per-query total includes partition and generate; ours partitions once per run (last column of "
        "the stage table). Medians over queries. Executors: " + "; ".join(executors) + ".",
        "",
        "Both sides ran in the same run, interleaved per k (ours first, then theirs, for each k). "
        f"The 2 cores were shared with other engineers' builds: 1-minute load average {min(loads):.1f}–"
        f"{max(loads):.1f} during the run, so absolute times are noisy (±20 % or worse); the ratios are "
        "orders of magnitude, not percentages.",
    ]
    if note:
        parts += ["", note]
    parts += [
        "", "## Per query", "", combined_table(theirs["rows"], ours_rows), "",
        "Sub-experiments: theirs = circuits generated for both partitions (2·6^k); ours = unique fragment "
        "settings after deduplication (≤ 2·5^k). Ratio = their exact per-query total / ours.",
        "", "## Per stage (exact, median ms per query)", "", stage_table(theirs["rows"], ours_rows), "",
        "Theirs CPU = CPU time of the Python process (all threads) per query: below its wall time when "
        "the process waited for a core on the shared machine. Ours is wall time only.",
        "", "## Accuracy", "", accuracy_table(theirs["rows"], ours_rows), "",
        "Their error is against `Statevector(circuit).expectation_value` of the same bound circuit "
        "(shot rows: statistical error of one query). Ours: |E − uncut| of the last round.",
        "", "## Commands", "",
        "`bench/peer/run.sh` (venv, pinned install, release build of qnncut), which ran the first line; "
        "it ran the qnncut lines, one per k, each just before its own measurements of that k:",
        "", "```", theirs["command"], *our_commands, "```", "",
    ]
    return "\n".join(parts)
