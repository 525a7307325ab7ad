#!/usr/bin/env bash
# Reproduces the reference paper's measurements (issue 9) on one machine: runs the training grid
# of configs/paper/grid.txt with `mpirun -np $NP`, summarises the traces with `qnncut analyze`
# (Markdown/CSV/JSON + SVG charts), runs the scaling benchmarks, and writes the tables of
# results/README.md (between its `paper-tables` markers) from those files.
#
#   bash scripts/paper-grid.sh [all|runs|analyze|bench|report]     (default: all, in that order)
#
# Environment: QNNCUT (binary, default .build-paper/release/qnncut: build it with
# `swift build -c release --scratch-path .build-paper`), NP (ranks, default 2), GRID (the list,
# default configs/paper/grid.txt), OUT (default results/paper). Run folders land in
# $OUT/runs/<entry name>/ (traces.h5 and checkpoint.h5 are git-ignored; summary.json, the
# `qnncut train --json` line, is committed). The same list runs on Slurm, one array task per entry:
#   RESULTS_DIR=results/paper/runs sbatch --array=0-N%4 slurm/sweep.sbatch configs/paper/grid.txt
# (N from `bash slurm/sweep.sbatch configs/paper/grid.txt`), then `bash scripts/paper-grid.sh
# analyze report` (and `bench` inside an allocation: it starts mpirun).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=scripts/env.sh
source scripts/env.sh
QNNCUT=${QNNCUT:-.build-paper/release/qnncut}
NP=${NP:-2}
GRID=${GRID:-configs/paper/grid.txt}
OUT=${OUT:-results/paper}
[ -x "$QNNCUT" ] || { echo "paper-grid: no qnncut at $QNNCUT: swift build -c release --scratch-path .build-paper" >&2; exit 2; }

job_fail() { echo "paper-grid: error: $*" >&2; exit 2; }
# shellcheck source=slurm/lib/sweep-list.sh
source slurm/lib/sweep-list.sh

# log_command TEXT: every command that produced a committed file, in run order.
log_command() { printf '%s\n' "$*" >> "$OUT/commands.txt"; }

run_grid() {
  sweep_entries "$GRID"
  mkdir -p "$OUT/runs"
  local i folder started
  started=$(date +%s)
  for i in "${!sweep_configs[@]}"; do
    folder=$OUT/runs/${sweep_names[$i]}
    mkdir -p "$folder"
    # Word splitting of the entry's options is the list format (no quoting).
    # shellcheck disable=SC2206
    local command=(mpirun -np "$NP" "$QNNCUT" train "${sweep_configs[$i]}" --output "$folder" --overwrite --json ${sweep_options[$i]})
    log_command "${command[*]} > $folder/summary.json"
    printf '[%3d/%d, %4ds] %s\n' "$((i + 1))" "${#sweep_configs[@]}" "$(( $(date +%s) - started ))" "${sweep_names[$i]}" >&2
    "${command[@]}" > "$folder/summary.json" 2> "$folder/train.log" \
      || { echo "paper-grid: ${command[*]} failed; see $folder/train.log" >&2; exit 1; }
  done
}

# analyze_runs NAME PATTERN...: one `qnncut analyze` summary (md, csv, json) of the matching runs.
analyze_runs() {
  local name=$1; shift
  local files=()
  local pattern
  for pattern in "$@"; do
    for f in $OUT/runs/$pattern/traces.h5; do [ -f "$f" ] && files+=("$f"); done
  done
  [ ${#files[@]} -gt 0 ] || { echo "paper-grid: no traces match $*" >&2; exit 1; }
  local format ext
  for format in markdown csv json; do
    ext=${format/markdown/md}
    "$QNNCUT" analyze "${files[@]}" --format "$format" > "$OUT/analyze/$name.$ext"
  done
  "$QNNCUT" analyze "${files[@]}" --format markdown --plots "$OUT/charts/$name" > /dev/null
  log_command "$QNNCUT analyze $OUT/runs/{$(IFS=,; echo "$*")}/traces.h5 --format markdown|csv|json > $OUT/analyze/$name.{md,csv,json}; ... --plots $OUT/charts/$name"
}

run_analyze() {
  mkdir -p "$OUT/analyze" "$OUT/charts"
  # The paper's per-cut table: exact mode, static schedule, no straggler, full epochs.
  analyze_runs iris-exact 'iris-cuts-?_schedule_static'
  analyze_runs mnist-exact 'mnist-cuts-?_schedule_static'
  analyze_runs iris-shots 'iris-cuts-?_schedule_static_estimator.mode=shots_estimator.shots=10000'
  analyze_runs mnist-shots 'mnist-cuts-?_schedule_static_estimator.mode=shots_estimator.shots=10000'
  # Everything, for the straggler and per-rank tables.
  analyze_runs all '*'
}

run_bench() {
  mkdir -p "$OUT/bench"
  local b
  # bench estimator starts `mpirun -np N` itself for each N of --ranks.
  for b in "--batch 1" "--batch 32" "--batch 32 --gradients"; do
    local name=estimator_${b// /_}; name=${name//--/}
    # shellcheck disable=SC2086
    log_command "$QNNCUT bench estimator --ranks 1,2 --rounds 10 $b --json > $OUT/bench/$name.json"
    # shellcheck disable=SC2086
    "$QNNCUT" bench estimator --ranks 1,2 --rounds 10 $b --json > "$OUT/bench/$name.json"
  done
  for f in 4 2; do
    log_command "mpirun -np 2 $QNNCUT bench stragglers --batch 32 --cuts 4 --factor $f --json > $OUT/bench/stragglers_factor_$f.json"
    mpirun -np 2 "$QNNCUT" bench stragglers --batch 32 --cuts 4 --factor "$f" --json > "$OUT/bench/stragglers_factor_$f.json"
  done
}

run_report() {
  log_command "python3 scripts/paper-report.py $OUT results/README.md"
  python3 scripts/paper-report.py "$OUT" results/README.md
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(runs analyze bench report)
[ "${steps[*]}" != all ] || steps=(runs analyze bench report)
mkdir -p "$OUT"
# COMMIT: the commit the binary was built from (default: this checkout's HEAD; say so when the
# binary was built from a clean `git archive` of another commit).
COMMIT=${COMMIT:-$(git rev-parse --short HEAD)}
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) paper-grid.sh ${steps[*]}: QNNCUT=$QNNCUT built from $COMMIT, NP=$NP" >> "$OUT/commands.txt"
# environment.txt: machine, versions, and the load of the shared cores around every step.
if [ ! -f "$OUT/environment.txt" ]; then
  {
    echo "commit: $COMMIT"
    echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "os: Debian $(cat /etc/debian_version), $(uname -sr)"
    echo "swift: $(swift --version 2>&1 | head -1)"
    echo "mpi: $(mpirun --version | head -1)"
  } > "$OUT/environment.txt"
fi
for step in "${steps[@]}"; do
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) start $step, load average $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/environment.txt"
  case $step in
    runs) run_grid ;;
    analyze) run_analyze ;;
    bench) run_bench ;;
    report) run_report ;;
    *) echo "paper-grid: unknown step $step (all, runs, analyze, bench, report)" >&2; exit 2 ;;
  esac
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) end $step, load average $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/environment.txt"
done
