#!/usr/bin/env bash
# Mutation testing (mutmut 3): put plausible one-line bugs into the code one at a time and run
# the fast tests on each; a mutant no test notices "survives". Not in CI (slow); run it before
# a release and record the score in docs/testing.md.
#
#   scripts/mutation.sh                 # the modules configured in pyproject.toml [tool.mutmut]
#   scripts/mutation.sh --all           # also sim/world/ and sim/experiments/sweep.py (hours)
#   MUTATION_CHILDREN=1 scripts/mutation.sh
#
# Needs the `mutation` extra: pip install -e ".[dev,mutation]". Results: `mutmut results`,
# one mutant's diff: `mutmut show NAME`. The work copy is ./mutants/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
"$PY" -c "import mutmut" 2>/dev/null || { echo "install the extra: pip install -e '.[mutation]'" >&2; exit 2; }
children=${MUTATION_CHILDREN:-2}
if [[ "${1:-}" == "--all" ]]; then
  # only_mutate widened for this run without editing pyproject.toml
  tmp=$(mktemp)
  cp pyproject.toml "$tmp"
  trap 'cp "$tmp" pyproject.toml; rm -f "$tmp"' EXIT
  "$PY" - <<'PYEOF'
import re
from pathlib import Path
p = Path("pyproject.toml")
s = p.read_text()
s = re.sub(r"only_mutate = \[[^\]]*\]", 'only_mutate = ["sim/world/*", "sim/experiments/metrics.py", '
           '"sim/experiments/analysis.py", "sim/experiments/run.py", "sim/experiments/sweep.py"]', s)
p.write_text(s)
PYEOF
fi
rm -rf mutants
nice "$(dirname "$PY")/mutmut" run --max-children "$children" || true
"$(dirname "$PY")/mutmut" results --all true > mutation-results.txt 2>&1 || "$(dirname "$PY")/mutmut" results > mutation-results.txt 2>&1 || true
"$PY" - <<'PYEOF'
from collections import Counter
from pathlib import Path
lines = [l.strip() for l in Path("mutation-results.txt").read_text().splitlines() if ": " in l]
c = Counter(l.rsplit(": ", 1)[1] for l in lines)
killed = c.get("killed", 0)
total = sum(c.values())
print(dict(c))
if total:
    print(f"score: {killed}/{total} killed = {100 * killed / total:.1f}% (before equivalents are set aside)")
PYEOF
