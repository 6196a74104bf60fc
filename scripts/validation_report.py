"""Regenerate docs/validation.md and the generated tables of docs/ODD.md and docs/calibration.md.

    python scripts/validation_report.py               # every check at full length (~15 min)
    python scripts/validation_report.py --quick       # the test suite's run lengths (~2 min)
    python scripts/validation_report.py --tables-only # parameter tables only (seconds)

The generated parts of docs/ODD.md and docs/calibration.md lie between
``<!-- generated:NAME:start -->`` and ``<!-- generated:NAME:end -->``; the rest is hand-written.

The full run gives every statistical check a run length at which its tolerance is at least 4
standard errors (the mean wait of M/M/c at utilisation 0.85 needs about 4 million calls); the
quick run uses the test suite's lengths, at which some mean-wait checks are indicative only
(the table says which).
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sim import __version__
from sim.experiments import validation as v
from sim.experiments.calibration import (
    calibrate,
    calibrated_markdown,
    figures_markdown,
    parameter_markdown,
)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# (lambda/h, mean on-scene min, c, calls, replications). Full lengths from n x relative
# variance of the mean wait: 29 (c1, rho 0.5) and 208 (c1, 0.85) from REFERENCES' M/M/1
# formula; 81 (c2, 0.7), 83 (c3, 0.5) and 295 (c3, 0.85) measured by batch means in a first
# full run; n = that / 0.0075^2, so that 3% is 4 standard errors.
FULL = [v.QueuePoint(1.0, 30.0, 1, 560_000, 8), v.QueuePoint(0.85, 60.0, 1, 4_000_000, 20),
        v.QueuePoint(1.4, 60.0, 2, 1_500_000, 10), v.QueuePoint(1.5, 60.0, 3, 1_600_000, 10),
        v.QueuePoint(2.55, 60.0, 3, 5_600_000, 28)]
QUICK = [v.QueuePoint(1.0, 30.0, 1, 560_000, 8), v.QueuePoint(0.85, 60.0, 1, 50_000),
         v.QueuePoint(1.4, 60.0, 2, 110_000), v.QueuePoint(2.55, 60.0, 3, 170_000)]


def replace_block(text: str, name: str, content: str) -> str:
    """Replace what lies between ``<!-- generated:NAME:start -->`` and its end marker."""
    start, end = f"<!-- generated:{name}:start -->", f"<!-- generated:{name}:end -->"
    i, j = text.find(start), text.find(end)
    if i < 0 or j < i:
        raise SystemExit(f"error: markers for '{name}' not found")
    return f"{text[:i + len(start)]}\n{content}\n{text[j:]}"


def update(path: Path, name: str, content: str) -> None:
    """Rewrite one generated block of a Markdown file in place."""
    path.write_text(replace_block(path.read_text(encoding="utf-8"), name, content),
                    encoding="utf-8")


def _num(x: float) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:.4g}" if abs(x) < 1e4 else f"{x:,.0f}"


def check_table(checks: list[v.Check]) -> str:
    """Markdown table of checks: expected, observed, error, tolerance, SE, verdict."""
    lines = ["| group | check | expected | observed | rel. error | tolerance | SE | "
             "tolerance / SE | result | run |", "|---|---|---|---|---|---|---|---|---|---|"]
    for c in checks:
        if c.tolerance == 0:
            err, tol, ratio = f"{c.observed - c.expected:+.2g} (abs)", f"exact (±{c.abs_tol:g})", ""
        else:
            ratio_v = c.tolerance * abs(c.expected) / c.se if c.se > 0 else math.inf
            err, tol = f"{100 * c.rel_error:+.2f}%", f"±{100 * c.tolerance:g}%"
            ratio = f"{ratio_v:.1f}" + ("" if ratio_v >= 4 else " (indicative)")
        name = c.name.replace("|", "\\|")  # a pipe would split the Markdown cell
        lines.append(f"| {c.group} | {name} | {_num(c.expected)} | {_num(c.observed)} | {err} "
                     f"| {tol} | {_num(c.se)} | {ratio} | {'pass' if c.passed else 'FAIL'} | "
                     f"{c.note} |")
    return "\n".join(lines)


HEADER = """# Validation: the engine against known results

**Regenerate:** `python scripts/validation_report.py` (every check at full length, about 15
minutes on one core) or `python scripts/validation_report.py --quick` (the test suite's run
lengths). This file is written by that script; do not edit it by hand.

Each check drives the model's own machinery (scenario file, geography, dispatcher, responders,
records, metrics) in a configuration where the answer is known. *Exact* checks compare event by
event and cannot pass by chance; *statistical* checks compare a metric with theory within a
relative tolerance, and "tolerance / SE" says how many standard errors that tolerance is (4 or
more: a decisive check; fewer: indicative only). The tests in `tests/test_validation_*.py` run
the same checks (the statistical ones at the lengths where they are decisive in the suite's
time budget) and compute the expected values independently from the formulas.

- **Queueing (M/M/c, Erlang C)**: `scenarios/validation/mmc.toml` (one village, the station in
  its cell, zero turnout and in-village trip, Poisson calls, exponential on-scene times, c
  station officers on duty, no disputes). Expected: P(wait) = a^c P0 / (c! (1 - rho)),
  Wq = P(wait) / (c mu - lambda). Exact check: every call's wait equals that of a
  first-come-first-served c-server queue fed with the engine's own arrival and on-scene times
  (Kiefer-Wolfowitz recursion). Standard errors: batch means (20 per replication).
- **Travel**: lattice townships of 1-km cells, circuity 1, 60 km/h, no turnout; the scenario's
  station officers moved to random village bases between rounds of incidents. Kolesar & Blum:
  E[D] = k sqrt(A/n), k = sqrt(pi/2)/2 = 0.6267 for random units and the right-angle metric
  (incidents 20 km inside the edges; the 1-km lattice lowers E[D] by about 0.75%). One unit,
  X by Y rectangle: E[D] = (X + Y)/3. Exact check: every call went to the nearest unit.
- **Hypercube** (Larson 1974): 3 units, 4 demand atoms with fixed preference lists, zero trips;
  workloads against the exact solution of the 2^3-state balance equations plus the FCFS queue.
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the test suite's run lengths")
    ap.add_argument("--tables-only", action="store_true", help="parameter tables only")
    ap.add_argument("--reps", type=int, default=None, help="calibration replications "
                    "(default 20, or 8 with --quick)")
    args = ap.parse_args(argv)
    update(DOCS / "ODD.md", "parameters", parameter_markdown())
    update(DOCS / "calibration.md", "calibrated", calibrated_markdown())
    if args.tables_only:
        print("updated the parameter tables of docs/ODD.md and docs/calibration.md")
        return 0
    t0 = time.time()
    checks: list[v.Check] = []
    for p in QUICK if args.quick else FULL:
        print(f"queueing: {p.label()}, {p.customers:,} calls", file=sys.stderr, flush=True)
        checks += v.simulate_mmc(p).checks()
    print("travel", file=sys.stderr, flush=True)
    checks += v.travel_checks(v.nearest_unit_distances(), v.one_unit_distances())
    print("hypercube", file=sys.stderr, flush=True)
    checks += v.hypercube_checks(*v.simulate_hypercube(customers=60_000))
    reps = args.reps or (8 if args.quick else 20)
    print(f"calibration: {reps} replications", file=sys.stderr, flush=True)
    rows = calibrate(reps)
    update(DOCS / "calibration.md", "figures", figures_markdown(rows, reps))
    failed = [c for c in checks if not c.passed]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [HEADER, f"Generated {stamp} by policesim {__version__} (Python "
            f"{platform.python_version()}), {'quick' if args.quick else 'full'} run, "
            f"{time.time() - t0:.0f} s. **{len(checks) - len(failed)} of {len(checks)} checks "
            f"pass.**", "", check_table(checks), "",
            "Calibration to the reported figures: see [calibration.md](calibration.md) "
            "(regenerated by the same command).", ""]
    (DOCS / "validation.md").write_text("\n".join(body), encoding="utf-8")
    print(f"wrote docs/validation.md ({len(failed)} failing)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
