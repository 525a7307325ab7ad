#!/usr/bin/env python3
"""A simulating executor for the tests (Python standard library only): reads each circuit's
OpenQASM 2, computes its signed value v = <(-1)^(ones)> with a small state-vector simulator of
its own (mid-circuit measurements as branches), and answers with counts between an even- and an
odd-parity bitstring. An oracle independent of qnncut's simulator and lowering.

Usage: sim_executor.py MODE [LOG]
  MODE  exact  : round(shots * (1 + v) / 2) even outcomes (the expectation, to 1/shots)
        sample : Binomial(shots, (1 + v) / 2) even outcomes, seeded by the circuit's text, shots,
                 unit, sample and shift, so answers do not depend on the rank, the schedule or
                 the batching
  LOG   append "RANK CIRCUITS SHIFTED UNITS" per request line to this file, and "RANK end" at
        the end of the input
"""
import cmath
import hashlib
import json
import math
import os
import random
import re
import sys

mode = sys.argv[1]
log = sys.argv[2] if len(sys.argv) > 2 else None
rank = os.environ.get("QNNCUT_RANK", "-1")
S2 = 1 / math.sqrt(2)


def u3(t, f, l):
    c, s = math.cos(t / 2), math.sin(t / 2)
    return [[c, -cmath.exp(1j * l) * s], [cmath.exp(1j * f) * s, cmath.exp(1j * (f + l)) * c]]


def one(name, a):
    if name == "id": return [[1, 0], [0, 1]]
    if name == "x": return [[0, 1], [1, 0]]
    if name == "y": return [[0, -1j], [1j, 0]]
    if name == "z": return [[1, 0], [0, -1]]
    if name == "h": return [[S2, S2], [S2, -S2]]
    if name == "s": return [[1, 0], [0, 1j]]
    if name == "sdg": return [[1, 0], [0, -1j]]
    if name == "t": return [[1, 0], [0, cmath.exp(1j * math.pi / 4)]]
    if name == "tdg": return [[1, 0], [0, cmath.exp(-1j * math.pi / 4)]]
    if name == "sx": return [[(1 + 1j) / 2, (1 - 1j) / 2], [(1 - 1j) / 2, (1 + 1j) / 2]]
    if name == "sxdg": return [[(1 - 1j) / 2, (1 + 1j) / 2], [(1 + 1j) / 2, (1 - 1j) / 2]]
    if name == "rx": return u3(a[0], -math.pi / 2, math.pi / 2)
    if name == "ry": return u3(a[0], 0, 0)
    if name == "rz": return [[cmath.exp(-0.5j * a[0]), 0], [0, cmath.exp(0.5j * a[0])]]
    if name in ("p", "u1"): return [[1, 0], [0, cmath.exp(1j * a[0])]]
    if name == "u2": return u3(math.pi / 2, a[0], a[1])
    if name in ("u3", "u"): return u3(a[0], a[1], a[2])
    return None


def kron(a, b):
    return [[a[i // 2][j // 2] * b[i % 2][j % 2] for j in range(4)] for i in range(4)]


def two(name, a):
    """4x4 in the basis index 2*bit(first qubit) + bit(second qubit)."""
    controlled = {"cx": "x", "cy": "y", "cz": "z", "ch": "h", "crx": "rx", "cry": "ry", "crz": "rz", "cp": "p"}
    if name in controlled:
        u = one(controlled[name], a)
        return [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, u[0][0], u[0][1]], [0, 0, u[1][0], u[1][1]]]
    if name == "swap": return [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]]
    if name in ("rxx", "ryy", "rzz"):
        p = one(name[1], [])
        pp = kron(p, p)
        c, s = math.cos(a[0] / 2), math.sin(a[0] / 2)
        return [[c * (i == j) - 1j * s * pp[i][j] for j in range(4)] for i in range(4)]
    return None


def apply(state, matrix, qubits):
    k = len(qubits)
    out = list(state)
    for i in range(len(state)):
        if any((i >> q) & 1 for q in qubits):
            continue  # visit each group from its all-zero member
        idx = []
        for local in range(1 << k):
            j = i
            for pos, q in enumerate(qubits):  # qubits[0] is the most significant local bit
                if (local >> (k - 1 - pos)) & 1:
                    j |= 1 << q
            idx.append(j)
        amps = [state[j] for j in idx]
        for r in range(1 << k):
            out[idx[r]] = sum(matrix[r][c] * amps[c] for c in range(1 << k))
    return out


def ccx():
    m = [[1 if i == j else 0 for j in range(8)] for i in range(8)]
    m[6][6] = m[7][7] = 0
    m[6][7] = m[7][6] = 1
    return m


LINE = re.compile(r"^(\w+)(?:\(([^)]*)\))?\s+(.*);$")


def signed_value(qasm):
    """<(-1)^(number of 1 outcomes)> over every measurement of the circuit."""
    n = int(re.search(r"qreg q\[(\d+)\];", qasm).group(1))
    state = [0j] * (1 << n)
    state[0] = 1
    branches = [(state, 1)]
    for raw in qasm.splitlines():
        line = raw.strip()
        if not line or line.startswith(("OPENQASM", "include", "qreg", "creg", "gate ", "//", "barrier")):
            continue
        if line.startswith("measure"):
            q = int(re.search(r"q\[(\d+)\]", line).group(1))
            split = []
            for psi, sign in branches:
                for bit, s in ((0, sign), (1, -sign)):
                    part = [a if ((i >> q) & 1) == bit else 0 for i, a in enumerate(psi)]
                    if sum(abs(a) ** 2 for a in part) > 1e-30:
                        split.append((part, s))
            branches = split
            continue
        m = LINE.match(line)
        if not m:
            raise ValueError("cannot read: " + line)
        name, args, operands = m.group(1), m.group(2), m.group(3)
        angles = [float(eval(t, {"pi": math.pi})) for t in args.split(",")] if args else []
        qubits = [int(t) for t in re.findall(r"q\[(\d+)\]", operands)]
        matrix = one(name, angles) if len(qubits) == 1 else two(name, angles) if len(qubits) == 2 else ccx() if name == "ccx" else None
        if matrix is None:
            raise ValueError("unknown gate " + name)
        branches = [(apply(psi, matrix, qubits), s) for psi, s in branches]
    return sum(s * sum(abs(a) ** 2 for a in psi) for psi, s in branches)


def binomial(rng, n, p):
    try:
        import numpy
        return int(numpy.random.default_rng(rng.getrandbits(64)).binomial(n, p))
    except ImportError:
        return sum(1 for _ in range(n) if rng.random() < p)


def counts(item):
    shots, width = item["shots"], item["bits"]
    p = min(1.0, max(0.0, (1 + signed_value(item["qasm"])) / 2))
    if mode == "exact":
        k = int(round(shots * p))
    else:
        key = json.dumps([item["qasm"], shots, item.get("unit"), item.get("sample"), item.get("shift")])
        rng = random.Random(int(hashlib.sha256(key.encode()).hexdigest(), 16))
        k = binomial(rng, shots, p)
    even, odd = "0" * width, "0" * (width - 1) + "1"
    return {even: k, odd: shots - k}


for line in sys.stdin:
    request = json.loads(line)
    circuits = request["circuits"]
    if log:
        with open(log, "a") as f:
            f.write("%s %d %d %d\n" % (rank, len(circuits), sum(1 for c in circuits if "shift" in c),
                                        len(set(c.get("unit") for c in circuits))))
    try:
        answer = {"id": request["id"], "results": [{"counts": counts(c)} for c in circuits]}
    except Exception as error:
        answer = {"id": request["id"], "error": str(error)}
    print(json.dumps(answer), flush=True)
if log:  # end of input: qnncut closed the executor
    with open(log, "a") as f:
        f.write("%s end\n" % rank)
