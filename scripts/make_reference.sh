#!/usr/bin/env bash
# Reproduce results/reference/: the reference comparison of the old model with the reform
# (10 one-year replications each, the scenario files' seed) and its report, which also runs the
# six reform components on their own (10 replications each, same seed).
#
# The Parquet tables stay in results/reference-compare/ (git-ignored: results/* except
# results/reference/); only the report, its figures and the headline summary are committed.
#   scripts/make_reference.sh            # uses `policesim` on PATH
#   POLICESIM=/path/to/policesim scripts/make_reference.sh
set -euo pipefail
cd "$(dirname "$0")/.."
policesim=${POLICESIM:-policesim}
runs=results/reference-compare
rm -rf "$runs"
"$policesim" compare scenarios/station_centred.toml scenarios/center_office.toml \
    --reps 10 --out "$runs"
"$policesim" report "$runs" --out results/reference --force
