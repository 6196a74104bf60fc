#!/usr/bin/env bash
# Mutation testing (mutmut 3): put plausible one-line bugs into the code one at a time and run
# the fast tests on each; a mutant no test notices "survives". Not in CI (slow); run it before
# a release and record the score in docs/testing.md.
#
#   scripts/mutation.sh                       # every mutant of the modules in pyproject.toml
#                                             # [tool.mutmut] (metrics, analysis, run)
#   scripts/mutation.sh --all                 # also sim/world/ and sweep.py, every mutant (hours)
#   scripts/mutation.sh --sample N --seed S [--prefix P]
#        # sim/world/ and sweep.py too, but run only a uniform random sample of N of the mutants
#        # whose name starts with P (default "sim.world."; "sim." is all five modules), drawn
#        # with seed S; prints the score with an exact binomial 95% interval
#        # (scripts/mutation_sample.py). The mutants run in the random order drawn (not
#        # mutmut's cheapest first), so a run stopped part-way leaves a uniform sample: the
#        # longest prefix all checked, scored by `mutation_sample.py score --checked-prefix`.
#   scripts/mutation.sh --names FILE          # the mutants listed in FILE only (re-checks)
#   scripts/mutation.sh --modules "sim.experiments.metrics sim.experiments.sweep"
#        # every mutant of the named modules (widened like --all; dotted module names)
#
# Environment: MUTATION_CHILDREN (parallel mutants, default 2), MUTATION_KEEP=1 (reuse
# ./mutants/ and its test statistics from the last run instead of starting afresh),
# MUTATION_SKIP_CLEAN=1 (--sample: skip mutmut's "clean tests" run of the selection without a
# mutant; only with MUTATION_KEEP=1 after a statistics run that passed, which ran every
# selected test without a mutant already: it saves a full pass of the selection).
# Needs the `mutation` extra: pip install -e ".[dev,mutation]". Results: `mutmut results`,
# one mutant's diff: `mutmut show NAME`; scores: python scripts/mutation_sample.py score.
# Mutants shown equivalent are listed, with the reason, in docs/mutation_equivalent.txt; the
# scores leave them out. The work copy is ./mutants/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
MUTMUT="$(dirname "$PY")/mutmut"
"$PY" -c "import mutmut" 2>/dev/null || { echo "install the extra: pip install -e '.[mutation]'" >&2; exit 2; }
children=${MUTATION_CHILDREN:-2}
mode=configured sample=0 seed="" prefix="sim.world." names_file="" modules=""
while (($#)); do
  case "$1" in
    --all) mode=all ;;
    --sample) mode=sample sample=$2; shift ;;
    --seed) seed=$2; shift ;;
    --prefix) prefix=$2; shift ;;
    --names) mode=names names_file=$2; shift ;;
    --modules) mode=modules modules=$2; shift ;;
    *) echo "unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
  shift
done
[[ $mode != sample || -n $seed ]] || { echo "--sample needs --seed" >&2; exit 2; }

if [[ $mode != configured ]]; then
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
[[ ${MUTATION_KEEP:-0} == 1 ]] || rm -rf mutants

names=()
case $mode in
  sample|names|modules)
    # generate every mutant (and nothing else) so that the sample can be drawn from them
    nice "$PY" -c "from mutmut.mutation.trampoline import set_mutant_under_test
set_mutant_under_test('mutant_generation')
from mutmut.utils.file_utils import copy_src_dir, copy_also_copy_files, setup_source_paths
from mutmut.__main__ import store_lines_covered_by_tests, create_mutants
copy_src_dir(); copy_also_copy_files(); setup_source_paths(); store_lines_covered_by_tests()
create_mutants($children)"
    if [[ $mode == sample ]]; then
      names_file=mutation-sample-${prefix%.}-n$sample-seed$seed.txt
      "$PY" scripts/mutation_sample.py sample --n "$sample" --seed "$seed" --prefix "$prefix" \
        --ordered > "$names_file"
      echo "sample: $(wc -l < "$names_file") mutants (seed $seed, prefix $prefix) in $names_file"
    elif [[ $mode == modules ]]; then
      names_file=mutation-sample-modules.txt
      : > "$names_file"
      for m in $modules; do
        "$PY" scripts/mutation_sample.py list --prefix "$m." | cut -d: -f1 >> "$names_file"
      done
    fi
    mapfile -t names < <("$PY" -c "import sys; sys.path.insert(0, 'scripts')
from mutation_sample import read_names; print('\n'.join(read_names(__import__('pathlib').Path('$names_file'))))")
    ;;
esac

if [[ $mode == sample ]]; then
  # mutmut runs the named mutants cheapest first (sorted by estimated_worst_case_time): rank
  # them by their place in the drawn order instead, so that the checked ones stay uniform
  nice "$PY" - "$children" "$names_file" "${MUTATION_SKIP_CLEAN:-0}" <<'PYEOF' || true
import sys
from pathlib import Path

import mutmut.__main__ as mm

sys.path.insert(0, "scripts")
from mutation_sample import read_names  # noqa: E402

rank = {x: i for i, x in enumerate(read_names(Path(sys.argv[2])))}
mm.estimated_worst_case_time = lambda name: rank.get(name, len(rank))
if sys.argv[3] == "1":
    make_runner = mm.get_mutant_runner

    def runner_without_clean_run(max_children):
        runner = make_runner(max_children)
        runner.run_clean_tests = lambda tests: 0
        return runner

    mm.get_mutant_runner = runner_without_clean_run
mm.cli(["run", "--max-children", sys.argv[1], *rank], prog_name="mutmut")
PYEOF
else
  nice "$MUTMUT" run --max-children "$children" "${names[@]}" || true
fi
if ((${#names[@]})); then
  "$PY" scripts/mutation_sample.py score --names "$names_file" --by-module
  "$PY" scripts/mutation_sample.py score --names "$names_file"
  [[ $mode != sample ]] || "$PY" scripts/mutation_sample.py score --names "$names_file" \
    --checked-prefix
else
  "$PY" scripts/mutation_sample.py score --by-module
  "$PY" scripts/mutation_sample.py score
fi
