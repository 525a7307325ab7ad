#!/usr/bin/env python3
"""Reference executor for `qnncut estimate --executor` (protocol: docs/executors.md), on Qiskit Aer.

One process per rank. Reads request lines {"id": N, "circuits": [{"qasm", "bits", "shots", ...}]}
on stdin, runs every circuit on AerSimulator, and answers {"id": N, "results": [{"counts": {...}}]}
on stdout, one line per request, in order. Exits at end of input.

Options:
  --noise FILE.json   {"depolarizing_1q": l1, "depolarizing_2q": l2, "readout": r}: the built-in
                      noise model's parameters (`qnncut estimate --noise`): depolarizing_error(l1, 1)
                      after every one-qubit gate, depolarizing_error(l2, 2) after every two-qubit
                      gate, a symmetric ReadoutError(r) on every measurement.
  --seed S            seed of Aer's sampling (each circuit gets a 63-bit seed hashed from S, the rank
                      in $QNNCUT_RANK, the request id and its position, so runs reproduce and no
                      two circuits share a random stream).
"""
import argparse
import hashlib
import json
import os
import sys

from qiskit import qasm2, transpile
from qiskit.circuit.library import RYYGate
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error

ONE_QUBIT = ["id", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "sxdg", "rx", "ry", "rz", "p", "u2", "u3"]
TWO_QUBIT = ["cx", "cy", "cz", "ch", "swap", "rxx", "ryy", "rzz", "crx", "cry", "crz", "cp"]
NOISE_KEYS = {"depolarizing_1q", "depolarizing_2q", "readout"}
# ryy is not in qelib1.inc: the request defines it; read it as one RYYGate (one noisy gate, as
# qnncut counts it), not as its seven-gate definition.
CUSTOM = list(qasm2.LEGACY_CUSTOM_INSTRUCTIONS) + [qasm2.CustomInstruction("ryy", 1, 2, RYYGate)]


def noise_model(path):
    with open(path) as f:
        spec = json.load(f)
    unknown = set(spec) - NOISE_KEYS
    if unknown:
        sys.exit(f"aer_executor: {path}: unknown keys {sorted(unknown)}")
    model = NoiseModel()
    if spec.get("depolarizing_1q", 0) > 0:
        model.add_all_qubit_quantum_error(depolarizing_error(spec["depolarizing_1q"], 1), ONE_QUBIT)
    if spec.get("depolarizing_2q", 0) > 0:
        model.add_all_qubit_quantum_error(depolarizing_error(spec["depolarizing_2q"], 2), TWO_QUBIT)
    r = spec.get("readout", 0)
    if r > 0:
        model.add_all_qubit_readout_error(ReadoutError([[1 - r, r], [r, 1 - r]]))
    return model


def simulator(noise_path=None):
    """AerSimulator with the noise model of `noise_path` (or none), and its native gate names."""
    sim = AerSimulator(noise_model=noise_model(noise_path) if noise_path else None)
    return sim, set(sim.configuration().basis_gates) | {"measure", "barrier"}


def load(sim, basis, qasm):
    circuit = qasm2.loads(qasm, custom_instructions=CUSTOM)
    if any(i.operation.name not in basis for i in circuit.data):
        circuit = transpile(circuit, sim, optimization_level=0)  # e.g. ch, which Aer lacks
    return circuit


def counts(sim, basis, qasm, shots, seed):
    """Counts per bitstring (classical bit 0 rightmost) of one request circuit."""
    return run_all(sim, basis, [(qasm, shots)], seed)[0]


def stream_seed(*parts):
    """A 63-bit seed from `parts` (a hash: seeds of different circuits lie far apart)."""
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:8], "little") >> 1


def run_all(sim, basis, items, seed):
    """Counts of every (qasm, shots) item, one Aer run per circuit with seed stream_seed(seed, i).

    Not one run of the whole list: Aer seeds shot j of a run with seed + j, and the k-th circuit of
    a list with seed + 2113 k, so circuits whose seeds lie closer than their shot counts share
    outcomes (shifted by a few shots) - correlated shot noise across circuits, which qnncut's
    standard errors (independent circuits) do not allow for. Hashed 63-bit seeds never overlap in
    practice."""
    out = []
    for i, (qasm, shots) in enumerate(items):
        result = sim.run(load(sim, basis, qasm), shots=shots, seed_simulator=stream_seed(seed, i)).result()
        out.append({key.replace(" ", ""): n for key, n in result.get_counts(0).items()})
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noise")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sim, basis = simulator(args.noise)
    rank = int(os.environ.get("QNNCUT_RANK", "0"))
    for line in sys.stdin:
        request = json.loads(line)
        seed = (args.seed, rank, request["id"])
        items = [(item["qasm"], item["shots"]) for item in request["circuits"]]
        results = [{"counts": c} for c in run_all(sim, basis, items, seed)]
        print(json.dumps({"id": request["id"], "results": results}), flush=True)


if __name__ == "__main__":
    main()
