#!/usr/bin/env bash
# Per-rank costs at np 1, 2, 4, 8 (oversubscribed on 2 cores): a 12-qubit, 4-layer ry/rz + CX-chain
# circuit cut into two 6-qubit halves (1250 work units), one query, under the default (adaptive)
# and the static policy. Prints per np: the value, setup (plan broadcast/derive/agree, compile),
# peak RSS per rank, and the trace's execute, wait and reconstruct of the round.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/env.sh
python3 - > /tmp/c12.qasm <<'PY'
import random
random.seed(3)
print('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[12];')
for layer in range(4):
    for q in range(12):
        print(f"ry({random.uniform(0, 3.14159):.6f}) q[{q}];\nrz({random.uniform(0, 3.14159):.6f}) q[{q}];")
    for q in range(11):
        print(f"cx q[{q}],q[{q + 1}];")
PY
for policy in adaptive static; do
  for np in 1 2 4 8; do
    rm -f /tmp/t$np.h5
    mpirun -np $np .build/release/qnncut estimate /tmp/c12.qasm --observable Z11 --partition AAAAAABBBBBB \
        --schedule $policy --trace /tmp/t$np.h5 --json 2>/dev/null | tail -n 1 > /tmp/e$np.json
    python3 - "$policy" "$np" <<'PY'
import json, sys, subprocess
d = json.load(open(f"/tmp/e{sys.argv[2]}.json"))
s, st, m = d["setup"], d["stages"], d["memory"]
print(f"{sys.argv[1]:9s} np {sys.argv[2]}: value {d['values'][0]:.14f}  setup ms: "
      + " ".join(f"{k} {v * 1e3:.2f}" for k, v in s.items() if k != "blueprint_bytes")
      + f"  peak RSS {m['peak_resident_bytes'] / 1e6:.0f} MB"
      + "  stages ms: " + " ".join(f"{k} {v * 1e3:.2f}" for k, v in st.items()))
PY
  done
done
