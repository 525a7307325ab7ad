"""Peer benchmark: qiskit-addon-cutting + Aer on the reference QNN family, timed per estimator
query in the four stages we trace (partition, generate, execute, reconstruct), optionally
interleaved per cut count with our `qnncut bench estimator --json` on the same configuration.

One query = one parameter binding (theta fixed per k, a fresh input x per query, as in
`qnncut bench estimator`). qiskit-addon-cutting re-partitions and regenerates for every binding
(its issue #539), so its per-query time includes partition and generate.

Writes <out>/qiskit.json, <out>/qnncut.json (with --qnncut) and <out>/README.md (see
peer_report.py) and prints the combined table.
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from importlib import metadata

import numpy as np
from qiskit.quantum_info import PauliList, SparsePauliOp, Statevector
from qiskit_addon_cutting import (
    generate_cutting_experiments,
    partition_problem,
    reconstruct_expectation_values,
)

import peer_report
from qnn_family import build_qnn, last_qubit_z_label, partition_labels

# Queries per (mode, k), in the order of --cuts; 0 skips the configuration. Aer's SamplerV2 costs
# ~30 us per shot on these mid-circuit-measurement circuits, so 10000 shots at k = 4 (2592
# circuits) would take ~20 min per query: skipped unless asked for.
DEFAULT_REPEATS = "exact=5,5,5,3,2;1000=3,3,3,1,1;10000=3,3,1,1,0"


class BenchError(Exception):
    """A benchmark failure that names the call or option that caused it."""


def exact_executor():
    """Return (name, run(subexperiments) -> result) for exact sub-experiment probabilities.

    There is no Aer fallback: Aer's exact (shots=None) Sampler rejects these sub-experiments
    ("Some classical bits are not used for measurements", qiskit-aer issues #1810/#1811), which is
    why qiskit-addon-cutting ships ExactSampler.
    """
    try:
        from qiskit_addon_cutting.utils.simulation import ExactSampler
    except ImportError as e:
        raise BenchError(f"exact mode needs qiskit_addon_cutting.utils.simulation.ExactSampler: {e}")
    sampler = ExactSampler()
    return "qiskit_addon_cutting.utils.simulation.ExactSampler", lambda c: sampler.run(c).result()


def shots_executor(shots: int, seed: int):
    """Return (name, run) for Aer's SamplerV2 with `shots` shots per sub-experiment."""
    from qiskit_aer.primitives import SamplerV2

    sampler = SamplerV2(default_shots=shots, seed=seed)
    return f"qiskit_aer.primitives.SamplerV2(default_shots={shots})", lambda c: sampler.run(c).result()


def one_query(bound, labels, observables, run):
    """Time one estimator query in four stages; return (seconds per stage, value, terms, subexperiments)."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    problem = partition_problem(circuit=bound, partition_labels=labels, observables=observables)
    t1 = time.perf_counter()
    subexperiments, coefficients = generate_cutting_experiments(
        circuits=problem.subcircuits, observables=problem.subobservables, num_samples=np.inf)
    t2 = time.perf_counter()
    results = {label: run(circuits) for label, circuits in subexperiments.items()}
    t3 = time.perf_counter()
    value = reconstruct_expectation_values(results, coefficients, problem.subobservables)[0]
    t4 = time.perf_counter()
    stages = {"partition": t1 - t0, "generate": t2 - t1, "execute": t3 - t2, "reconstruct": t4 - t3}
    stages["total"] = t4 - t0
    # CPU seconds of this process (all threads): less sensitive than wall time to other jobs' load.
    stages["cpu"] = time.process_time() - c0
    counts = {label: len(circuits) for label, circuits in subexperiments.items()}
    return stages, value, len(coefficients), counts


def measure(n, layers, k, mode, shots, repeats, seed):
    """Median per-query stage times (ms) of `repeats` queries for one configuration."""
    circuit, x, theta = build_qnn(n, layers, k)
    rng = np.random.default_rng(seed + n * 100 + k)
    theta_values = rng.uniform(0, 2 * np.pi, len(theta))
    label = last_qubit_z_label(n)
    observables = PauliList([label])
    name, run = exact_executor() if mode == "exact" else shots_executor(shots, seed + k)
    per_stage = {s: [] for s in ("total", "partition", "generate", "execute", "reconstruct", "cpu")}
    errors, shares, bind_ms = [], [], []
    load_before = os.getloadavg()[0]
    terms = counts = None
    for _ in range(repeats):
        inputs = rng.uniform(0, np.pi, n)
        tb = time.perf_counter()
        bound = circuit.assign_parameters({**dict(zip(x, inputs)), **dict(zip(theta, theta_values))})
        bind_ms.append((time.perf_counter() - tb) * 1e3)
        stages, value, terms, counts = one_query(bound, partition_labels(n), observables, run)
        exact = Statevector(bound).expectation_value(SparsePauliOp(label)).real
        errors.append(abs(value - exact))
        for s, seconds in stages.items():
            per_stage[s].append(seconds * 1e3)
        shares.append(stages["reconstruct"] / stages["total"])
    return {
        "n": n, "layers": layers, "cuts": k, "mode": mode, "shots": shots, "executor": name,
        "repeats": repeats, "terms": terms, "subexperiments": {**counts, "total": sum(counts.values())},
        "per_query_ms": {s: float(np.median(v)) for s, v in per_stage.items()},
        "per_query_ms_all": per_stage,
        "bind_ms_median_not_in_total": float(np.median(bind_ms)),
        "reconstruction_share_median": float(np.median(shares)),
        "abs_error_vs_statevector": errors, "max_abs_error": max(errors),
        "loadavg_1min": [load_before, os.getloadavg()[0]],
    }


def run_ours(qnncut, n, layers, k, rounds, seed):
    """Run `qnncut bench estimator --json` for one configuration; return (command, rows)."""
    command = [qnncut, "bench", "estimator", "--json", "--qubits", str(n), "--layers", str(layers),
               "--cuts", str(k), "--rounds", str(rounds), "--batch", "1", "--seed", str(seed), "--ranks", "1"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"{shlex.join(command)} exited {done.returncode}: {done.stderr.strip()[-400:]}")
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    try:
        rows = json.loads(last)["rows"]
    except (json.JSONDecodeError, KeyError) as e:
        raise BenchError(f"{shlex.join(command)}: last stdout line is not a JSON report ({e}): {last[:200]!r}")
    for row in rows:
        row["loadavg_1min"] = os.getloadavg()[0]
    return shlex.join(command), rows


def parse_repeats(text, cuts, shots):
    """Parse 'exact=5,5,5,3,2;1000=3,3,3,1,1' into {(mode, k): repeats}."""
    table = {}
    for part in filter(None, text.split(";")):
        key, _, values = part.partition("=")
        numbers = [int(v) for v in values.split(",")]
        if len(numbers) != len(cuts):
            raise BenchError(f"--repeats '{part}': {len(numbers)} counts for {len(cuts)} cut counts {cuts}")
        table.update({(key.strip(), k): r for k, r in zip(cuts, numbers)})
    for mode in ["exact"] + [str(s) for s in shots]:
        for k in cuts:
            if (mode, k) not in table:
                raise BenchError(f"--repeats has no count for mode '{mode}' (k = {k})")
    return table


def machine():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                 platform.processor())
    return {"cpu": model, "cores": os.cpu_count(), "os": platform.platform(), "python": platform.python_version()}


def versions():
    names = ["qiskit", "qiskit-aer", "qiskit-addon-cutting", "numpy", "scipy"]
    return {name: metadata.version(name) for name in names}


def rewrite_report(out):
    """Regenerate README.md from the JSON files of an earlier run (after changing peer_report.py)."""
    with open(os.path.join(out, "qiskit.json")) as f:
        theirs = json.load(f)
    with open(os.path.join(out, "qnncut.json")) as f:
        ours = json.load(f)
    note = theirs.get("note", "")
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(peer_report.markdown(theirs, ours["rows"], ours["commands"], note))
    print(peer_report.combined_table(theirs["rows"], ours["rows"]))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--qubits", type=int, default=8)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--cuts", default="0,1,2,3,4")
    p.add_argument("--shots", default="1000,10000", help="shot counts for Aer SamplerV2 ('' for none)")
    p.add_argument("--repeats", default=DEFAULT_REPEATS, help="queries per mode and k; 0 skips")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--qnncut", help="path of the qnncut binary: run ours before each k (interleaved)")
    p.add_argument("--rounds", type=int, default=20, help="qnncut bench estimator --rounds")
    p.add_argument("--out", default="results/peer")
    p.add_argument("--note", default="", help="free text recorded in README.md (e.g. the qnncut build)")
    p.add_argument("--report-only", action="store_true",
                   help="measure nothing: rewrite <out>/README.md from <out>/qiskit.json and qnncut.json")
    args = p.parse_args(argv)
    if args.report_only:
        rewrite_report(args.out)
        return
    cuts = [int(v) for v in args.cuts.split(",")]
    shots = [int(v) for v in args.shots.split(",") if v]
    repeats = parse_repeats(args.repeats, cuts, shots)
    modes = [("exact", None)] + [(str(s), s) for s in shots]
    started = datetime.datetime.now(datetime.timezone.utc)

    # Warm-up (untimed): first calls import lazily and build caches.
    for mode, s in modes:
        measure(args.qubits, args.layers, 1, "exact" if s is None else "shots", s, 1, args.seed + 999)

    rows, ours, our_commands = [], [], []
    for k in cuts:
        if args.qnncut:
            command, our_rows = run_ours(args.qnncut, args.qubits, args.layers, k, args.rounds, args.seed)
            our_commands.append(command)
            ours += our_rows
            print(f"k={k} qnncut: {our_rows[0]['per_query_ms']['total']:.3f} ms/query", flush=True)
        for mode, s in modes:
            if repeats[(mode, k)] == 0:
                continue
            row = measure(args.qubits, args.layers, k, "exact" if s is None else "shots", s,
                          repeats[(mode, k)], args.seed)
            rows.append(row)
            print(f"k={k} qiskit {mode}: {row['per_query_ms']['total']:.1f} ms/query "
                  f"({row['repeats']} queries, max |E - statevector| {row['max_abs_error']:.1e})", flush=True)

    finished = datetime.datetime.now(datetime.timezone.utc)
    command = shlex.join([os.path.relpath(sys.argv[0])] + argv)
    header = {"generated": started.isoformat(timespec="seconds"), "finished": finished.isoformat(timespec="seconds"),
              "machine": machine(), "versions": versions(), "command": command, "seed": args.seed,
              "note": args.note}
    os.makedirs(args.out, exist_ok=True)
    theirs = {"schema": "peer/qiskit_cutting_bench/v1", **header, "rows": rows}
    with open(os.path.join(args.out, "qiskit.json"), "w") as f:
        json.dump(theirs, f, indent=1)
    if args.qnncut:
        with open(os.path.join(args.out, "qnncut.json"), "w") as f:
            json.dump({"schema": "peer/qnncut_bench_estimator/v1", **header, "commands": our_commands,
                       "rows": ours}, f, indent=1)
    markdown = peer_report.markdown(theirs, ours, our_commands, args.note)
    with open(os.path.join(args.out, "README.md"), "w") as f:
        f.write(markdown)
    print(peer_report.combined_table(theirs["rows"], ours))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except BenchError as e:
        sys.exit(f"qiskit_cutting_bench.py: {e}")
