#!/usr/bin/env python3
"""Agreement tests of the Aer reference executor (run by bench/executors/test.sh inside its venv).

1. Aer without noise (`estimate --executor`) vs built-in shot mode, on the 20 QNN circuits of
   Tests/Fixtures/qnn_circuits.json (cut in two halves, 1-4 CNOT cuts), at np 1 and np 3:
   z = (a - b) / sqrt(se_a^2 + se_b^2) per circuit; chi^2 = sum z^2 must be below the 0.999
   quantile of chi^2(20) and every |z| < 4.
2. export -> Aer (run_export.py) -> reconstruct vs the exact value, 10 circuits: every |z| < 3.
3. Built-in noise (`--noise`) vs the Aer executor with the same noise JSON, 10 circuits: chi^2
   below the 0.999 quantile of chi^2(10), every |z| < 4; and the noise must move the value
   (noisy vs exact noiseless differ by more than 5 standard errors somewhere), so the test can fail.
4. Gradients through Aer (`estimate --executor --gradients`: the parameter-shift circuits run on
   Aer) vs the exact adjoint gradients of <Y0 Y3>, on a 4-qubit circuit with theta/x parameters
   cut in two, at np 3: 12 identical queries (independent shots each); per component
   z = (mean - exact) / (sd / sqrt(12)) with sd the spread of 200 built-in shot-mode queries:
   every |z| < 4, sum z^2 < 3 x components, Aer's own spread within [0.4, 2.5] x sd.

Prints one line per check and ends with 'aer: N passed, M failed'; exit status 1 if any failed.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QNNCUT = os.environ.get("QNNCUT_BIN", os.path.join(ROOT, ".build", "debug", "qnncut"))
HERE = os.path.dirname(os.path.abspath(__file__))
EXECUTOR = f"{sys.executable} {HERE}/aer_executor.py"
SHOTS = "40000"
# chi^2 0.999 quantiles (scipy.stats.chi2.ppf(0.999, k)).
CHI2_999 = {10: 29.588, 20: 45.315}
ENV = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_COMM", "PMIX_", "OPAL_", "ORTE_"))}

passed, failed = 0, 0


def check(ok, message):
    global passed, failed
    passed, failed = passed + bool(ok), failed + (not ok)
    print(("ok   " if ok else "FAIL ") + message, flush=True)


def estimate(qasm_path, labels, extra, ranks=1):
    command = ([] if ranks == 1 else ["mpirun", "--oversubscribe", "-np", str(ranks)]) + [
        QNNCUT, "estimate", qasm_path, "--observable", "Z0", "--partition", labels, "--json", *extra]
    out = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: exit {out.returncode}: {out.stderr.strip()[-400:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["values"][0], result["stderrs"][0]


def z(a, b):
    (va, sa), (vb, sb) = a, b
    return (va - vb) / math.sqrt(sa * sa + sb * sb)


# The circuit Tests/CLITests/ExecutorGradientTests.swift differentiates with the reference executor.
GRADIENT_CIRCUIT = os.path.join(ROOT, "Tests", "Fixtures", "executors", "gradient_circuit.qasm")


def gradients(work, queries, extra, ranks=1):
    """Every query's gradient components (d/dtheta then d/dx)."""
    qasm, inputs = GRADIENT_CIRCUIT, os.path.join(work, f"gradients-{queries}.csv")
    with open(inputs, "w") as f:
        f.write("x0,x1,x2,x3\n" + "0.3,-0.7,1.1,0.4\n" * queries)
    command = ([] if ranks == 1 else ["mpirun", "--oversubscribe", "-np", str(ranks)]) + [
        QNNCUT, "estimate", qasm, "--observable", "Y0 Y3", "--partition", "AABB",
        "--theta=0.4,-1.1,0.8,1.9,-0.5,0.9,1.3", "--inputs", inputs, "--gradients", "--json", *extra]
    out = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: exit {out.returncode}: {out.stderr.strip()[-400:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    rows = result.get("batch_gradients") or [result["gradients"]]
    return [[v for g in row for v in g["theta"] + g["x"]] for row in rows]


def mean_sd(xs):
    mean = sum(xs) / len(xs)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in xs) / (len(xs) - 1))


def gradients_check(work):
    """The per-query spread comes from 200 built-in shot-mode queries (same shot allocation, so the
    same variance for independent circuits): a far better estimate than 12 Aer queries give."""
    queries, reference_queries = 12, 200
    exact = gradients(work, 1, [])[0]
    builtin = gradients(work, reference_queries, ["--shots", "20000", "--seed", "5"])
    measured = gradients(work, queries, ["--shots", "20000", "--executor", EXECUTOR + " --seed 13"], ranks=3)
    zs, ratios, builtin_zs = [], [], []
    for k, e in enumerate(exact):
        mean, sd = mean_sd([row[k] for row in measured])
        mean_b, sd_b = mean_sd([row[k] for row in builtin])
        if sd_b == 0:
            zs.append(0.0 if abs(mean - e) < 1e-12 else math.inf)
            continue
        zs.append((mean - e) / (sd_b / math.sqrt(queries)))
        builtin_zs.append((mean_b - e) / (sd_b / math.sqrt(reference_queries)))
        ratios.append(sd / sd_b)
    chi2 = sum(x * x for x in zs)
    # Components share circuits (correlated z), so the bound on sum z^2 is looser than chi^2(11)'s.
    check(max(map(abs, zs)) < 4 and chi2 < 3 * len(zs) and all(0.4 < r < 2.5 for r in ratios),
          f"Aer parameter-shift gradients (np 3, {queries} queries) vs exact adjoint, {len(zs)} components: "
          f"max |z| {max(map(abs, zs)):.2f}, sum z^2 {chi2:.1f} (< {3 * len(zs)}), "
          f"sd / built-in sd in [{min(ratios):.2f}, {max(ratios):.2f}]")
    check(max(map(abs, builtin_zs)) < 4, f"built-in shot-mode gradients ({reference_queries} queries) vs exact adjoint: "
                                          f"max |z| {max(map(abs, builtin_zs)):.2f}")


def main():
    with open(os.path.join(ROOT, "Tests", "Fixtures", "qnn_circuits.json")) as f:
        circuits = json.load(f)["circuits"]
    work = tempfile.mkdtemp(prefix="aer-test-")
    cases = []
    for c in circuits:
        path = os.path.join(work, c["id"] + ".qasm")
        with open(path, "w") as f:
            f.write(c["qasm2"])
        n = c["num_qubits"]
        cases.append((c, path, "A" * (n // 2) + "B" * (n - n // 2)))

    # 1. Aer (no noise) vs built-in shot mode, np 1 and 3.
    builtin = [estimate(p, l, ["--shots", SHOTS, "--seed", "11"]) for _, p, l in cases]
    for ranks in (1, 3):
        zs = []
        for (c, p, l), b in zip(cases, builtin):
            a = estimate(p, l, ["--shots", SHOTS, "--executor", EXECUTOR + f" --seed {ranks}"], ranks=ranks)
            zs.append(z(a, b))
        chi2 = sum(x * x for x in zs)
        check(chi2 < CHI2_999[len(zs)] and max(map(abs, zs)) < 4,
              f"Aer executor vs built-in shot mode, np {ranks}, {len(zs)} circuits: chi2 {chi2:.1f} "
              f"(0.999 quantile {CHI2_999[len(zs)]}), max |z| {max(map(abs, zs)):.2f}")

    # 2. export -> Aer -> reconstruct vs exact, 10 circuits.
    worst = 0.0
    for c, p, l in cases[:10]:
        folder = os.path.join(work, c["id"] + "-export")
        subprocess.run([QNNCUT, "export", p, "--observable", "Z0", "--partition", l, "--shots", SHOTS,
                        "--output", folder], check=True, capture_output=True, env=ENV)
        counts = os.path.join(work, c["id"] + "-counts.json")
        subprocess.run([sys.executable, os.path.join(HERE, "run_export.py"), folder, "--output", counts, "--seed", "3"],
                       check=True, env=ENV)
        out = subprocess.run([QNNCUT, "reconstruct", folder, "--counts", counts, "--json"], check=True,
                             capture_output=True, text=True, env=ENV)
        r = json.loads(out.stdout)
        zz = (r["values"][0] - c["exact_z0"]) / r["stderrs"][0]
        worst = max(worst, abs(zz))
        check(abs(zz) < 3, f"export -> Aer -> reconstruct {c['id']}: {r['values'][0]:.4f} +- {r['stderrs'][0]:.4f}, "
                           f"exact {c['exact_z0']:.4f}, z {zz:.2f}")

    # 3. Built-in noise vs Aer with the same noise model, 10 circuits.
    noise = os.path.join(work, "noise.json")
    with open(noise, "w") as f:
        json.dump({"depolarizing_1q": 0.01, "depolarizing_2q": 0.05, "readout": 0.03}, f)
    zs, moved = [], 0.0
    for c, p, l in cases[:10]:
        b = estimate(p, l, ["--shots", SHOTS, "--seed", "5", "--noise", noise])
        a = estimate(p, l, ["--shots", SHOTS, "--executor", EXECUTOR + f" --noise {noise} --seed 7"])
        zs.append(z(a, b))
        moved = max(moved, abs(b[0] - c["exact_z0"]) / b[1])
    chi2 = sum(x * x for x in zs)
    check(chi2 < CHI2_999[len(zs)] and max(map(abs, zs)) < 4,
          f"built-in noise vs Aer noise, {len(zs)} circuits: chi2 {chi2:.1f} (0.999 quantile {CHI2_999[len(zs)]}), "
          f"max |z| {max(map(abs, zs)):.2f}")
    check(moved > 5, f"the noise model moves the value: largest |noisy - exact| / se = {moved:.1f} (> 5)")

    # 4. Gradients through Aer vs exact adjoint gradients.
    gradients_check(work)
    print(f"aer: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
