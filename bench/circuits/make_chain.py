#!/usr/bin/env python3
"""Write a trainable chain of `--blocks` blocks of `--width` qubits: RY(x[q]) inputs, then
`--layers` layers of RY(theta)/RZ(theta) on every qubit, a CX ladder inside each block and
`--crossings` CXs between neighbouring blocks. Cut with `--partition` (AAABBBCCC…), each crossing
CX is one cut, so the plan has `--blocks` fragments: a many-fragment contraction with θ and x
gradients. Seeded, so the file is reproducible:

    python3 bench/circuits/make_chain.py --blocks 4 --width 3 --layers 2 --crossings 2 > chain-4x3.qasm
        (partition AAABBBCCCDDD, 6 cuts, 25 + 625 + 625 + 25 = 1300 sub-experiments per observable)
"""
import argparse, random

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
for name, default in [("blocks", 4), ("width", 3), ("layers", 2), ("crossings", 2), ("seed", 1)]:
    p.add_argument(f"--{name}", type=int, default=default)
args = p.parse_args()
rng = random.Random(args.seed)
n = args.blocks * args.width
lines = ["OPENQASM 2.0;", 'include "qelib1.inc";', f"qreg q[{n}];"]
lines += [f"ry(x[{q}]) q[{q}];" for q in range(n)]
theta = 0
for layer in range(args.layers):
    for q in range(n):
        lines += [f"ry(theta[{theta}]) q[{q}];", f"rz(theta[{theta + 1}]) q[{q}];"]
        theta += 2
    for b in range(args.blocks):
        lines += [f"cx q[{q}],q[{q + 1}];" for q in range(b * args.width, (b + 1) * args.width - 1)]
    if layer < args.layers - 1 or args.layers == 1:
        for b in range(args.blocks - 1):
            for _ in range(args.crossings):
                a = rng.randrange(b * args.width, (b + 1) * args.width)
                c = rng.randrange((b + 1) * args.width, (b + 2) * args.width)
                lines.append(f"cx q[{a}],q[{c}];")
print("\n".join(lines))
