#!/usr/bin/env bash
# Install the system packages DistributedEstimator needs, only when missing.
#
#   scripts/bootstrap.sh            OpenMPI + HDF5 + zlib (build and run)
#   scripts/bootstrap.sh --slurm    also Slurm + munge (the cluster test)
#   scripts/bootstrap.sh --tools    also shellcheck, librsvg2-bin, python3-venv (lint, chart and h5py tests)
#
# Idempotent: when everything is present it only runs dpkg queries (well under a second).
set -euo pipefail

packages=(libopenmpi-dev openmpi-bin libhdf5-dev hdf5-tools zlib1g-dev pkg-config)
for arg in "$@"; do
  case "$arg" in
    --slurm) packages+=(slurm-wlm munge) ;;
    --tools) packages+=(shellcheck librsvg2-bin python3 python3-venv) ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "bootstrap.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "bootstrap: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no (or stale) apt lists: update once before installing.
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "bootstrap: done" >&2
