#!/usr/bin/env bash
# Stop the one-node cluster started by slurm/local/start.sh. Idempotent. Cancels its jobs, then
# stops slurmctld, slurmd and munged by the pids in their pid files (after checking each
# process's name), so nothing else on the machine is touched.
#   SLURM_LOCAL_BASE     [/tmp/qnncut-slurm]
#   SLURM_LOCAL_PURGE=1  also delete the folder (config, state, logs)
set -uo pipefail

base=${SLURM_LOCAL_BASE:-/tmp/qnncut-slurm}
export SLURM_CONF=$base/etc/slurm.conf
log() { printf '[slurm/local/stop %s] %s\n' "$(date +%T)" "$*" >&2; }

# alive PID NAME: running, not a zombie, and named NAME.
alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && [ "$state" != X ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}
# stop PIDFILE NAME: SIGTERM, up to 10 s, then SIGKILL.
stop() {
  local pid
  pid=$(cat "$1" 2>/dev/null)
  if [ -z "$pid" ] || ! alive "$pid" "$2"; then rm -f "$1"; return 0; fi
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 100); do alive "$pid" "$2" || break; sleep 0.1; done
  if alive "$pid" "$2"; then log "$2 ($pid) ignored SIGTERM for 10 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null; fi
  rm -f "$1"
  log "$2 ($pid) stopped"
}

# Jobs first, so no job steps outlive the daemons (KillWait=5: gone within ~6 s).
ctld_pid=$(cat "$base/run/slurmctld.pid" 2>/dev/null)
if [ -n "$ctld_pid" ] && alive "$ctld_pid" slurmctld; then
  mapfile -t jobs < <(squeue -h -o %A 2>/dev/null)
  if [ ${#jobs[@]} -gt 0 ]; then
    log "cancelling jobs ${jobs[*]}"
    scancel "${jobs[@]}" 2>/dev/null
    for _ in $(seq 1 40); do
      [ -z "$(squeue -h -o %A 2>/dev/null | head -1)" ] && break
      sleep 0.5
    done
  fi
fi

# slurmctld before slurmd: the other order leaves slurmctld waiting on an RPC for seconds.
stop "$base/run/slurmctld.pid" slurmctld
stop "$base/run/slurmd.pid" slurmd
stop "$base/munge/munged.pid" munged
rm -f "$base/munge/munge.socket" "$base/munge/munge.socket.lock"

if [ "${SLURM_LOCAL_PURGE:-0}" = 1 ]; then rm -rf "$base"; log "removed $base"; fi
exit 0
