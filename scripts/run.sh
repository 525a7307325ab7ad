#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build in release mode, run the main job.
#   RANKS=4 scripts/run.sh        more ranks (oversubscribed when above the core count)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
source scripts/env.sh
swift build -c release
# The main job: train the default QNN (Iris, 2 cuts) into results/iris/. --overwrite makes the
# script repeatable; extra arguments pass through (e.g. --json, --set training.epochs=5).
exec mpirun --oversubscribe -np "${RANKS:-2}" .build/release/qnncut train configs/iris.yaml --overwrite "$@"
