#!/usr/bin/env bash
# Runs the h5py + pandas example of docs/hdf5-schema.md (the code between its
# "h5py-example:begin/end" markers) inside a run folder holding traces.h5 and checkpoint.h5.
#
#   scripts/h5py-example.sh RUN_FOLDER
#
# h5py and pandas come from PyPI into a cached venv, .venv-analysis/ at the repository root (or
# $H5PY_EXAMPLE_VENV); a second run reuses it. Exit codes: 0 the example ran; 77 skipped because pip
# cannot reach its registry (the message says so); anything else is a failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
run="${1:?usage: scripts/h5py-example.sh RUN_FOLDER}"
venv="${H5PY_EXAMPLE_VENV:-$root/.venv-analysis}"
doc="$root/docs/hdf5-schema.md"

if ! "$venv/bin/python" -c 'import h5py, pandas' 2>/dev/null; then
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv" || { echo "h5py-example: cannot create a venv at $venv (install python3-venv: scripts/bootstrap.sh --tools)" >&2; exit 1; }
    fi
    log="$venv/pip-install.log"
    if ! "$venv/bin/python" -m pip install --quiet --timeout 60 --retries 2 h5py pandas >"$log" 2>&1; then
        # Only an unreachable registry is a reason to skip; any other pip failure is a real one.
        if grep -qiE 'Failed to establish a new connection|Temporary failure in name resolution|Name or service not known|Network is unreachable|Max retries exceeded|Read timed out|Connection (refused|reset)|ProxyError|Could not fetch URL' "$log"; then
            echo "h5py-example: skipped: pip cannot reach its registry to install h5py and pandas (see $log)" >&2
            exit 77
        fi
        echo "h5py-example: pip install h5py pandas failed:" >&2
        cat "$log" >&2
        exit 1
    fi
fi

example="$(mktemp "${TMPDIR:-/tmp}/h5py-example.XXXXXX.py")"
trap 'rm -f "$example"' EXIT
awk '/<!-- h5py-example:begin -->/ { inside = 1; next }
     /<!-- h5py-example:end -->/ { inside = 0 }
     inside && !/^```/ { print }' "$doc" >"$example"
if [ ! -s "$example" ]; then
    echo "h5py-example: no example between the h5py-example markers of $doc" >&2
    exit 1
fi
cd "$run"
"$venv/bin/python" "$example"
