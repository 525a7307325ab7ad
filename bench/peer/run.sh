#!/usr/bin/env bash
# Peer benchmark: qiskit-addon-cutting + Aer against `qnncut bench estimator`, on the same
# configurations in the same run (interleaved per cut count). Writes results/peer/{qiskit.json,
# qnncut.json,README.md} and prints the combined table. Not part of CI.
#
# Usage: bench/peer/run.sh [qiskit_cutting_bench.py options, e.g. --cuts 0,1,2 --repeats ...]
# Environment: QNNCUT=/path/to/qnncut uses that binary instead of a release build in .build-peer.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

venv=.venv-peer
# The versions the reference vectors in Tests/Fixtures were produced with.
pins=(qiskit==2.6.2 qiskit-aer==0.18.2 qiskit-addon-cutting==0.10.0 numpy==2.4.6)

if [[ ! -x "$venv/bin/python" ]] && ! python3 -m venv "$venv"; then
    echo "skipped: python3 -m venv $venv failed (no python3 venv support)"
    exit 0
fi
# Pinned requirements that are already installed need no registry access.
if ! "$venv/bin/pip" install --quiet --disable-pip-version-check --timeout 30 "${pins[@]}"; then
    echo "skipped: pip could not install ${pins[*]} into $venv (is the package registry reachable?)"
    exit 0
fi

# qnncut bench estimator runs itself under mpirun: the workstation OpenMPI settings (root, loopback).
# shellcheck source=scripts/env.sh
source scripts/env.sh

if [[ -n "${QNNCUT:-}" ]]; then
    qnncut="$QNNCUT"
    build="qnncut: $qnncut (given by QNNCUT)"
else
    # Build the committed HEAD in a worktree of its own: other engineers edit Sources/ in this
    # checkout while we build ("input file ... was modified during the build").
    src=.build-peer-src
    head="$(git rev-parse HEAD)"
    if [[ -e "$src/.git" ]]; then
        git -C "$src" checkout --quiet --detach "$head"
    else
        git worktree prune
        git worktree add --quiet --detach "$src" "$head"
    fi
    echo "building qnncut at ${head:0:7} (swift build -c release --scratch-path .build-peer in $src) ..."
    (cd "$src" && swift build -c release --scratch-path "$root/.build-peer" --product qnncut)
    qnncut="$(cd "$src" && swift build -c release --scratch-path "$root/.build-peer" --show-bin-path)/qnncut"
    build="qnncut: portable release build (\`swift build -c release\`) of main at ${head:0:7} (committed tree)."
fi

# No __pycache__ in the source tree.
PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" bench/peer/qiskit_cutting_bench.py --qnncut "$qnncut" --note "$build" "$@"
