#!/usr/bin/env bash
# Regenerate requirements.lock: the exact versions of every package a fresh install of
# ".[dev,mutation]" (dev includes the cluster, demo and robustness extras) resolves to today, with Python 3.12.
# README's install commands and CI use it as pip constraints (`pip install -c requirements.lock
# ...`), so golden values and README's figures are reproduced with these versions. Regenerate it
# deliberately (then run the tests, and say in the commit message what changed):
#   scripts/lock.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3.12 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q --upgrade pip >/dev/null
"$tmp/venv/bin/pip" install -q -e ".[dev,mutation]"
{
  echo "# Exact versions of a fresh 'pip install -e \".[dev,mutation]\"' (Python $("$tmp/venv/bin/python" -c 'import platform; print(platform.python_version())'), $(uname -sm))."
  echo "# Regenerate with scripts/lock.sh; install with pip install -c requirements.lock -e \".[dev]\"."
  "$tmp/venv/bin/pip" freeze --exclude-editable --all | grep -v -E '^(pip|setuptools|wheel)==' | LC_ALL=C sort -f
} > requirements.lock.new
mv requirements.lock.new requirements.lock
echo "requirements.lock: $(grep -vc '^#' requirements.lock) packages"
