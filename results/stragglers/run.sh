#!/usr/bin/env bash
# The straggler study of issue 14 on this (2-core) machine: `qnncut bench stragglers` for both
# families of the issue at np 2 and np 4 (oversubscribed), every policy, repeated REPEATS times
# in alternation (the machine is shared: single runs vary by ±10 %), plus a transient straggler
# and one that is slow in random rounds.
# Raw rows go to runs.jsonl (one JSON report per line, tagged); summarize.py writes the tables.
# Usage: bash results/stragglers/run.sh [REPEATS]   (release build first: swift build -c release)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/env.sh
repeats=${1:-5}
out=results/stragglers/runs.jsonl
: > "$out"
q=.build/release/qnncut
run() {  # tag, then bench arguments
    local tag=$1; shift
    local line
    line=$($q bench stragglers "$@" --json | tail -n 1)
    printf '{"tag": "%s", "args": "%s", "report": %s}\n' "$tag" "$*" "$line" >> "$out"
}
{ date -u; uname -a; nproc; git rev-parse HEAD; uptime; } > results/stragglers/environment.txt
for r in $(seq "$repeats"); do
    echo "repeat $r/$repeats: $(uptime)" >&2
    run n8 --ranks 2,4 --rounds 9
    run n16 --ranks 2,4 --qubits 16 --batch 16 --rounds 5 --policies static,dynamic,speculative,adaptive
    run transient --ranks 2 --policies speculative,adaptive --transient 5-10 --rounds 15
    run random --ranks 2 --policies dynamic,speculative,adaptive --random-rounds 0.3 --rounds 60
done
uptime >> results/stragglers/environment.txt
python3 results/stragglers/summarize.py results/stragglers/runs.jsonl > results/stragglers/tables.md
