#!/bin/bash
# Issue 14's 16-rank targets, ready for the next session that draws the 16-core node:
#   bash /work/shared/tools/device-kit/make-bundle.sh      (packs qnncut into .device/)
#   run: carry [".device"], timeout_s 560, command
#   "OUT=$OUT bash results/stragglers/device-run.sh >/dev/null 2>&1; tail -c 11000 $OUT/log.txt"
# Both families of the issue at np 16 (three repeats each, so a median exists), the transient
# straggler at np 16, and np 8 for the trend; every JSON report lands in $OUT/stragglers.jsonl in
# the format of runs.jsonl, so `python3 results/stragglers/summarize.py` reads it unchanged.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"; LOG=$OUT/log.txt; exec > >(tee -a "$LOG") 2>&1
T0=$(date +%s); DEADLINE=${DEADLINE:-480}
left() { [ $(( $(date +%s) - T0 )) -lt $DEADLINE ]; }
step() { echo; echo "=== $(( $(date +%s) - T0 ))s: $*"; }
tar -xJf .device/qnncut-bundle.tar.xz -C / --skip-old-files --keep-directory-symlink 2>&1 | tail -3
ldconfig
export PATH=/opt/qnncut/bin:$PATH Q=/opt/qnncut/qnncut
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader
lscpu | grep -E "Model name|^CPU\(s\)|MHz"
J=$OUT/stragglers.jsonl; : > "$J"
run() {  # tag, np, bench arguments
    local tag=$1 np=$2; shift 2
    left || return
    local line
    line=$(timeout 90 mpirun -np "$np" $Q bench stragglers "$@" --json | tail -n 1)
    [ -n "$line" ] && printf '{"tag": "%s", "args": "-np %s %s", "report": %s}\n' "$tag" "$np" "$*" "$line" >> "$J"
    echo "$tag np $np: rc=$?"
}
for r in 1 2 3; do
    step "repeat $r"
    run n8 16 --rounds 9
    run n16 16 --qubits 16 --batch 16 --rounds 5 --policies static,dynamic,speculative,adaptive
done
step "transient, np 16"
run transient 16 --policies speculative,adaptive --transient 5-10 --rounds 15
step "random rounds, np 16"
run random 16 --policies dynamic,speculative,adaptive --random-rounds 0.3 --rounds 60
step "np 8"
run n8 8 --rounds 9
run n16 8 --qubits 16 --batch 16 --rounds 5 --policies static,dynamic,speculative,adaptive
step "summary"
python3 - "$J" <<'PY'
import json, statistics, sys
from collections import defaultdict
rows = defaultdict(list)
for line in open(sys.argv[1]):
    e = json.loads(line)
    for r in e["report"]["rows"]:
        rows[(e["tag"], r["ranks"], r["policy"])].append(r)
for (tag, np, policy), rs in sorted(rows.items()):
    m = lambda k: round(statistics.median(r[k] for r in rs), 3)
    print(tag, np, policy, "vs_ideal", m("vs_ideal"), "none", m("vs_ideal_no_straggler"),
          "train x", m("training_slowdown"), "cores", rs[0]["cores"], "n", len(rs))
    if all("stages_no_straggler" in r for r in rs):  # rank 0's stages, ms: where the time goes
        st = lambda k: "/".join(f"{1e3 * statistics.median(r[k][s] for r in rs):.2f}"
                                for s in ("generate", "execute", "wait", "reconstruct"))
        print("  ms ideal", round(1e3 * statistics.median(r["ideal_s_no_straggler"] for r in rs), 2),
              "gen/exec/wait/recon none", st("stages_no_straggler"), "straggler", st("stages_straggler"))
    if tag == "random":  # medians of slow rounds / rounds right after one / the rest
        slow = set(rs[0]["transient_rounds"]); g = ([], [], [])
        for k, x in enumerate(rs[0]["per_round_vs_ideal"]):
            g[0 if k + 1 in slow else 1 if k in slow else 2].append(x)
        print("  slow/after/other", [round(statistics.median(v), 3) if v else None for v in g])
    if tag == "transient":
        print("  per round", [round(v, 2) for v in rs[0]["per_round_vs_ideal"]])
        print("  share    ", [round(v, 2) for v in rs[0]["per_round_straggler_share"]])
PY
step done
