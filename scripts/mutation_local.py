"""Check the mutants of a few functions against a few test files, quickly, without mutmut's run.

mutmut runs a statistics pass over the whole test selection before it checks any mutant (about
20 minutes here). While a test is being written for a survivor, that is too slow a loop: this
script reuses a ``mutants/`` folder that ``scripts/mutation.sh`` generated, activates each
mutant whose name matches in turn (mutmut's trampolines read ``MUTANT_UNDER_TEST`` at every
call) and runs only the named test files on it. The parent process imports the heavy packages
once and forks one child per mutant, so each mutant costs its tests' time, not the start-up.

Run from the repository root::

    python scripts/mutation_local.py --match 'sim.world.disputes.xǁDisputeǁ_fight' \\
        --tests tests/test_world_by_hand.py

The test files are copied into ``mutants/tests/`` first (the copy mutmut made is from the
time of generation). Each mutant is printed as ``killed`` (a test failed or errored, or it
timed out), or ``survived`` (every selected test passed); ``--names FILE`` checks the names in
FILE instead of ``--match``. A mutant that survives here may still be killed by a test file
not named; one killed here is killed by the suite. It is a helper for writing tests, not the
score: the score is ``scripts/mutation.sh``'s (docs/testing.md).
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import shutil
import signal
import sys
import warnings
from pathlib import Path

import pytest
from mutation_sample import all_mutants, read_names  # this folder: on sys.path

MUTANTS = Path("mutants")
# one thread per BLAS pool: the parent forks a child per mutant, and forking a process with
# running thread pools can deadlock the child
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def mutant_names(pattern: str) -> list[str]:
    """Every mutant name in ``mutants/`` that contains ``pattern`` (a regular expression)."""
    rx = re.compile(pattern)
    return sorted(k for k in all_mutants(MUTANTS) if rx.search(k))


def _run_one(name: str, pytest_args: list[str], timeout_s: int) -> int:
    """Fork a child that runs the tests with mutant ``name`` active; its pytest exit code.

    A mutant that hangs is stopped by ``SIGALRM`` after ``timeout_s`` (exit code -14: killed,
    as mutmut counts a timeout).
    """
    with warnings.catch_warnings():
        # "multi-threaded, fork() may deadlock": the threads are idle library pools (BLAS is
        # held to one thread above) and the child only runs pytest; a hung child hits the alarm
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # child
        os.environ["MUTANT_UNDER_TEST"] = name
        signal.alarm(timeout_s)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os._exit(int(pytest.main([*pytest_args, "-x", "-q", "-p", "no:cacheprovider"])))
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--match", help="regular expression over mutant names")
    group.add_argument("--names", type=Path, help="file of mutant names (first word of a line)")
    ap.add_argument("--tests", nargs="+", required=True, help="test files or node ids")
    ap.add_argument("--timeout", type=int, default=120, help="seconds per mutant")
    args = ap.parse_args(argv)
    if not MUTANTS.is_dir():
        sys.exit("no mutants/ here: run scripts/mutation.sh (MUTATION_KEEP=1 keeps it) first")
    if args.names:
        # the mutant name of each line (lists like "survived NAME" give a status first)
        names = [w for ln in read_names(args.names) for w in ln.split() if "__mutmut_" in w]
    else:
        names = mutant_names(args.match)
    tests = []
    for t in args.tests:  # a file of this checkout or of another worktree, with its ::node part
        src, _, node = t.partition("::")
        shutil.copy(src, MUTANTS / "tests" / Path(src).name)
        tests.append(f"tests/{Path(src).name}" + (f"::{node}" if node else ""))
    os.chdir(MUTANTS)
    sys.path.insert(0, os.getcwd())
    # imported once in the parent, from mutants/ (hence after the chdir); each child forks
    # with them loaded
    for module in ("mesa", "numpy", "pandas", "scipy.stats", "sim.world"):
        importlib.import_module(module)

    if _run_one("", tests, args.timeout) != 0:
        sys.exit("the tests fail without a mutant: fix them first")
    survived = 0
    for name in names:
        code = _run_one(name, tests, args.timeout)
        # pytest exit 1: a test failed; 2-4: interrupted, internal or usage error (a mutant
        # that breaks the import or collection); 5: no tests collected (a bad --tests)
        if code == 5:
            sys.exit(f"no tests collected from {args.tests}")
        verdict = "survived" if code == 0 else "killed"
        survived += code == 0
        print(f"{verdict:8s} {name}" + ("" if code in (0, 1) else f"  (exit {code})"),
              flush=True)
    print(f"# {len(names) - survived} of {len(names)} killed by {' '.join(args.tests)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
