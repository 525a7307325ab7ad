#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, and run every test (what CI runs):
# unit tests, multi-rank MPI integration tests (mpirun -np 1/2/3), HDF5 crash tests, the Python
# trace reader (pip installs ./python from PyPI into .venv-traces/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --tools --slurm
source scripts/env.sh
# The integration tests launch the built qnncut, so build the executable first.
swift build
swift test "$@"
# Timing-dependent checks run alone, after the parallel suites.
bash scripts/test-stragglers.sh
# The Qiskit Aer reference executor against the built-in shot mode and noise model (its own venv).
bash bench/executors/test.sh
bash scripts/test-python.sh
bash scripts/test-slurm.sh
