# shellcheck shell=bash
# The body both sbatch scripts share, sourced inside a running job: find qnncut, decide whether
# this start resumes, record the start in the run folder, launch the ranks, and requeue the job
# shortly before its time limit. Reads (all optional):
#   QNNCUT       the qnncut binary                         [<checkout>/.build/release/qnncut]
#   LAUNCHER     srun (default) or mpirun
#   SRUN_MPI     srun's --mpi plugin                        [pmix]
#   RESUME=1     also resume on a first start (a manual resubmission of an unfinished run)
# Needs: qnncut_root (the checkout) set by the caller.

job_fail() { echo "qnncut job: error: $*" >&2; exit 2; }

# qnncut_binary: the executable path, or a failure that says how to get one.
qnncut_binary() {
  local bin=${QNNCUT:-$qnncut_root/.build/release/qnncut}
  if [ ! -x "$bin" ]; then
    if [ -n "${QNNCUT:-}" ]; then
      job_fail "QNNCUT=$bin is not an executable file"
    fi
    job_fail "no qnncut binary at $bin: build it with 'swift build -c release' in $qnncut_root, or set QNNCUT=/path/to/qnncut"
  fi
  printf '%s\n' "$bin"
}

# job_record TEXT: one line in the run folder's slurm-jobs.log.
job_record() {
  printf '%s job=%s task=%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${SLURM_JOB_ID:-}" \
    "${SLURM_ARRAY_TASK_ID:--}" "$*" >> "$job_folder/slurm-jobs.log"
}

# requeue_before_time_limit: the USR1 handler. With `#SBATCH --signal=B:USR1@SECONDS` Slurm sends
# USR1 to this shell SECONDS before the time limit; requeueing then lets the run continue from its
# checkpoint in a new allocation. Only when this start wrote a checkpoint: otherwise a requeue
# would repeat the same steps forever.
requeue_before_time_limit() {
  local checkpoint=$job_folder/checkpoint.h5
  if [ -f "$checkpoint" ] && [ "$(stat -c %Y "$checkpoint")" -ge "$job_started" ]; then
    echo "qnncut job $SLURM_JOB_ID: time limit near: requeueing to continue from $checkpoint"
    job_record "time limit near: requeue"
    scontrol requeue "$SLURM_JOB_ID" \
      || echo "qnncut job $SLURM_JOB_ID: scontrol requeue failed; resubmit with RESUME=1 (slurm/README.md)" >&2
  else
    echo "qnncut job $SLURM_JOB_ID: time limit near, but no checkpoint since this start: not requeueing" \
      "(raise --time or lower checkpoint.every_steps)" >&2
    job_record "time limit near: no checkpoint since this start, no requeue"
  fi
}

# run_training CONFIG RUN_FOLDER [QNNCUT_TRAIN_OPTIONS...]: one training run over the job's ranks.
# A restarted job (requeue, preemption, node failure: SLURM_RESTART_COUNT > 0) passes --resume,
# so qnncut continues from RUN_FOLDER/checkpoint.h5 instead of starting again.
run_training() {
  local config=$1 bin restarts=${SLURM_RESTART_COUNT:-0} resume=()
  job_folder=$2; shift 2
  bin=$(qnncut_binary)
  [ -f "$config" ] || job_fail "config $config not found (relative paths start at $PWD)"
  if [ "$restarts" -gt 0 ] || [ "${RESUME:-0}" = 1 ]; then
    resume=(--resume)
  elif [ -e "$job_folder/traces.h5" ] || [ -e "$job_folder/checkpoint.h5" ]; then
    job_fail "$job_folder already holds a run: resubmit with RESUME=1 to continue it, or move it away"
  fi

  local launch
  case "${LAUNCHER:-srun}" in
    srun) launch=(srun --mpi="${SRUN_MPI:-pmix}" --kill-on-bad-exit=1) ;;
    # OpenMPI's mpirun reads the Slurm allocation: one rank per task, on the job's nodes.
    mpirun) launch=(mpirun) ;;
    *) job_fail "LAUNCHER=$LAUNCHER: use srun or mpirun" ;;
  esac
  local command=("${launch[@]}" "$bin" train "$config" --output "$job_folder" "${resume[@]}" "$@")

  mkdir -p "$job_folder"
  job_started=$(date +%s)
  job_record "restart=$restarts resume=$([ ${#resume[@]} -gt 0 ] && echo yes || echo no)" \
    "node=${SLURMD_NODENAME:-$(hostname -s)} ranks=${SLURM_NTASKS:-?} command=${command[*]}"
  echo "qnncut job ${SLURM_JOB_ID:-}: start $((restarts + 1)) on ${SLURM_JOB_NODELIST:-?}: ${command[*]}"

  # In the background, so the USR1 handler runs while the ranks work (bash defers traps until a
  # foreground command ends); `wait` returns early for each handled signal.
  trap 'job_signalled=1; requeue_before_time_limit' USR1
  "${command[@]}" &
  local pid=$! status
  while :; do
    job_signalled=0 status=0
    wait "$pid" || status=$?
    [ "$job_signalled" = 1 ] || break
  done
  trap - USR1
  if [ $status -ne 0 ]; then echo "qnncut job ${SLURM_JOB_ID:-}: '${command[*]}' exited with $status" >&2; fi
  return $status
}
