#!/usr/bin/env python3
"""Write a random circuit of blocks joined by a chosen number of CNOTs: A (the first `a` qubits)
and B (the next `b`) by `k`, and, with `--c N --k2 M`, B and a third block C (`c` qubits) by M.
Cut with `--partition` (A…AB…B[C…C]), each boundary CNOT is one cut, so B holds 5^(k+k2)
local settings. Seeded, so the files are reproducible:

    python3 bench/circuits/make_boundary.py --a 6 --b 3 --k 8 --seed 1 > boundary-9q-8cuts.qasm
        (partition AAAAAABBB: 2·5^8 = 781,250 sub-experiments)
    python3 bench/circuits/make_boundary.py --a 3 --b 3 --c 3 --k 4 --k2 4 --seed 1 > chain-9q-4+4cuts.qasm
        (partition AAABBBCCC: 5^4 + 5^8 + 5^4 = 391,875 sub-experiments)
"""
import argparse, random

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--a", type=int, default=6); p.add_argument("--b", type=int, default=3)
p.add_argument("--c", type=int, default=0)
p.add_argument("--k", type=int, default=8); p.add_argument("--k2", type=int, default=0)
p.add_argument("--seed", type=int, default=1)
args = p.parse_args()
rng = random.Random(args.seed)
blocks = [(0, args.a), (args.a, args.a + args.b)] + ([(args.a + args.b, args.a + args.b + args.c)] if args.c else [])
n = blocks[-1][1]
lines = ["OPENQASM 2.0;", 'include "qelib1.inc";', f"qreg q[{n}];"]
def layer():
    for q in range(n):
        lines.append(f"ry({rng.uniform(0, 6.283):.12f}) q[{q}];")
        lines.append(f"rz({rng.uniform(0, 6.283):.12f}) q[{q}];")
    for lo, hi in blocks:
        for q in range(lo, hi - 1):
            lines.append(f"cx q[{q}],q[{q + 1}];")
def crossing(left, right):
    a, b = rng.randrange(*left), rng.randrange(*right)
    lines.append(f"cx q[{a}],q[{b}];" if rng.random() < 0.5 else f"cx q[{b}],q[{a}];")
for i in range(max(args.k, args.k2)):
    layer()
    if i < args.k: crossing(blocks[0], blocks[1])
    if args.c and i < args.k2: crossing(blocks[1], blocks[2])
layer()
print("\n".join(lines))
