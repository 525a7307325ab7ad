#!/usr/bin/env python3
"""Cut vs uncut under the same noise at matched shot budgets (results/noise/README.md).

For Iris (4 qubits) and MNIST 8x8 (8 qubits) inputs on the reference QNN family (4 layers, the
boundary CNOT in the first k layers, k = 0..4, cut at the middle: k gate cuts), fixed random
theta, two noise levels of the built-in model, and S shots per query for both:
  exact    noiseless uncut value (state vector)
  uncut    noisy, uncut (density matrix of the whole circuit): exact noisy value and S shots
  cut      noisy, every fragment noisy (density matrix per sub-experiment): exact noisy value and
           S shots split over the sub-experiments (qnncut estimate --noise --shots S)
Writes results/noise/study.json, study.md (table) and study.svg (chart). Python standard
library only; runs `qnncut` (QNNCUT_BIN, default .build/release/qnncut, else .build/debug/qnncut).
"""
import csv
import json
import math
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from make_family import qnn_qasm  # noqa: E402

QNNCUT = os.environ.get("QNNCUT_BIN") or next(
    p for p in (os.path.join(ROOT, ".build", "release", "qnncut"), os.path.join(ROOT, ".build", "debug", "qnncut"))
    if os.path.exists(p))
SHOTS = 100_000
INPUTS = 6
LAYERS = 4
LEVELS = {
    "low": {"depolarizing_1q": 0.001, "depolarizing_2q": 0.01, "readout": 0.01},
    "high": {"depolarizing_1q": 0.005, "depolarizing_2q": 0.05, "readout": 0.03},
}


def iris_inputs():
    with open(os.path.join(ROOT, "data", "iris.csv")) as f:
        rows = [r for r in csv.DictReader(f)]
    features = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    lo = {k: min(float(r[k]) for r in rows) for k in features}
    hi = {k: max(float(r[k]) for r in rows) for k in features}
    chosen = [r for r in rows if r["label"] == "1"][:INPUTS // 2] + [r for r in rows if r["label"] == "2"][:INPUTS // 2]
    return [[math.pi * (float(r[k]) - lo[k]) / (hi[k] - lo[k]) for k in features] for r in chosen]


def mnist_inputs():
    """Row means of the 8x8 image (8 features), scaled to [0, pi] by the largest pixel value."""
    with open(os.path.join(ROOT, "data", "mnist5000_8x8.csv")) as f:
        rows = list(csv.reader(f))[1:INPUTS + 1]
    pixels = [[float(v) for v in r[:64]] for r in rows]
    top = max(max(p) for p in pixels) or 1
    return [[math.pi * sum(p[8 * i:8 * i + 8]) / 8 / top for i in range(8)] for p in pixels]


def estimate(qasm, n, theta, inputs_csv, extra):
    command = [QNNCUT, "estimate", qasm, "--observable", f"Z{n - 1}", "--theta", ",".join(map(repr, theta)),
               "--inputs", inputs_csv, "--json", *extra]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    values = [row[0] for row in r["batch_values"]] if r.get("batch_values") else r["values"]
    stderrs = r.get("batch_stderrs") or r.get("stderrs") or []
    return values, r


def main():
    work = tempfile.mkdtemp(prefix="noise-study-")
    rng = random.Random(1)
    table = []
    for dataset, inputs in (("iris", iris_inputs()), ("mnist8x8", mnist_inputs())):
        n = len(inputs[0])
        theta = [rng.uniform(0, 2 * math.pi) for _ in range(2 * n * LAYERS)]
        inputs_csv = os.path.join(work, dataset + ".csv")
        with open(inputs_csv, "w") as f:
            f.write(",".join(f"x{q}" for q in range(n)) + "\n")
            f.writelines(",".join(map(repr, x)) + "\n" for x in inputs)
        labels = "A" * (n // 2) + "B" * (n - n // 2)
        for k in range(5):
            qasm = os.path.join(work, f"{dataset}-k{k}.qasm")
            with open(qasm, "w") as f:
                f.write(qnn_qasm(n, LAYERS, k))
            exact, _ = estimate(qasm, n, theta, inputs_csv, ["--uncut"])
            for level, spec in LEVELS.items():
                noise = os.path.join(work, level + ".json")
                with open(noise, "w") as f:
                    json.dump(spec, f)
                row = {"dataset": dataset, "qubits": n, "k": k, "noise": level, **spec, "shots": SHOTS,
                       "exact": exact}
                for mode, cut in (("uncut", ["--uncut"]), ("cut", ["--partition", labels])):
                    noisy, _ = estimate(qasm, n, theta, inputs_csv, cut + ["--noise", noise])
                    sampled, report = estimate(qasm, n, theta, inputs_csv, cut + ["--noise", noise, "--shots", str(SHOTS), "--seed", "3"])
                    se = report["stderrs"]
                    row[mode] = {
                        "noisy_exact": noisy, "sampled": sampled,
                        "bias": sum(abs(a - b) for a, b in zip(noisy, exact)) / len(exact),
                        "stderr": se[0] if len(se) == 1 else sum(se) / len(se),
                        "rmse": math.sqrt(sum((a - b) ** 2 for a, b in zip(sampled, exact)) / len(exact)),
                        "terms": report.get("terms"), "subexperiments": report.get("subexperiments"),
                    }
                table.append(row)
                print(f"{dataset} k={k} {level}: uncut bias {row['uncut']['bias']:.4f} rmse {row['uncut']['rmse']:.4f} | "
                      f"cut bias {row['cut']['bias']:.4f} rmse {row['cut']['rmse']:.4f}", flush=True)
    with open(os.path.join(HERE, "study.json"), "w") as f:
        json.dump({"qnncut": QNNCUT, "shots": SHOTS, "inputs": INPUTS, "layers": LAYERS, "levels": LEVELS, "rows": table}, f, indent=1)
    write_markdown(table)
    write_svg(table)


def write_markdown(table):
    lines = ["| dataset | qubits | k cuts | noise | mean \\|bias\\| uncut | mean \\|bias\\| cut | RMSE uncut (S shots) | RMSE cut (S shots) | cut / uncut RMSE |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in table:
        u, c = r["uncut"], r["cut"]
        lines.append(f"| {r['dataset']} | {r['qubits']} | {r['k']} | {r['noise']} | {u['bias']:.4f} | {c['bias']:.4f} | "
                     f"{u['rmse']:.4f} | {c['rmse']:.4f} | {c['rmse'] / max(u['rmse'], 1e-12):.2f} |")
    with open(os.path.join(HERE, "study.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def write_svg(table):
    """RMSE against the exact value vs k: one panel per dataset, uncut dashed, cut solid, per level."""
    width, height, pad = 760, 320, 50
    panels = ["iris", "mnist8x8"]
    colors = {"low": "#1f77b4", "high": "#d62728"}
    top = max(max(r["uncut"]["rmse"], r["cut"]["rmse"]) for r in table) * 1.1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
             f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13">RMSE of ⟨Z⟩ vs the noiseless value at {SHOTS:,} shots per query (log scale)</text>']
    panel_w = (width - 2 * pad) / 2
    lo = min(min(r["uncut"]["rmse"], r["cut"]["rmse"]) for r in table) / 1.5

    def ypos(v):
        return height - pad - (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(top) - math.log10(lo)) * (height - 2 * pad)

    for p, name in enumerate(panels):
        x0 = pad + p * panel_w + 10
        w = panel_w - 30
        parts.append(f'<rect x="{x0}" y="{pad}" width="{w}" height="{height - 2 * pad}" fill="none" stroke="#999"/>')
        parts.append(f'<text x="{x0 + w / 2}" y="{pad - 8}" text-anchor="middle">{name}</text>')
        for k in range(5):
            x = x0 + w * k / 4
            parts.append(f'<text x="{x}" y="{height - pad + 14}" text-anchor="middle">k={k}</text>')
        for exp in range(math.floor(math.log10(lo)), math.ceil(math.log10(top)) + 1):
            v = 10 ** exp
            if lo <= v <= top:
                parts.append(f'<text x="{x0 - 4}" y="{ypos(v) + 4}" text-anchor="end">1e{exp}</text>')
        for level, color in colors.items():
            for mode, dash in (("uncut", "5,4"), ("cut", "")):
                pts = [(x0 + w * r["k"] / 4, ypos(r[mode]["rmse"])) for r in table if r["dataset"] == name and r["noise"] == level]
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>')
                parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>' for x, y in pts]
    legend = [("low noise, cut", colors["low"], ""), ("low noise, uncut", colors["low"], "5,4"),
              ("high noise, cut", colors["high"], ""), ("high noise, uncut", colors["high"], "5,4")]
    for i, (text, color, dash) in enumerate(legend):
        x = pad + 10 + i * 160
        parts.append(f'<line x1="{x}" y1="{height - 12}" x2="{x + 24}" y2="{height - 12}" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>')
        parts.append(f'<text x="{x + 30}" y="{height - 8}">{text}</text>')
    parts.append("</svg>")
    with open(os.path.join(HERE, "study.svg"), "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
