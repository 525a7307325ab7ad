#!/usr/bin/env bash
# The Aer reference executor's agreement tests (bench/executors/test_aer.py), in a venv this script
# creates under .build/aer-venv (kept between runs; pip is skipped when the pinned versions are
# already there). Part of scripts/test.sh. A failed venv or pip install FAILS the run (exit 1):
# these tests are never skipped silently.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
venv=.build/aer-venv
# The versions the reference vectors in Tests/Fixtures were produced with (bench/peer uses the same).
pins=(qiskit==2.6.2 qiskit-aer==0.18.2 numpy==2.4.6)

if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv" || { echo "bench/executors/test.sh: FAILED: python3 -m venv $venv (install python3-venv)" >&2; exit 1; }
fi
if ! "$venv/bin/python" -c "import qiskit, qiskit_aer, numpy, sys; sys.exit(0 if (qiskit.__version__, qiskit_aer.__version__, numpy.__version__) == ('2.6.2', '0.18.2', '2.4.6') else 1)" 2>/dev/null; then
    echo "bench/executors/test.sh: installing ${pins[*]} into $venv (at most 15 minutes)"
    if ! timeout 900 "$venv/bin/pip" install --quiet --disable-pip-version-check --timeout 60 "${pins[@]}"; then
        echo "bench/executors/test.sh: FAILED: pip could not install ${pins[*]} into $venv" >&2
        exit 1
    fi
fi
# qnncut under mpirun: the workstation OpenMPI settings (root, loopback).
# shellcheck source=scripts/env.sh
source scripts/env.sh
PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" bench/executors/test_aer.py
