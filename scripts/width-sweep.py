#!/usr/bin/env python3
"""Width results (issue 15): what qnncut trains and estimates at 16-128 qubits, with the command
behind every number. Writes results/width/ (see its README.md).

    python3 scripts/width-sweep.py train      # MNIST 0 vs 1 at 16, 32, 64, 128 qubits (mpirun -np 2)
    python3 scripts/width-sweep.py circuits   # Tests/Fixtures/wide_circuits.json, both cut ways, np 2
    python3 scripts/width-sweep.py report     # width.csv, width.md, width.svg, circuits.md from the above
    python3 scripts/width-sweep.py all        # the three, in that order

Environment: QNNCUT (default .build/release/qnncut: `swift build -c release`), NP (default 2),
WIDTHS (default "16 32 64 128"). Needs scripts/env.sh's OpenMPI settings (sourced by the caller
or set here). Python standard library only.

The training sweep is configs/wide-mnist128.yaml with `model.qubits=n` and `model.fragments=n/8`
(blocks of 8 qubits, PCA to n components): one model family, one data set, only the width
changes. Each run's `qnncut train --json` line is kept as train-<n>.json, its stderr as
train-<n>.log. The machine is shared: the 1-minute load average is recorded before and after
every timed command (os.getloadavg), next to the wall time.
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "results", "width")
QNNCUT = os.environ.get("QNNCUT", ".build/release/qnncut")
NP = os.environ.get("NP", "2")
WIDTHS = [int(w) for w in os.environ.get("WIDTHS", "16 32 64 128").split()]
MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_rmaps_base_oversubscribe": "1", "OMPI_MCA_btl": "self,vader",
    "OMPI_MCA_oob_tcp_if_include": "lo", "SWIFT_BACKTRACE": "enable=no",
}


def timed(command, stdout_path=None):
    """Run `command` in ROOT; return (stdout, stderr, wall seconds, load before, load after)."""
    env = dict(os.environ, **MPI_ENV)
    before = os.getloadavg()[0]
    start = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.monotonic() - start
    after = os.getloadavg()[0]
    if done.returncode != 0:
        sys.exit(f"width-sweep: {' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout, done.stderr, wall, before, after


def log_command(text):
    with open(os.path.join(OUT, "commands.txt"), "a") as f:
        f.write(text + "\n")


def train():
    for n in WIDTHS:
        run_folder = os.path.join(tempfile.gettempdir(), f"width-sweep-{n}")
        command = ["mpirun", "-np", NP, QNNCUT, "train", "configs/wide-mnist128.yaml",
                   "--set", f"model.qubits={n}", "--set", f"model.fragments={n // 8}",
                   "--set", f"name=wide-mnist{n}", "--output", run_folder, "--overwrite", "--json"]
        print(f"width-sweep: {n} qubits: {' '.join(command)}", file=sys.stderr)
        stdout, stderr, wall, before, after = timed(command)
        summary = json.loads(stdout.strip().splitlines()[-1])
        summary["sweep"] = {"command": shlex.join(command), "mpirun_wall_seconds": wall,
                            "load_before": before, "load_after": after}
        with open(os.path.join(OUT, f"train-{n}.json"), "w") as f:
            json.dump(summary, f, indent=1, sort_keys=True)
            f.write("\n")
        with open(os.path.join(OUT, f"train-{n}.log"), "w") as f:
            f.write(stderr)
        log_command(shlex.join(command) + f"   # -> results/width/train-{n}.json")


def pauli_text(pairs):
    return " ".join(f"{p}{q}" for q, p in pairs)


def observable_text(o):
    if "paulis" in o:
        return pauli_text(o["paulis"])
    return " + ".join(f"{w}*{pauli_text(p)}" for w, p in o["sum"])


def circuits():
    with open(os.path.join(ROOT, "Tests", "Fixtures", "wide_circuits.json")) as f:
        fixture = json.load(f)
    rows = []
    folder = tempfile.mkdtemp(prefix="width-circuits-")
    for c in fixture["circuits"]:
        path = os.path.join(folder, f"{c['id']}.qasm")
        with open(path, "w") as f:
            f.write(c["qasm2"])
        observables = [a for o in c["observables"] for a in ("--observable", observable_text(o))]
        for way, flags in (("partition", ["--partition", c["partition"]]),
                           ("automatic", ["--max-fragment-qubits", str(c["block_width"])])):
            command = ["mpirun", "-np", NP, QNNCUT, "estimate", path] + observables + flags + ["--json"]
            stdout, _, wall, before, after = timed(command)
            out = json.loads(stdout.strip().splitlines()[-1])
            deviation = max(abs(v - o["expval"]) for v, o in zip(out["values"], c["observables"]))
            assert len(out["values"]) == len(c["observables"])
            rows.append({"id": c["id"], "qubits": c["num_qubits"], "blocks": c["blocks"],
                         "block_width": c["block_width"], "topology": c["topology"],
                         "boundary_gate": c["boundary_gate"], "way": way,
                         "fragment_qubits": out["fragment_qubits"], "cuts": out.get("cuts"),
                         "max_deviation": deviation, "mpirun_wall_seconds": wall,
                         "load_before": before, "load_after": after,
                         "command": shlex.join(command).replace(folder, "$TMP")})
            print(f"width-sweep: {c['id']} {way}: deviation {deviation:.1e}, {wall:.1f} s", file=sys.stderr)
            log_command(shlex.join(command).replace(folder, "$TMP") + "   # -> results/width/circuits.json")
    with open(os.path.join(OUT, "circuits.json"), "w") as f:
        json.dump({"note": "$TMP/wideNN.qasm is the qasm2 text of that circuit in Tests/Fixtures/wide_circuits.json",
                   "rows": rows}, f, indent=1)
        f.write("\n")


def human_bytes(b):
    """1 MiB, 64 GiB, 256 EiB; beyond yobibytes 2^k B (≈ 1.2e+39 B)."""
    units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
    i, v = 0, b
    while v >= 1024 and i < len(units) - 1:
        v /= 1024
        i += 1
    if v < 1024:
        return f"{v:.0f} {units[i]}"
    return f"2^{b.bit_length() - 1} B (≈ {float(b):.1e} B)"


def report():
    rows = []
    for n in WIDTHS:
        path = os.path.join(OUT, f"train-{n}.json")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            s = json.load(f)
        rows.append({
            "qubits": n, "fragments": n // 8, "cuts": s["cuts"], "parameters": s["parameters"],
            "subexperiments_per_query": s["subexperiments"], "train_samples": s["train_samples"],
            "test_samples": s["test_samples"], "epochs": s["epochs"],
            "train_accuracy": s["final_train_accuracy"], "test_accuracy": s["final_test_accuracy"],
            "train_wall_seconds": s["wall_seconds"], "mpirun_wall_seconds": s["sweep"]["mpirun_wall_seconds"],
            "load_before": s["sweep"]["load_before"], "load_after": s["sweep"]["load_after"],
            "statevector_bytes": 16 * 2 ** n, "fragment_state_bytes": 16 * 2 ** 8,
            "command": s["sweep"]["command"],
        })
    keys = list(rows[0].keys())
    with open(os.path.join(OUT, "width.csv"), "w") as f:
        f.write(",".join(keys) + "\n")
        for r in rows:
            f.write(",".join(f'"{r[k]}"' if k == "command" else str(r[k]) for k in keys) + "\n")
    with open(os.path.join(OUT, "width.md"), "w") as f:
        f.write("| qubits | fragments × 8 | cuts | parameters | sub-experiments / query | train / test | "
                "train acc | **test acc** | wall s (mpirun) | load 1-min before → after | state vector would need |\n")
        f.write("|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---:|\n")
        for r in rows:
            f.write(f"| {r['qubits']} | {r['fragments']} | {r['cuts']} | {r['parameters']} | "
                    f"{r['subexperiments_per_query']} | {r['train_samples']} / {r['test_samples']} | "
                    f"{r['train_accuracy']:.3f} | **{r['test_accuracy']:.3f}** | {r['mpirun_wall_seconds']:.1f} | "
                    f"{r['load_before']:.1f} → {r['load_after']:.1f} | {human_bytes(r['statevector_bytes'])} |\n")
        f.write("\nCommands (from the repository root, release build, `source scripts/env.sh`):\n\n")
        for r in rows:
            f.write(f"    {r['command']}\n")
    write_chart(rows)
    circuit_table()


def write_chart(rows):
    """Wall time (bars, left axis) and log2 of the state-vector bytes (line, right axis) per width."""
    w, h, left, right, top, bottom = 720, 400, 70, 80, 40, 60
    plot_w, plot_h = w - left - right, h - top - bottom
    tmax = max(r["mpirun_wall_seconds"] for r in rows) * 1.15
    lmax = 140.0
    step = plot_w / len(rows)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="20" text-anchor="middle" font-size="14">qnncut train, MNIST 0 vs 1, blocks of 8 qubits, '
           f'mpirun -np {NP}</text>',
           f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="black"/>',
           f'<line x1="{left + plot_w}" y1="{top}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#c33"/>']
    for k in range(5):
        t = tmax * k / 4
        y = top + plot_h - plot_h * k / 4
        out.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{t:.0f}</text>')
        out.append(f'<text x="{left + plot_w + 6}" y="{y + 4}" fill="#c33">{lmax * k / 4:.0f}</text>')
    out.append(f'<text x="18" y="{top + plot_h / 2}" transform="rotate(-90 18 {top + plot_h / 2})" '
               'text-anchor="middle">wall s (train + evaluation)</text>')
    out.append(f'<text x="{w - 14}" y="{top + plot_h / 2}" transform="rotate(-90 {w - 14} {top + plot_h / 2})" '
               'text-anchor="middle" fill="#c33">log2 state-vector bytes</text>')
    points = []
    for i, r in enumerate(rows):
        x = left + step * i + step * 0.2
        bh = plot_h * r["mpirun_wall_seconds"] / tmax
        out.append(f'<rect x="{x:.1f}" y="{top + plot_h - bh:.1f}" width="{step * 0.6:.1f}" height="{bh:.1f}" fill="#4a7ab5"/>')
        out.append(f'<text x="{x + step * 0.3:.1f}" y="{top + plot_h - bh - 4:.1f}" text-anchor="middle">'
                   f'{r["mpirun_wall_seconds"]:.0f} s, {r["test_accuracy"]:.3f}</text>')
        out.append(f'<text x="{x + step * 0.3:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{r["qubits"]} qubits</text>')
        out.append(f'<text x="{x + step * 0.3:.1f}" y="{top + plot_h + 32}" text-anchor="middle" fill="#555">'
                   f'{r["subexperiments_per_query"]} sub-exp.</text>')
        lb = 4 + r["qubits"]  # 16 bytes per amplitude
        points.append((x + step * 0.3, top + plot_h - plot_h * lb / lmax))
    out.append('<polyline fill="none" stroke="#c33" stroke-width="2" points="'
               + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
    for (x, y), r in zip(points, rows):
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#c33"/>')
        out.append(f'<text x="{x + 6:.1f}" y="{y - 6:.1f}" fill="#c33">{human_bytes(r["statevector_bytes"]).split(" (")[0]}</text>')
    out.append(f'<text x="{w / 2}" y="{h - 8}" text-anchor="middle" fill="#555">bars: wall s, test accuracy; '
               'an 8-qubit fragment state is 4 KiB per sample</text>')
    out.append("</svg>")
    with open(os.path.join(OUT, "width.svg"), "w") as f:
        f.write("\n".join(out) + "\n")


def circuit_table():
    path = os.path.join(OUT, "circuits.json")
    if not os.path.exists(path):
        return
    with open(path) as f:
        rows = json.load(f)["rows"]
    with open(os.path.join(OUT, "circuits.md"), "w") as f:
        f.write("| circuit | qubits | blocks × width | topology, gate | way | fragment widths | max deviation | "
                "wall s (mpirun) | load 1-min before → after |\n|---|---:|---|---|---|---|---:|---:|---|\n")
        for r in rows:
            widths = sorted(set(r["fragment_qubits"]))
            f.write(f"| {r['id']} | {r['qubits']} | {r['blocks']} × {r['block_width']} | {r['topology']}, "
                    f"{r['boundary_gate']} | {r['way']} | {len(r['fragment_qubits'])} of {widths} | "
                    f"{r['max_deviation']:.1e} | {r['mpirun_wall_seconds']:.1f} | {r['load_before']:.1f} → {r['load_after']:.1f} |\n")
        f.write("\nCommands: see `commands.txt` (`$TMP/wideNN.qasm` is the `qasm2` text of that circuit "
                "in Tests/Fixtures/wide_circuits.json; the observables are its five `observables`).\n")


if __name__ == "__main__":
    steps = sys.argv[1:] or ["all"]
    os.makedirs(OUT, exist_ok=True)
    for step in steps:
        if step not in ("train", "circuits", "report", "all"):
            sys.exit(f"width-sweep: unknown step '{step}' (train, circuits, report, all)")
    if not os.access(os.path.join(ROOT, QNNCUT), os.X_OK) and not os.access(QNNCUT, os.X_OK):
        sys.exit(f"width-sweep: no qnncut at {QNNCUT}: swift build -c release")
    for step in steps:
        if step in ("train", "all"):
            train()
        if step in ("circuits", "all"):
            circuits()
        if step in ("report", "all"):
            report()
