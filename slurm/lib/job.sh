# shellcheck shell=bash
# The body both sbatch scripts share, sourced inside a running job: find qnncut, decide whether
# this start resumes, record the start in the run folder, launch the ranks. Reads (all optional):
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

# run_training CONFIG RUN_FOLDER [QNNCUT_TRAIN_OPTIONS...]: one training run over the job's ranks.
# A restarted job (requeue, preemption, node failure: SLURM_RESTART_COUNT > 0) passes --resume,
# so qnncut continues from RUN_FOLDER/checkpoint.h5 instead of starting again.
run_training() {
  local config=$1 out=$2; shift 2
  local bin restarts=${SLURM_RESTART_COUNT:-0} resume=()
  bin=$(qnncut_binary)
  [ -f "$config" ] || job_fail "config $config not found (relative paths start at $PWD)"
  if [ "$restarts" -gt 0 ] || [ "${RESUME:-0}" = 1 ]; then
    resume=(--resume)
  elif [ -e "$out/traces.h5" ] || [ -e "$out/checkpoint.h5" ]; then
    job_fail "$out already holds a run: resubmit with RESUME=1 to continue it, or move it away"
  fi

  local launch
  case "${LAUNCHER:-srun}" in
    srun) launch=(srun --mpi="${SRUN_MPI:-pmix}" --kill-on-bad-exit=1) ;;
    # OpenMPI's mpirun reads the Slurm allocation: one rank per task, on the job's nodes.
    mpirun) launch=(mpirun) ;;
    *) job_fail "LAUNCHER=$LAUNCHER: use srun or mpirun" ;;
  esac
  local command=("${launch[@]}" "$bin" train "$config" --output "$out" "${resume[@]}" "$@")

  mkdir -p "$out"
  printf '%s job=%s task=%s restart=%s resume=%s node=%s ranks=%s command=%s\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${SLURM_JOB_ID:-}" "${SLURM_ARRAY_TASK_ID:--}" "$restarts" \
    "$([ ${#resume[@]} -gt 0 ] && echo yes || echo no)" "${SLURMD_NODENAME:-$(hostname -s)}" \
    "${SLURM_NTASKS:-?}" "${command[*]}" >> "$out/slurm-jobs.log"
  echo "qnncut job ${SLURM_JOB_ID:-}: start $((restarts + 1)) on ${SLURM_JOB_NODELIST:-?}: ${command[*]}"

  local status=0
  "${command[@]}" || status=$?
  if [ $status -ne 0 ]; then echo "qnncut job ${SLURM_JOB_ID:-}: '${command[*]}' exited with $status" >&2; fi
  return $status
}
