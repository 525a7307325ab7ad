#!/usr/bin/env bash
# The Python reader (python/qnncut_traces) against a trace written now: installs ./python (with
# pandas) into a cached venv, .venv-traces/ at the repository root (or $QNNCUT_TRACES_VENV), trains
# a one-epoch Iris run with the built qnncut, and runs python/tests/test_load.py on its traces.h5.
#
#   scripts/test-python.sh          (after `swift build`; QNNCUT=path overrides the binary)
#
# pip must reach its registry (PyPI): a failed install fails this script, loudly, with pip's log.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${QNNCUT_TRACES_VENV:-$root/.venv-traces}"
qnncut="${QNNCUT:-$root/.build/debug/qnncut}"
[ -x "$qnncut" ] || { echo "test-python: no qnncut at $qnncut (swift build first)" >&2; exit 1; }

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || { echo "test-python: cannot create a venv at $venv (scripts/bootstrap.sh --tools installs python3-venv)" >&2; exit 1; }
fi
log="$venv/pip-install.log"
# Reinstall every time: the package is the code under test.
if ! "$venv/bin/python" -m pip install --quiet --timeout 60 --retries 2 "$root/python[pandas]" >"$log" 2>&1; then
  echo "test-python: FAILED: pip install ./python[pandas] (pip must reach PyPI):" >&2
  cat "$log" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/test-python.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$qnncut" train "$root/configs/iris.yaml" --set training.epochs=1 --output "$work/iris" >"$work/train.log" 2>&1 \
  || { echo "test-python: qnncut train failed:" >&2; cat "$work/train.log" >&2; exit 1; }
"$qnncut" analyze "$work/iris/traces.h5" --format json >"$work/analyze.json"
cd "$work"  # import the installed package, not the source folder
"$venv/bin/python" "$root/python/tests/test_load.py" "$work/iris/traces.h5" "$work/analyze.json"
