#!/usr/bin/env bash
# perf-compare.sh BEFORE_BIN AFTER_BIN OUT_DIR [REPEATS]
# Runs the benchmark figures quoted in docs/performance.md with two release binaries of qnncut,
# alternating before/after REPEATS times (default 3) so that load drifts hit both alike, and
# writes one JSON file per run to OUT_DIR plus the load average next to each. Used to check
# that a refactoring leaves the measured figures within noise (issue 17).
set -euo pipefail
before=$1 after=$2 out=$3 repeats=${4:-3}
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/env.sh"
mkdir -p "$out"
run() {  # run NAME LABEL BIN ARGS...
    local name=$1 label=$2 bin=$3; shift 3
    echo "$(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg) $label $name: $*" >> "$out/commands.txt"
    "$@" > "$out/$name-$label.json"
}
for r in $(seq 1 "$repeats"); do
    for pair in "before:$before" "after:$after"; do
        label=${pair%%:*}-$r bin=${pair#*:}
        run kernels "$label" "$bin" "$bin" bench kernels --repeats 9 --max-qubits 20 --json
        run estimator-b1 "$label" "$bin" "$bin" bench estimator --ranks 1,2 --rounds 10 --batch 1 --json
        run estimator-b32g "$label" "$bin" "$bin" bench estimator --ranks 1,2 --rounds 10 --batch 32 --gradients --json
        run stragglers "$label" "$bin" mpirun -np 2 "$bin" bench stragglers --batch 32 --cuts 4 --factor 4 --json
    done
done
echo "wrote $out"
