"""Mutation testing helpers for scripts/mutation.sh: list mutants, draw a random sample, score.

Random mutant sampling (Wong & Mathur 1995; Gopinath, Jensen & Groce 2015, "random sampling of
mutants estimates the mutation score accurately") makes a module with thousands of mutants
affordable: draw ``n`` of its mutants uniformly without replacement (numpy's
``default_rng(seed).choice`` over the sorted mutant names), run only those, and report the share
killed with an exact (Clopper-Pearson) binomial 95% interval from ``scipy.stats.binomtest``.

Run from the repository root after mutmut has generated ``mutants/``::

    python scripts/mutation_sample.py sample --n 120 --seed 20 --prefix sim.world. > names.txt
    python scripts/mutation_sample.py score --names names.txt --by-module

``sample --ordered`` prints the sample in the order it was drawn (a uniformly random order), and
``scripts/mutation.sh --sample`` has mutmut run the mutants in that order (mutmut itself runs the
cheapest first). Every prefix of a uniformly random order is itself a uniform random sample, so
a run stopped part-way still gives an unbiased estimate from the longest prefix whose mutants
were all checked: ``score --checked-prefix`` scores that prefix only (a run stopped part-way in
mutmut's cheapest-first order gives a biased one: round 4 in docs/testing.md).

A mutant listed in docs/mutation_equivalent.txt (one name per line, ``#`` starts a comment, which
says why it is equivalent) is left out of the denominator; one listed in
docs/mutation_rechecked.txt (killed by a test written after mutmut ran, re-checked by running
that test with the mutant active: ``cd mutants && MUTANT_UNDER_TEST=NAME python -m pytest
tests/FILE``) counts as killed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

MUTANTS = Path("mutants")


def status_of(exit_code: int | None) -> str:
    """mutmut's name for a mutant's exit code (``not checked`` before it ran)."""
    if exit_code is None:
        return "not checked"
    from mutmut.__main__ import status_by_exit_code  # noqa: PLC0415 (the extra)

    return status_by_exit_code[exit_code]


def all_mutants(root: Path = MUTANTS) -> dict[str, int | None]:
    """Every generated mutant's name -> its last exit code (None: not run yet)."""
    out: dict[str, int | None] = {}
    for meta in sorted(root.rglob("*.py.meta")):
        out.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return out


def draw(names: list[str], n: int, seed: int, prefix: str = "",
         ordered: bool = False) -> list[str]:
    """A uniform random sample without replacement of ``n`` names starting with ``prefix``.

    Sorted by name, or with ``ordered`` in the (uniformly random) order drawn: the same set
    either way, and each prefix of the ordered list is a uniform random sample too.
    """
    pool = sorted(x for x in names if x.startswith(prefix))
    n = min(len(pool), n)
    idx = np.random.default_rng(seed).choice(len(pool), size=n, replace=False)
    picked = [pool[i] for i in idx]
    return picked if ordered else sorted(picked)


def checked_prefix(names: list[str], codes: dict[str, int | None]) -> list[str]:
    """The longest prefix of ``names`` whose mutants have all been checked (have a result)."""
    for i, x in enumerate(names):
        if codes.get(x) is None:
            return names[:i]
    return list(names)


def read_names(path: Path) -> list[str]:
    """Mutant names of a file, one a line; ``#`` starts a comment."""
    if not path.is_file():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [x for x in lines if x]


def score(names: list[str], codes: dict[str, int | None], equivalent: set[str],
          by_module: bool = False, rechecked: set[str] = frozenset()) -> str:
    """A report: statuses, killed / (checked - equivalent), exact 95% interval.

    ``rechecked``: mutants mutmut let survive (or found no test for) that a test written
    since kills, re-checked by running that test with the mutant active; counted killed.
    """
    from scipy.stats import binomtest  # noqa: PLC0415

    lines = []
    groups: dict[str, list[str]] = {}
    for x in names:
        key = x.rsplit(".", 1)[0] if by_module else "all"  # module.function__mutmut_N
        groups.setdefault(key, []).append(x)
    for key, members in sorted(groups.items()):
        st = Counter("killed" if x in rechecked else status_of(codes.get(x)) for x in members)
        eq = sum(1 for x in members if x in equivalent and status_of(codes.get(x)) != "killed")
        killed = st.get("killed", 0)
        n = len(members) - st.get("not checked", 0) - eq
        line = f"{key}: {dict(st)}; equivalent {eq}; score {killed}/{n}"
        if n:
            ci = binomtest(killed, n).proportion_ci(confidence_level=0.95, method="exact")
            line += (f" = {100 * killed / n:.1f}% (exact 95% CI {100 * ci.low:.1f}-"
                     f"{100 * ci.high:.1f}%)")
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``list``, ``sample`` or ``score``."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    ls = sub.add_parser("list", help="every mutant with its status")
    ls.add_argument("--prefix", default="")
    s = sub.add_parser("sample", help="print a random sample of mutant names")
    s.add_argument("--n", type=int, required=True)
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--prefix", default="", help="only mutants whose name starts with this")
    s.add_argument("--ordered", action="store_true",
                   help="in the random order drawn instead of sorted by name")
    sc = sub.add_parser("score", help="score of the named (default: all) mutants")
    sc.add_argument("--names", type=Path, help="file of mutant names (default: every mutant)")
    sc.add_argument("--prefix", default="")
    sc.add_argument("--equivalent", type=Path, default=Path("docs/mutation_equivalent.txt"))
    sc.add_argument("--rechecked", type=Path, default=Path("docs/mutation_rechecked.txt"))
    sc.add_argument("--by-module", action="store_true", help="one line per module")
    sc.add_argument("--checked-prefix", action="store_true",
                    help="only the longest prefix of --names (in file order) all checked")
    a = p.parse_args(argv)
    codes = all_mutants()
    if a.cmd == "list":
        for x, code in sorted(codes.items()):
            if x.startswith(a.prefix):
                print(f"{x}: {status_of(code)}")
    elif a.cmd == "sample":
        print("\n".join(draw(list(codes), a.n, a.seed, a.prefix, a.ordered)))
    else:
        names = read_names(a.names) if a.names else sorted(codes)
        names = [x for x in names if x.startswith(a.prefix)]
        if a.checked_prefix:
            total, names = len(names), checked_prefix(names, codes)
            print(f"first {len(names)} of {total} (the longest prefix all checked):")
        print(score(names, codes, set(read_names(a.equivalent)), a.by_module,
                    set(read_names(a.rechecked))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
