#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build in release mode, run the main job.
#   RANKS=4 scripts/run.sh        more ranks (oversubscribed when above the core count)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
source scripts/env.sh
swift build -c release
# The main job. (The training issue replaces it with the default training run.)
exec mpirun --oversubscribe -np "${RANKS:-2}" .build/release/qnncut info
