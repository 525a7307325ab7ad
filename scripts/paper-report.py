#!/usr/bin/env python3
"""Writes the paper-reproduction tables from the files scripts/paper-grid.sh produced.

    python3 scripts/paper-report.py results/paper results/README.md

Reads OUT/analyze/all.json (`qnncut analyze` of every run; checked against OUT/runs/*/summary.json,
the `qnncut train --json` line, where present),
OUT/bench/*.json (`qnncut bench estimator|stragglers --json`) and results/peer/qiskit.json (the
Qiskit peer run). Writes OUT/paper-tables.md, OUT/paper-table.csv and OUT/scaling-model.json, and
replaces the text between `<!-- paper-tables:begin -->` and `<!-- paper-tables:end -->` in the
README with OUT/paper-tables.md. Every number it prints comes from those files; nothing is typed in
except the paper's published values (PAPER below).
"""
import csv
import glob
import json
import math
import os
import re
import sys

# arXiv 2602.16233: summary table (time, reconstruction), abstract (k = 3 median/p95), accuracy.
PAPER = {
    "ms": [45, 78, 132, 215, 312],
    "recon": [12, 38, 55, 68, 73],
    "iris": [94, 94, 94, 93, 92],
    "mnist": [88, 89, 89, 88, 87],
    "straggler": 15,
}
CUTS = range(5)
BEGIN, END = "<!-- paper-tables:begin -->", "<!-- paper-tables:end -->"
NAME = re.compile(r"^(iris|mnist)-cuts-(\d)_schedule_(static|dynamic)(.*)$")


def load(path):
    with open(path) as f:
        return json.load(f)


def entry_key(name):
    """The grid coordinates encoded in a run folder's name (slurm/lib/sweep-list.sh naming)."""
    m = NAME.match(name)
    if not m:
        raise SystemExit(f"paper-report: run folder {name} does not follow configs/paper/grid.txt naming")
    rest = m.group(4)
    return {
        "dataset": m.group(1), "cuts": int(m.group(2)), "schedule": m.group(3),
        "straggler": "straggler-ranks_1" in rest,
        "mode": "shots" if "estimator.mode=shots" in rest else "exact",
        "uncut": "estimator.uncut=true" in rest,
        "short": "training.epochs=2" in rest,
    }


def fmt(x, digits=3):
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}".replace(",", " ")
    return f"{x:.{digits}g}"


def pct(x, digits=2):
    return "–" if x is None else f"{100 * x:.{digits}g} %"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def main(out, readme):
    # The traces (via `qnncut analyze`) carry everything the tables need; summary.json, when there,
    # must agree with them (a Slurm sweep writes none).
    runs = {}
    analysis = load(os.path.join(out, "analyze", "all.json"))
    for r in analysis["runs"]:
        name = os.path.basename(os.path.dirname(r["run"]))
        runs[name] = {"key": entry_key(name), "trace": r, "summary": r}
        summary = os.path.join(out, "runs", name, "summary.json")
        if os.path.exists(summary):
            s = load(summary)
            if abs(s["final_test_accuracy"] - r["final_test_accuracy"]) > 1e-12:
                raise SystemExit(f"paper-report: {summary} and its traces.h5 disagree on the test accuracy")
    folders = {os.path.basename(os.path.dirname(p)) for p in glob.glob(os.path.join(out, "runs", "*", "traces.h5"))}
    if folders - set(runs):
        raise SystemExit(f"paper-report: {out}/analyze/all.json lacks runs {sorted(folders - set(runs))}: run scripts/paper-grid.sh analyze")

    def find(**want):
        hits = [r for r in runs.values() if all(r["key"][k] == v for k, v in want.items())]
        return hits[0] if len(hits) == 1 else None

    def acc_run(dataset, k, mode="exact", uncut=False):
        return find(dataset=dataset, cuts=k, schedule="static", straggler=False, mode=mode, uncut=uncut, short=False)

    peer = load("results/peer/qiskit.json")
    peer_rows = {(r["cuts"], r["mode"], r["shots"]): r for r in peer["rows"]}
    bench = {os.path.basename(p)[:-5]: load(p) for p in glob.glob(os.path.join(out, "bench", "*.json"))}
    b1 = {(r["cuts"], r["ranks"]): r for r in bench.get("estimator_batch_1", {"rows": []})["rows"]}
    b32 = {(r["cuts"], r["ranks"]): r for r in bench.get("estimator_batch_32", {"rows": []})["rows"]}
    b32g = {(r["cuts"], r["ranks"]): r for r in bench.get("estimator_batch_32_gradients", {"rows": []})["rows"]}

    md = []
    csv_rows = []

    # 0. The paper's table with ours and the peer's beside it, one row per cut count.
    rows = []
    for k in CUTS:
        ie, ms_ = acc_run("iris", k), acc_run("mnist", k)
        ishot, mshot = acc_run("iris", k, "shots"), acc_run("mnist", k, "shots")
        pe = peer_rows.get((k, "exact", None))
        bq = b1.get((k, 1))

        def overhead(d, sched, short):
            base = find(dataset=d, cuts=k, schedule=sched, straggler=False, mode="exact", uncut=False, short=short)
            slow = find(dataset=d, cuts=k, schedule=sched, straggler=True, mode="exact", uncut=False, short=short)
            if not (base and slow):
                return "–"
            return f"{100 * (slow['trace']['training_seconds'] / base['trace']['training_seconds'] - 1):+.0f} %"

        def fgsm(r):
            rob = {(x["attack"], x["strength"]): x["test_accuracy"] for x in r["summary"]["robustness"]} if r else {}
            return pct(rob.get(("fgsm", 0.1)), 3)

        rows.append([
            k, f"{bq['work_units'] if bq else '–'} / {pe['subexperiments']['total'] if pe else '–'}",
            f"{PAPER['ms'][k]} / {fmt(bq and bq['per_query_ms']['total'])} / {fmt(pe and pe['per_query_ms']['total'])}",
            f"{PAPER['recon'][k]} % / {pct(bq and bq['reconstruction_share_median'])} / {pct(pe and pe['reconstruction_share_median'])}",
            f"{PAPER['iris'][k]} % / {pct(ie and ie['summary']['final_test_accuracy'], 3)} / {pct(ishot and ishot['summary']['final_test_accuracy'], 3)}",
            f"{PAPER['mnist'][k]} % / {pct(ms_ and ms_['summary']['final_test_accuracy'], 3)} / {pct(mshot and mshot['summary']['final_test_accuracy'], 3)}",
            f"~{PAPER['straggler']} % / {overhead('iris', 'static', False)} / {overhead('iris', 'dynamic', False)} / "
            f"{overhead('mnist', 'static', False)} / {overhead('mnist', 'dynamic', False)}",
            f"{fgsm(ie)} / {fgsm(ms_)}",
        ])
    md.append("### At a glance: paper / ours / Qiskit peer\n")
    md.append("Per-query time and reconstruction share: paper / ours (`bench estimator`, batch 1, 1 rank) / "
              "Qiskit peer (exact, batch 1). Accuracy: paper / ours exact / ours 10 000 shots per query. "
              "Straggler: paper (training time, cut count not given) / ours training time with rank 1 of 2 at half speed, "
              "Iris static / Iris dynamic / MNIST static / MNIST dynamic. Robustness: ours, exact "
              "models under FGSM ε = 0.1 (the paper's summary gives no number).\n")
    md.append(table(["k", "sub-exp. per query ours / Qiskit", "ms per query", "reconstruction share (median)",
                     "Iris accuracy", "MNIST accuracy", "straggler overhead", "FGSM ε 0.1 Iris / MNIST"], rows))
    md.append("\n")

    # 1. Per-query time and reconstruction share against cuts.
    rows = []
    for k in CUTS:
        iris, mnist = acc_run("iris", k), acc_run("mnist", k)
        pe, p1 = peer_rows.get((k, "exact", None)), peer_rows.get((k, "shots", 1000))
        rows.append([
            k, f"{2 * 6 ** k} / {iris['trace']['subexperiments'] if iris else '–'}",
            PAPER["ms"][k],
            iris and iris["trace"]["per_query_ms"]["total"]["median"],
            mnist and mnist["trace"]["per_query_ms"]["total"]["median"],
            b1.get((k, 1)) and b1[(k, 1)]["per_query_ms"]["total"],
            b32g.get((k, 1)) and b32g[(k, 1)]["per_query_ms"]["total"],
            pe and pe["per_query_ms"]["total"], p1 and p1["per_query_ms"]["total"],
        ])
        csv_rows.append({"table": "time", "cuts": k, "paper_ms": PAPER["ms"][k],
                         "iris_ms_median": rows[-1][3], "mnist_ms_median": rows[-1][4],
                         "bench_batch1_np1_ms": rows[-1][5], "bench_batch32_gradients_np1_ms": rows[-1][6],
                         "qiskit_exact_ms": rows[-1][7], "qiskit_1000_shots_ms": rows[-1][8]})
    md.append("\n### Per-query time (ms) against cuts\n")
    md.append(table(["k", "sub-exp. per query: Qiskit / ours", "paper", "ours Iris training (median)",
                     "ours MNIST training (median)", "ours bench, batch 1", "ours bench, batch 32 + gradients",
                     "Qiskit peer exact", "Qiskit peer 1000 shots"], rows))

    rows = []
    for k in CUTS:
        iris, mnist = acc_run("iris", k), acc_run("mnist", k)
        pe, p1 = peer_rows.get((k, "exact", None)), peer_rows.get((k, "shots", 1000))
        share = lambda r: r and f"{pct(r['trace']['reconstruction_share']['median'])} / {pct(r['trace']['reconstruction_share']['p95'])}"
        rows.append([
            k, f"{PAPER['recon'][k]} %" + (" (abstract: 53 % / 58 %)" if k == 3 else ""),
            share(iris), share(mnist),
            b1.get((k, 1)) and f"{pct(b1[(k, 1)]['reconstruction_share_median'])} / {pct(b1[(k, 1)]['reconstruction_share_p95'])}",
            b1.get((k, 2)) and f"{pct(b1[(k, 2)]['reconstruction_share_median'])} / {pct(b1[(k, 2)]['reconstruction_share_p95'])}",
            pe and pct(pe["reconstruction_share_median"]), p1 and pct(p1["reconstruction_share_median"]),
        ])
    md.append("\n\n### Reconstruction share of a query against cuts (median / p95)\n")
    md.append(table(["k", "paper", "ours Iris training", "ours MNIST training", "ours bench, batch 1, 1 rank",
                     "ours bench, batch 1, 2 ranks", "Qiskit peer exact", "Qiskit peer 1000 shots"], rows))

    # 2. Accuracy.
    rows = []
    for k in CUTS:
        row = [k]
        for d in ("iris", "mnist"):
            e, s, u = acc_run(d, k), acc_run(d, k, "shots"), acc_run(d, k, "shots", True)
            row += [f"{PAPER[d][k]} %"] + [r and pct(r["summary"]["final_test_accuracy"], 3) for r in (e, s, u)]
            csv_rows.append({"table": "accuracy", "cuts": k, "dataset": d, "paper": PAPER[d][k],
                             "exact": e and e["summary"]["final_test_accuracy"],
                             "shots_cut": s and s["summary"]["final_test_accuracy"],
                             "shots_uncut": u and u["summary"]["final_test_accuracy"]})
        rows.append(row)
    md.append("\n\n### Test accuracy against cuts\n")
    md.append(table(["k", "Iris paper", "Iris ours exact", "Iris ours 10k shots, cut", "Iris ours 10k shots, uncut",
                     "MNIST paper", "MNIST ours exact", "MNIST ours 10k shots, cut", "MNIST ours 10k shots, uncut"], rows))

    # 3. Robustness (exact runs).
    rows = []
    for d in ("iris", "mnist"):
        for k in CUTS:
            r = acc_run(d, k)
            if not r:
                continue
            rob = {(x["attack"], x["strength"]): x["test_accuracy"] for x in r["summary"]["robustness"]}
            rows.append([d, k] + [pct(rob.get(a), 3) for a in
                         [("clean", 0), ("gaussian", 0.1), ("gaussian", 0.3), ("fgsm", 0.05), ("fgsm", 0.1)]])
    md.append("\n\n### Robustness of the exact-mode models (test accuracy)\n")
    md.append(table(["task", "k", "clean", "Gaussian σ 0.1", "Gaussian σ 0.3", "FGSM ε 0.05", "FGSM ε 0.1"], rows))

    # 4. Stragglers: training seconds with rank 1 slowed 2x against the same run without.
    rows = []
    variants = [("iris", "exact", False), ("iris", "shots", False), ("mnist", "exact", False)]
    for k in CUTS:
        row = [k]
        for d, mode, short in variants:
            for sched in ("static", "dynamic"):
                base = find(dataset=d, cuts=k, schedule=sched, straggler=False, mode=mode, uncut=False, short=short)
                slow = find(dataset=d, cuts=k, schedule=sched, straggler=True, mode=mode, uncut=False, short=short)
                if base and slow:
                    tb, ts = base["trace"]["training_seconds"], slow["trace"]["training_seconds"]
                    qb = base["trace"]["per_query_ms"]["total"]["median"]
                    qs = slow["trace"]["per_query_ms"]["total"]["median"]
                    row.append(f"{100 * (ts / tb - 1):+.0f} % / {100 * (qs / qb - 1):+.0f} %")
                    csv_rows.append({"table": "straggler", "cuts": k, "dataset": d, "mode": mode, "schedule": sched,
                                     "training_s": tb, "training_s_straggler": ts,
                                     "query_ms_median": qb, "query_ms_median_straggler": qs})
                else:
                    row.append(None)
        rows.append(row)
    md.append("\n\n### One straggler (rank 1 of 2 at half speed): added training time / added median per-query time\n")
    md.append(f"Paper: one delayed worker adds ~{PAPER['straggler']} % to training time. Ours: the same grid entry "
              "with `--straggler-ranks 1 --straggler-factor 2` against the one without (training seconds = Σ steps.seconds "
              "of `qnncut analyze`; per-query = median query time of the trace).\n")
    md.append(table(["k"] + [f"{d} {mode}{' (2 epochs)' if short else ''}, {s}" for d, mode, short in variants
                             for s in ("static", "dynamic")], rows))

    rows = []
    for name in sorted(n for n in bench if n.startswith("stragglers")):
        for r in bench[name]["rows"]:
            rows.append([fmt(r["factor"]), r["policy"], 1e3 * r["batch_s_no_straggler"], 1e3 * r["batch_s_straggler"],
                         f"{100 * (r['slowdown'] - 1):+.0f} %", 1e3 * r["ideal_s"], f"{100 * (r['vs_ideal'] - 1):+.0f} %",
                         r["backups"]])
    if rows:
        md.append("\n\n`mpirun -np 2 qnncut bench stragglers --batch 32 --cuts 4 --factor F` (one batch, median ms):\n")
        md.append(table(["factor", "policy", "batch ms, no straggler", "batch ms, straggler", "straggler vs none",
                         "ideal ms", "straggler vs ideal", "backup units"], rows))

    # 5. Scaling: measured np = 1, 2 and the model.
    rows = []
    for label, rowsby, batch, grads in (("1", b1, 1, False), ("32", b32, 32, False), ("32 + gradients", b32g, 32, True)):
        for k in CUTS:
            r1, r2 = rowsby.get((k, 1)), rowsby.get((k, 2))
            if not (r1 and r2):
                continue
            s1, s2 = r1["per_query_ms"], r2["per_query_ms"]
            rows.append([label, k, r1["work_units"], s1["total"], s2["total"], s1["total"] / s2["total"],
                         s1["execute"], s2["execute"], s2["generate"], s2["reconstruct"]])
    md.append("\n\n### Scaling on this machine: `qnncut bench estimator --ranks 1,2` (n 8, L 4; ms per query)\n")
    md.append(table(["batch", "k", "work units", "1 rank total", "2 ranks total", "speed-up",
                     "1 rank execute", "2 ranks execute", "2 ranks generate (broadcast)",
                     "2 ranks reconstruct (reduce + contract)"], rows))

    model = scaling_model(b1, b32g)
    if model:
        with open(os.path.join(out, "scaling-model.json"), "w") as f:
            json.dump(model, f, indent=2)
        md.append("\n\n" + model_markdown(model))

    text = "\n".join(md) + "\n"
    with open(os.path.join(out, "paper-tables.md"), "w") as f:
        f.write(text)
    keys = sorted({k for r in csv_rows for k in r})
    with open(os.path.join(out, "paper-table.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(csv_rows)
    with open(readme) as f:
        doc = f.read()
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"paper-report: {readme} lacks the {BEGIN} … {END} markers")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(readme, "w") as f:
        f.write(head + BEGIN + "\n" + text + END + tail)


def scaling_model(b1, b32g):
    """Per-unit costs from the measured rows, and predicted per-query time for more ranks.

    T(R) per query = units·t_unit/min(R, units)            (execute: units spread over ranks)
                   + (t_bcast + log2(R)·bytes·t_byte)/B    (one broadcast and one reduction a round)
                   + t_contract                             (rank 0 alone)
    with bytes = units·B·W·8 for a gradient round: each unit's row holds its value and the
    derivatives by its fragment's θ and x only (commit daa139c): W = 1 + 32 + 4 at n 8, L 4
    (it was 1 + P + X = 73 before).
    """
    W, B = 1 + 32 + 4, 32
    ks = [k for k in CUTS if (k, 1) in b32g and (k, 2) in b32g]
    if not ks:
        return None
    t_unit = {}
    for k in ks:
        r1 = b32g[(k, 1)]
        t_unit[k] = r1["per_query_ms"]["execute"] / r1["work_units"] * 1e-3  # s per unit per sample
    # Broadcast latency: extra "generate" time of a 2-rank round (per round = per query × batch).
    bcast = [max(0.0, (b1[(k, 2)]["per_query_ms"]["generate"] - b1[(k, 1)]["per_query_ms"]["generate"]) * 1e-3)
             for k in CUTS if (k, 1) in b1 and (k, 2) in b1]
    t_bcast = sorted(bcast)[len(bcast) // 2] if bcast else 0.0
    # Reduction cost per byte: extra reconstruct time of a 2-rank gradient round over the bytes reduced
    # (an upper bound: it includes waiting for the slower rank).
    per_byte = []
    for k in ks:
        r1, r2 = b32g[(k, 1)], b32g[(k, 2)]
        extra = (r2["per_query_ms"]["reconstruct"] - r1["per_query_ms"]["reconstruct"]) * 1e-3 * B
        nbytes = r1["work_units"] * B * W * 8
        if extra > 0:
            per_byte.append(extra / nbytes)
    t_byte = sorted(per_byte)[len(per_byte) // 2] if per_byte else 0.0
    contract = {k: b32g[(k, 1)]["per_query_ms"]["reconstruct"] * 1e-3 for k in ks}
    predictions = []
    for k in ks:
        units = b32g[(k, 1)]["work_units"]
        nbytes = units * B * W * 8
        for R in (1, 2, 4, 8, 16, 64, 256, 1024):
            execute = units * t_unit[k] / min(R, units)
            # Binomial-tree reduction: log2(R) hops of the whole table (what a small-message
            # MPI_Reduce does); a reduce-scatter + gather (Rabenseifner) moves ~2 tables in all.
            comm = (t_bcast + math.log2(R) * nbytes * t_byte) / B if R > 1 else 0.0
            comm_rs = (math.log2(R) * t_bcast + 2 * nbytes * t_byte) / B if R > 1 else 0.0
            total = execute + comm + contract[k]
            predictions.append({"cuts": k, "ranks": R, "units": units, "table_bytes": nbytes,
                                "execute_ms": execute * 1e3, "comm_ms": comm * 1e3,
                                "contract_ms": contract[k] * 1e3, "total_ms": total * 1e3,
                                "comm_reduce_scatter_ms": comm_rs * 1e3,
                                "total_reduce_scatter_ms": (execute + comm_rs + contract[k]) * 1e3})
    return {"batch": B, "row_doubles": W,
            "t_unit_per_sample_us": {str(k): v * 1e6 for k, v in t_unit.items()},
            "t_broadcast_ms": t_bcast * 1e3, "t_reduce_ns_per_byte": t_byte * 1e9,
            "t_contract_ms_per_query": {str(k): v * 1e3 for k, v in contract.items()},
            "predictions": predictions}


def model_markdown(m):
    out = ["### Scaling model (batch 32, forward + gradients; from the rows above)\n",
           "Measured per-unit costs: execute " + ", ".join(
               f"k = {k}: {v:.3g} µs per unit per sample" for k, v in m["t_unit_per_sample_us"].items())
           + f"; broadcast latency {m['t_broadcast_ms']:.3g} ms per round (2 ranks − 1 rank, batch 1, median over k);"
           + f" reduction {m['t_reduce_ns_per_byte']:.3g} ns per byte (2 ranks − 1 rank reconstruct time, batch 32,"
           + " median over k; includes waiting for the slower rank); contraction on rank 0 " + ", ".join(
               f"k = {k}: {v:.3g} ms" for k, v in m["t_contract_ms_per_query"].items()) + " per query.\n"]
    rows = []
    for p in m["predictions"]:
        if p["cuts"] < 2:
            continue
        rows.append([p["cuts"], p["ranks"], p["units"], f"{p['table_bytes'] / 2**20:.3g} MiB",
                     p["execute_ms"], p["comm_ms"], p["contract_ms"], p["total_ms"],
                     p["comm_reduce_scatter_ms"], p["total_reduce_scatter_ms"]])
    out.append(table(["k", "ranks R", "units 2·5^k", "reduced table", "execute ms/query", "bcast + tree reduce ms/query",
                      "contract ms/query", "predicted ms/query (tree)", "bcast + reduce-scatter ms/query",
                      "predicted ms/query (reduce-scatter)"], rows))
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python3 scripts/paper-report.py OUT README")
    main(sys.argv[1], sys.argv[2])
