#!/usr/bin/env python3
"""Run every sub-experiment of a `qnncut export` folder on Qiskit Aer and write the counts file
`qnncut reconstruct DIR --counts FILE` reads: {"<experiment name>": {"<bitstring>": count}}.

Usage: run_export.py DIR --output counts.json [--noise noise.json] [--seed S]
(the offline workflow of docs/executors.md, with Aer standing in for a device).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aer_executor import run_all, simulator  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--output", required=True)
    parser.add_argument("--noise")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with open(os.path.join(args.folder, "manifest.json")) as f:
        manifest = json.load(f)
    sim, basis = simulator(args.noise)
    result = {}
    for p, plan in enumerate(manifest["plans"]):
        names, items = [], []
        for e in plan["experiments"]:
            with open(os.path.join(args.folder, "circuits", e["name"] + ".qasm")) as f:
                items.append((f.read(), e["shots"]))
            names.append(e["name"])
        for start in range(0, len(items), 256):
            chunk = run_all(sim, basis, items[start:start + 256], (args.seed, p, start))
            result.update(zip(names[start:start + 256], chunk))
    with open(args.output, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
