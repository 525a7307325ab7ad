#!/usr/bin/env bash
# The Slurm test (run at the end of scripts/test.sh): start the project's one-node cluster
# (slurm/local/start.sh), submit the real slurm/train.sbatch and slurm/sweep.sbatch with
# `sbatch --wait` on tiny Iris runs, check every results folder with h5dump, requeue a running
# job and check from its traces and checkpoint that it resumed, then stop the cluster (also on
# failure or interrupt). Skips only where Slurm cannot be installed or started (no root/sudo).
#   QNNCUT=/path/to/qnncut   test that binary (default: a debug build, built when needed,
#                            in SCRATCH_PATH if set, else .build)
#   KEEP=1                   keep the scratch folder (job logs, results) even when all pass
# Ends with one line 'N passed, M failed'; exits non-zero on any failure.

# Compound checks are written `check NAME eval '...'`: expanded when the check runs, on purpose.
# shellcheck disable=SC2016
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD

passed=0
failed=0
cluster_started=0
work=
as_root=()
pass() { passed=$((passed + 1)); echo "  ok    $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL  $1"; }
# check NAME CMD...: one assertion.
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
skip() { echo "slurm tests skipped: $*"; exit 0; }   # on_exit prints '0 passed, 0 failed'

on_exit() {
  local status=$?
  trap - EXIT INT TERM
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then fail "test script aborted (exit $status)"; fi
  if [ $cluster_started = 1 ]; then "${as_root[@]}" bash slurm/local/stop.sh 2>/dev/null; fi
  if [ -n "$work" ]; then
    if [ "$failed" -eq 0 ] && [ "${KEEP:-0}" != 1 ]; then rm -rf "$work"; else echo "job logs and results kept in $work"; fi
  fi
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] || exit 1
  exit 0
}
trap on_exit EXIT
trap 'exit 130' INT TERM

echo "== slurm: sbatch scripts on a local one-node cluster"

# --- Can Slurm run here? (slurmd must be root to launch jobs.)
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then as_root=(sudo -n); else skip "slurmd needs root, and passwordless sudo is not available"; fi
fi
if ! "${as_root[@]}" bash scripts/bootstrap.sh --slurm; then
  skip "slurm-wlm and munge cannot be installed here (scripts/bootstrap.sh --slurm failed)"
fi

# --- One Slurm test at a time on this machine: they share the cluster folder and its ports.
lock=/tmp/qnncut-slurm-test.lock
if [ ! -e "$lock" ]; then : > "$lock" && chmod 666 "$lock"; fi
exec 9<"$lock"
flock -w 600 9 || { fail "another scripts/test-slurm.sh held $lock for 10 minutes"; exit 1; }

# --- The binary under test.
if [ -z "${QNNCUT:-}" ]; then
  scratch=()
  if [ -n "${SCRATCH_PATH:-}" ]; then scratch=(--scratch-path "$SCRATCH_PATH"); fi
  swift build "${scratch[@]}" --product qnncut >/dev/null || { fail "swift build --product qnncut"; exit 1; }
  QNNCUT=$(swift build "${scratch[@]}" --show-bin-path)/qnncut
fi
export QNNCUT
work=$(mktemp -d /tmp/qnncut-slurm-test.XXXXXX)
mkdir -p "$work/logs"
export RESULTS_DIR=$work/results

# --- Cluster.
cluster_started=1
if ! "${as_root[@]}" bash slurm/local/start.sh; then fail "slurm/local/start.sh starts the cluster"; exit 1; fi
pass "slurm/local/start.sh starts the cluster"
# shellcheck source=/dev/null
source "${SLURM_LOCAL_BASE:-/tmp/qnncut-slurm}/env.sh"

# --- Helpers.
# submit_wait LOG SBATCH_ARGS...: sbatch --wait; sets job_id and job_status.
submit_wait() {
  local log=$1; shift
  job_status=0
  job_id=$(timeout 300 sbatch --wait --parsable --output="$work/logs/$log" "$@") || job_status=$?
  job_id=${job_id%%;*}
}
h5_attr() { h5dump -a "$2" "$1" 2>/dev/null | sed -n 's/^ *(0): //p' | tr -d '"'; }
h5_rows() { h5dump -H -d "$2" "$1" 2>/dev/null | sed -n 's/.*DATASPACE  SIMPLE { ( \([0-9]*\) ).*/\1/p' | head -1; }
h5_first_step() { h5dump -d /steps -s 0 -c 1 "$1" 2>/dev/null | awk '/\(0\): \{/ { getline; gsub(/[ ,]/, ""); print; exit }'; }
# run_complete FOLDER EPOCHS: traces and checkpoint of a finished run of EPOCHS epochs.
run_complete() {
  local folder=$1 epochs=$2 step
  step=$(h5_attr "$folder/checkpoint.h5" /step)
  [ -n "$step" ] && [ "$step" -gt 0 ] && [ "$(h5_attr "$folder/checkpoint.h5" /epoch)" = "$epochs" ] \
    && [ "$(h5_rows "$folder/traces.h5" /steps)" = "$step" ] && [ "$(h5_rows "$folder/traces.h5" /epochs)" = "$epochs" ]
}
# wait_finished JOB SECONDS: until the job's final record (jobcomp) appears; prints its state.
wait_finished() {
  local deadline=$(( $(date +%s) + $2 )) record
  while [ "$(date +%s)" -lt "$deadline" ]; do
    record=$(grep "^JobId=$1 " "${SLURM_LOCAL_BASE:-/tmp/qnncut-slurm}/log/jobcomp.log" 2>/dev/null \
             | grep -oE 'JobState=(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED)' | tail -1)
    if [ -n "$record" ]; then echo "${record#JobState=}"; return 0; fi
    sleep 0.5
  done
  echo "still running after $2 s"
}

# headers_in_effect JOB_INFO SCRIPT: `scontrol show job` of a job submitted with SCRIPT's defaults.
headers_in_effect() {
  grep -q "JobName=qnncut-$2" <<<"$1" && grep -q "Requeue=1 " <<<"$1" && grep -q "TimeLimit=01:00:00" <<<"$1" \
    && grep -q "NumNodes=1-1 NumCPUs=2 NumTasks=2 CPUs/Task=1" <<<"$1"
}

# --- 0. The #SBATCH headers are in effect (held submissions, never started).
for script in train sweep; do
  held=$(sbatch --parsable --hold --array=0 --output="$work/logs/held.out" "slurm/$script.sbatch" slurm/tests/sweep.txt)
  info=$(scontrol show job "${held%%;*}")
  scancel "${held%%;*}"
  check "$script.sbatch headers: name, requeue, 1 hour, 1 node, 2 tasks of 1 CPU" headers_in_effect "$info" "$script"
done

# --- 1. train.sbatch, 2 ranks through srun --mpi=pmix.
tiny=(configs/iris.yaml --set training.epochs=2)
submit_wait train.out --ntasks=2 slurm/train.sbatch "${tiny[@]}"
train_out=$RESULTS_DIR/$job_id
check "train.sbatch (srun, 2 ranks): sbatch --wait exits 0" [ "$job_status" -eq 0 ]
check "train.sbatch: results/<job id>/ holds a finished 2-epoch run" run_complete "$train_out" 2
check "train.sbatch: the run used 2 ranks" [ "$(h5_attr "$train_out/traces.h5" /world_size)" = 2 ]
check "train.sbatch: log shows the srun --mpi=pmix launch and the summary" \
  grep -q "srun --mpi=pmix.*train configs/iris.yaml" "$work/logs/train.out"
steps_per_epoch=$(( $(h5_attr "$train_out/checkpoint.h5" /step) / 2 ))

# --- 2. The mpirun alternative.
LAUNCHER=mpirun submit_wait mpirun.out --ntasks=2 slurm/train.sbatch "${tiny[@]}"
check "train.sbatch (LAUNCHER=mpirun): exits 0 with a finished 2-rank run" \
  eval '[ "$job_status" -eq 0 ] && run_complete "$RESULTS_DIR/$job_id" 2 && [ "$(h5_attr "$RESULTS_DIR/$job_id/traces.h5" /world_size)" = 2 ]'

# --- 3. Manual resubmission into an existing run folder.
OUTPUT=$train_out submit_wait again.out slurm/train.sbatch "${tiny[@]}"
check "train.sbatch: a folder that holds a run is refused without RESUME=1" \
  eval '[ "$job_status" -ne 0 ] && grep -q "already holds a run: resubmit with RESUME=1" "$work/logs/again.out"'
OUTPUT=$train_out RESUME=1 submit_wait resume.out --ntasks=1 slurm/train.sbatch configs/iris.yaml --set training.epochs=3
check "train.sbatch: RESUME=1 continues the run from step $((2 * steps_per_epoch)) to epoch 3" \
  eval '[ "$job_status" -eq 0 ] && [ "$(h5_attr "$train_out/checkpoint.h5" /step)" = $((3 * steps_per_epoch)) ] &&
        [ "$(h5_attr "$train_out/traces.h5" /resumed_from_step)" = $((2 * steps_per_epoch)) ]'

# --- 4. sweep.sbatch over a list file: two array tasks, 1 rank each (they run side by side).
listing=$(bash slurm/sweep.sbatch slurm/tests/sweep.txt)
check "sweep.sbatch outside Slurm prints the --array range" grep -q "sbatch --array=0-1 " <<<"$listing"
check "sweep.sbatch outside Slurm lists one results folder per entry" \
  [ "$(grep -c "results/iris_training.epochs=2_model.cuts=[12] " <<<"$listing")" = 2 ]
grid=$(bash slurm/sweep.sbatch slurm/paper-grid.txt)
grid_status=$?
check "sweep.sbatch: slurm/paper-grid.txt names only existing configs" [ "$grid_status" -eq 0 ]
check "sweep.sbatch: slurm/paper-grid.txt is the 10-task grid iris/mnist-cuts-0..4" \
  eval 'grep -q "sbatch --array=0-9 " <<<"$grid" && grep -q "results/mnist-cuts-4  configs/mnist-cuts-4.yaml" <<<"$grid"'
printf 'missing.yaml\n' > "$work/missing.txt"
check "sweep.sbatch: a list naming a missing config is refused before submission" \
  eval '! bash slurm/sweep.sbatch "$work/missing.txt" >/dev/null 2>&1'
mkdir -p "$work/grid" && touch "$work/grid/b.yml" "$work/grid/a.yaml" "$work/grid/notes.txt"
grid=$(bash slurm/sweep.sbatch "$work/grid" | awk '$1 ~ /^[0-9]+$/ { print $3 }' | tr '\n' ' ')
check "sweep.sbatch: a folder LIST gives its *.yaml and *.yml configs in name order" \
  [ "$grid" = "$work/grid/a.yaml $work/grid/b.yml " ]
printf 'x.yaml --set a=1\n# comment\n\nx.yaml   --set a=1  # again\n' > "$work/duplicates.txt"
duplicates=$(bash slurm/sweep.sbatch "$work/duplicates.txt" 2>&1)
check "sweep.sbatch: two entries with one results folder are refused" \
  grep -q "entries 0 and 1 both name the run folder x_a=1" <<<"$duplicates"
submit_wait sweep-%a.out --array=0-1 --ntasks=1 slurm/sweep.sbatch slurm/tests/sweep.txt
check "sweep.sbatch --array=0-1: sbatch --wait exits 0" [ "$job_status" -eq 0 ]
for cuts in 1 2; do
  folder=$RESULTS_DIR/iris_training.epochs=2_model.cuts=$cuts
  check "sweep.sbatch: task $((cuts - 1)) finished results/$(basename "$folder")/ with $cuts cut(s)" \
    eval 'run_complete "$folder" 2 && [ "$(h5_attr "$folder/traces.h5" /plans/0/cuts)" = $cuts ]'
done

# --- 5. Clear failures.
submit_wait outside.out --array=2 slurm/sweep.sbatch slurm/tests/sweep.txt
check "sweep.sbatch: a task beyond the list fails, naming the range" \
  eval '[ "$job_status" -ne 0 ] && grep -q "has 2 entries: use --array=0-1" "$work/logs/outside.out"'
mkdir -p "$work/checkout" && ln -s "$root/slurm" "$work/checkout/slurm"
QNNCUT='' QNNCUT_ROOT=$work/checkout submit_wait nobinary.out slurm/train.sbatch "${tiny[@]}"
check "train.sbatch: a missing qnncut binary fails, naming the path and the build command" \
  eval '[ "$job_status" -ne 0 ] && grep -q "no qnncut binary at $work/checkout/.build/release/qnncut: build it with" "$work/logs/nobinary.out"'

# --- 6. Requeue a running job (scontrol requeue), and the time-limit warning (USR1 to the batch
# shell, what `#SBATCH --signal=B:USR1@300` makes Slurm send): both must resume from the
# checkpoint, not restart. Both jobs run side by side, 1 rank each.
# The injected straggler delay (0.1 ms per work unit) keeps these runs ~10 s long even with a
# release binary, so they are still training when requeued.
epochs=20
submit_long() {  # submit_long LOG: a 20-epoch run that checkpoints every 2 steps; prints the job id
  local id
  id=$(sbatch --parsable --ntasks=1 --output="$work/logs/$1" slurm/train.sbatch configs/iris.yaml \
       --set training.epochs=$epochs --set checkpoint.every_steps=2 --straggler-ranks 0 --straggler-delay 0.0001)
  echo "${id%%;*}"
}
requeued=$(submit_long requeue.out)
signalled=$(submit_long signal.out)
for id in "$requeued" "$signalled"; do
  deadline=$(( $(date +%s) + 60 ))
  until [ -n "$(h5_attr "$RESULTS_DIR/$id/checkpoint.h5" /step)" ] || [ "$(date +%s)" -ge "$deadline" ]; do sleep 0.2; done
done
sleep 1   # a few more steps, so the trace outruns the checkpoint
check "scontrol requeue $requeued while it trains" scontrol requeue "$requeued"
check "scancel --signal=USR1 --batch $signalled (the time-limit warning) while it trains" \
  scancel --signal=USR1 --batch "$signalled"
# Each starts again after cred_expire + 1 s (11 s here). Forcing StartTime=now is no shortcut:
# slurmctld then kills the job ("Job credential revoked").
for id in "$requeued" "$signalled"; do
  how=$([ "$id" = "$requeued" ] && echo "requeued job" || echo "job warned of its time limit")
  log=$work/logs/$([ "$id" = "$requeued" ] && echo requeue.out || echo signal.out)
  folder=$RESULTS_DIR/$id
  state=$(wait_finished "$id" 120)
  check "$how: completes (state $state)" [ "$state" = COMPLETED ]
  check "$how: the run folder keeps the first start's trace as traces.segment-1.h5" \
    eval '[ "$(h5_attr "$folder/traces.segment-1.h5" /resumed_from_step)" = -1 ]'
  resumed=$(h5_attr "$folder/traces.h5" /resumed_from_step)
  first_rows=$(h5_rows "$folder/traces.segment-1.h5" /steps)
  final=$(h5_attr "$folder/checkpoint.h5" /step)
  check "$how: the second start resumed from step $resumed, a checkpoint the first start reached ($first_rows steps traced)" \
    eval '[ -n "$resumed" ] && [ "$resumed" -gt 0 ] && [ "$resumed" -le "$first_rows" ]'
  check "$how: its trace starts at step $((resumed + 1)) and holds only the remaining steps" \
    eval '[ "$(h5_first_step "$folder/traces.h5")" = $((resumed + 1)) ] && [ "$(h5_rows "$folder/traces.h5" /steps)" = $((final - resumed)) ]'
  check "$how: the checkpoint reached all $((epochs * steps_per_epoch)) steps of $epochs epochs" \
    [ "$final" = $((epochs * steps_per_epoch)) ]
  check "$how: slurm-jobs.log records start 1 fresh and start 2 (restart 1) with --resume" \
    eval 'grep -q "restart=0 resume=no" "$folder/slurm-jobs.log" && grep -q "restart=1 resume=yes .* --resume" "$folder/slurm-jobs.log"'
  check "$how: --open-mode=append kept both starts in one log" \
    eval 'grep -q "start 1 on" "$log" && grep -q "start 2 on" "$log"'
done
check "job warned of its time limit: it requeued itself" \
  eval 'grep -q "time limit near: requeue$" "$RESULTS_DIR/$signalled/slurm-jobs.log" && grep -q "time limit near: requeueing" "$work/logs/signal.out"'
