#!/usr/bin/env python3
"""Write a random circuit whose two blocks (A: the first `a` qubits, B: the rest) are coupled by
exactly `k` CNOTs: cut with `--partition` (A…AB…B), it gives k cuts on one boundary and 5^k local
settings per side. Seeded, so the file is reproducible:

    python3 bench/circuits/make_boundary.py --a 6 --b 3 --k 8 --seed 1 > boundary-9q-8cuts.qasm
"""
import argparse, random

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--a", type=int, default=6); p.add_argument("--b", type=int, default=3)
p.add_argument("--k", type=int, default=8); p.add_argument("--seed", type=int, default=1)
args = p.parse_args()
rng = random.Random(args.seed)
n = args.a + args.b
lines = ["OPENQASM 2.0;", 'include "qelib1.inc";', f"qreg q[{n}];"]
def layer():
    for q in range(n):
        lines.append(f"ry({rng.uniform(0, 6.283):.12f}) q[{q}];")
        lines.append(f"rz({rng.uniform(0, 6.283):.12f}) q[{q}];")
    for lo, hi in ((0, args.a), (args.a, n)):
        for q in range(lo, hi - 1):
            lines.append(f"cx q[{q}],q[{q + 1}];")
for _ in range(args.k):
    layer()
    a, b = rng.randrange(args.a), args.a + rng.randrange(args.b)
    lines.append(f"cx q[{a}],q[{b}];" if rng.random() < 0.5 else f"cx q[{b}],q[{a}];")
layer()
print("\n".join(lines))
