#!/usr/bin/env python3
"""perf-compare-report.py OUT_DIR: the medians over repeats of every figure perf-compare.sh
measured, before and after, and their ratio (after ÷ before; < 1 is faster), as a markdown table."""
import glob, json, os, statistics, sys
from collections import defaultdict

out = sys.argv[1]
values = defaultdict(lambda: defaultdict(list))  # (bench, key) -> label -> [value]

def add(bench, key, label, value):
    values[(bench, key)][label].append(value)

for path in sorted(glob.glob(os.path.join(out, "*.json"))):
    name = os.path.basename(path)[:-5]
    bench, label = name.rsplit("-", 2)[0], name.rsplit("-", 2)[1]
    with open(path) as f:
        text = f.read().strip().splitlines()
    if not text:
        continue
    data = json.loads(text[-1] if not text[0].startswith("{") or len(text) == 1 else "\n".join(text))
    if bench == "kernels":
        for k in data["kernels"]:
            add(bench, f"{k['gate']} n{k['qubits']} Swift ns/amp", label, k["swiftNsPerAmplitude"])
            add(bench, f"{k['gate']} n{k['qubits']} speed vs C", label, k["speedVsC"])
        for q in data["qnn"]:
            add(bench, f"QNN {q['pass']} speed vs C", label, q["speedVsC"])
    elif bench.startswith("estimator"):
        for r in data["rows"]:
            add(bench, f"k{r['cuts']} np{r['ranks']} ms/query", label, r["per_query_ms"]["total"])
    elif bench == "stragglers":
        for r in data["rows"]:
            add(bench, f"{r['policy']} np{r['ranks']} vs ideal", label, r["vs_ideal"])
            add(bench, f"{r['policy']} np{r['ranks']} batch s (straggler)", label, r["batch_s_straggler"])

print("| benchmark | figure | before (median) | after (median) | after ÷ before |")
print("|---|---|---|---|---|")
for (bench, key), by_label in values.items():
    b, a = by_label.get("before", []), by_label.get("after", [])
    if not b or not a:
        continue
    mb, ma = statistics.median(b), statistics.median(a)
    print(f"| {bench} | {key} | {mb:.4g} | {ma:.4g} | {ma / mb:.2f} |" if mb else f"| {bench} | {key} | {mb} | {ma} | – |")
