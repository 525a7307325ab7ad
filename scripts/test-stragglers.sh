#!/usr/bin/env bash
# A straggler that comes and goes, end to end, run on its own after `swift test` (CI): the
# adaptive policy must notice a rank that turns 16× slower within a round and forgive it within
# three rounds of its recovery. Judged on the straggler's share of each round's units
# (`bench stragglers --transient`, per_round_straggler_share), not on seconds; but the share
# follows measured speeds, so this runs alone: beside the parallel test suites the other ranks'
# speeds are noise.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
report=$(.build/debug/qnncut bench stragglers --ranks 2 --policies adaptive --factor 16 --transient 3-5 \
         --rounds 11 --batch 8 --json | tail -n 1)
python3 - "$report" <<'PY'
import json, sys
row = json.loads(sys.argv[1])["rows"][0]
share = row["per_round_straggler_share"]           # share[k - 1] is timed round k
assert row["transient_rounds"] == [3, 4, 5] and len(share) == 11, row
print("straggler's share per round (slow in 3-5):", " ".join(f"{s:.2f}" for s in share))
before = (share[0] + share[1]) / 2
slow = max(share[3], share[4])
failures = []
if before <= 0.25: failures.append(f"two equal ranks should split the work (rounds 1-2: {before:.2f})")
if slow >= 0.4 * before: failures.append(f"not detected: rounds 4-5 still give the straggler {slow:.2f} (before: {before:.2f})")
for k in (9, 10, 11):
    if share[k - 1] <= 3 * slow: failures.append(f"not forgiven: round {k} gives the recovered rank {share[k - 1]:.2f}")
if failures:
    print("transient straggler: FAILED\n  " + "\n  ".join(failures)); sys.exit(1)
print("transient straggler: detected within a round, forgiven within three: OK")
PY
