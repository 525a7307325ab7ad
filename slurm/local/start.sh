#!/usr/bin/env bash
# Start a one-node Slurm cluster (munged, slurmctld, slurmd) on this machine for CI and local
# testing: no systemd, no cgroups, everything under one folder. Idempotent: daemons that are
# already up (per their pid files) are left alone. Must run as root (slurmd launches jobs).
#
#   bash slurm/local/start.sh            then: source /tmp/qnncut-slurm/env.sh
#   bash slurm/local/stop.sh             stops exactly the daemons started here
#
# Settings (environment, optional):
#   SLURM_LOCAL_BASE        config, state, logs, munge socket        [/tmp/qnncut-slurm]
#   SLURM_LOCAL_PARTITION   the node's one (default) partition      [debug]
#   SLURM_LOCAL_CTLD_PORT, SLURM_LOCAL_SLURMD_PORT                   [6817, 6818]
#   SLURM_LOCAL_CRED_EXPIRE seconds; a requeued job restarts after this + 1 s  [10]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
base=${SLURM_LOCAL_BASE:-/tmp/qnncut-slurm}
conf=$base/etc/slurm.conf
node=$(hostname -s)
export SLURM_CONF=$conf

log() { printf '[slurm/local/start %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root: slurmd launches jobs as their owners (try: sudo bash $0)"

# Packages: the project's bootstrap installs slurm-wlm and munge when missing.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null \
    || ! command -v sbatch >/dev/null; then
  bash "$root/scripts/bootstrap.sh" --slurm || die "could not install slurm-wlm and munge (scripts/bootstrap.sh --slurm)"
fi

# running PIDFILE NAME: the pid in PIDFILE is alive (not a zombie) and its command is NAME.
running() {
  local pid state
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}
# wait_until SECONDS CMD...: poll CMD every 0.2 s.
wait_until() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

mkdir -p "$base"/{etc,munge,log,run,spool/ctld,spool/d,tmp}
chmod 755 "$base" "$base/munge"   # munged refuses a socket folder others cannot traverse
chmod 1777 "$base/tmp"            # PMIx client folders of jobs of any user

# munge: a private key and socket, so nothing of a system munge is touched.
key=$base/etc/munge.key
[ -s "$key" ] || dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
chmod 400 "$key"                  # munged refuses a key others can read
socket=$base/munge/munge.socket
if running "$base/munge/munged.pid" munged && [ -S "$socket" ]; then
  log "munged already running (pid $(cat "$base/munge/munged.pid"))"
else
  rm -f "$socket" "$socket.lock" "$base/munge/munged.pid"
  munged --socket="$socket" --key-file="$key" --log-file="$base/log/munged.log" \
         --pid-file="$base/munge/munged.pid" --seed-file="$base/munge/munged.seed"
  wait_until 10 sh -c "munge -S '$socket' -n | unmunge -S '$socket'" \
    || die "munged does not answer; see $base/log/munged.log"
  log "munged started (pid $(cat "$base/munge/munged.pid"))"
fi

# slurm.conf from the template, with this machine's CPUs and memory (from `slurmd -C`).
hardware=$(slurmd -C | head -1)
field() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$hardware"; }
cpus=$(field CPUs); mem=$(field RealMemory)
if [ -z "$cpus" ] || [ -z "$mem" ]; then die "cannot read CPUs/RealMemory from 'slurmd -C': $hardware"; fi
rendered=$(sed -e "s|@BASE@|$base|g" -e "s|@NODE@|$node|g" -e "s|@CPUS@|$cpus|g" -e "s|@MEM_MB@|$mem|g" \
               -e "s|@CTLD_PORT@|${SLURM_LOCAL_CTLD_PORT:-6817}|g" \
               -e "s|@SLURMD_PORT@|${SLURM_LOCAL_SLURMD_PORT:-6818}|g" \
               -e "s|@CRED_EXPIRE@|${SLURM_LOCAL_CRED_EXPIRE:-10}|g" \
               -e "s|@PARTITION@|${SLURM_LOCAL_PARTITION:-debug}|g" "$here/slurm.conf.in")
if grep -q '@[A-Z_]*@' <<<"$rendered"; then die "$here/slurm.conf.in: unreplaced $(grep -o '@[A-Z_]*@' <<<"$rendered" | head -1)"; fi
if [ "$(cat "$conf" 2>/dev/null)" != "$rendered" ]; then
  printf '%s\n' "$rendered" > "$conf"
  # Node and partition changes need fresh daemons (scontrol reconfigure is not enough in 22.05).
  for d in slurmctld slurmd; do
    if running "$base/run/$d.pid" "$d"; then
      log "slurm.conf changed: restarting $d"
      kill -TERM "$(cat "$base/run/$d.pid")"
      wait_until 10 sh -c "! kill -0 $(cat "$base/run/$d.pid") 2>/dev/null" || die "$d did not stop"
    fi
  done
fi

cat > "$base/env.sh" <<ENV
# Source this to use the local cluster (written by slurm/local/start.sh).
export SLURM_CONF=$conf
# Only for this CI box, where jobs run as root: OpenMPI refuses root without these.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ENV

# -c: forget jobs of an earlier run of this cluster (job ids still continue).
if running "$base/run/slurmctld.pid" slurmctld; then
  log "slurmctld already running (pid $(cat "$base/run/slurmctld.pid"))"
else
  slurmctld -f "$conf" -c
  wait_until 15 scontrol ping || die "slurmctld does not answer; see $base/log/slurmctld.log"
  log "slurmctld started (pid $(cat "$base/run/slurmctld.pid"))"
fi
if running "$base/run/slurmd.pid" slurmd; then
  log "slurmd already running (pid $(cat "$base/run/slurmd.pid"))"
else
  slurmd -f "$conf" -N "$node" -c
  wait_until 5 test -s "$base/run/slurmd.pid" || die "slurmd did not start; see $base/log/slurmd.log"
  log "slurmd started (pid $(cat "$base/run/slurmd.pid"))"
fi

# Wait for the node; one left DOWN or DRAINED by an earlier run is resumed once.
resumed=0
deadline=$(( $(date +%s) + 30 ))
while :; do
  state=$(sinfo -h -n "$node" -o %T 2>/dev/null | head -1)
  case "$state" in
    idle|mixed|allocated|completing) break ;;
    inval*) die "slurmctld rejects node $node: $(sinfo -h -n "$node" -o %E); see $base/log/slurmctld.log" ;;
    down*|drain*)
      if [ $resumed -eq 0 ]; then scontrol update NodeName="$node" State=RESUME >/dev/null 2>&1 || true; resumed=1; fi ;;
  esac
  [ "$(date +%s)" -lt "$deadline" ] || die "node $node is '$state' after 30 s; see $base/log/slurmd.log"
  sleep 0.2
done
log "cluster ready: partition ${SLURM_LOCAL_PARTITION:-debug}, node $node, $cpus CPUs; source $base/env.sh"
