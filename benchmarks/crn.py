"""Common random numbers: how well the two policies' replications pair, and what it buys.

    python benchmarks/crn.py [--reps 12] [--days 365] [--warmup 30]

Runs the shipped old-model and reform scenarios ``reps`` times with the same seeds (paired, as
``policesim compare`` does) and side B once more with an independent root seed, then prints per
metric: the correlation between the two sides' per-replication values, the variance of the
paired difference against that of the independent difference, and the replications needed for
a 95% interval of +/-10% of the mean difference with each (n = (t * sd / (0.1 |mean|))^2,
iterated on Student's t). Works on any checkout that has ``run_replications`` (before and after
the paired-stream change), so the same command measures both.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.experiments.run import run_replications  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402

KEYS = ("escalation_rate", "injury_crimes_per_10k_year", "repeat_dispute_rate", "calls",
        "response_time_mean_min", "resolved_share")
#: Added to the root seed for the independent side B (any other seed would do).
INDEPENDENT_OFFSET = 1_000_003


def reps_for(sd: float, mean: float, rel: float = 0.10) -> float:
    """Replications for a 95% t interval of half-width ``rel * |mean|``."""
    if mean == 0 or math.isnan(sd):
        return math.inf
    n = 2.0
    for _ in range(50):
        n_new = (stats.t.ppf(0.975, max(n - 1, 1)) * sd / (rel * abs(mean))) ** 2
        if abs(n_new - n) < 1e-3:
            break
        n = max(n_new, 2.0)
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=12)
    ap.add_argument("--days", type=int, default=None)
    ap.add_argument("--warmup", type=int, default=None)
    args = ap.parse_args()
    sets = ([f"days={args.days}"] if args.days else []) + (
        [f"warmup_days={args.warmup}"] if args.warmup is not None else [])
    a = load_scenario(ROOT / "scenarios" / "station_centred.toml", sets)
    b = load_scenario(ROOT / "scenarios" / "center_office.toml", sets)
    ra = run_replications(a, args.reps, a.seed)
    rb = run_replications(b, args.reps, a.seed)
    rb_ind = run_replications(b, args.reps, a.seed + INDEPENDENT_OFFSET)
    print(f"{args.reps} replications, seed {a.seed}; independent B seed "
          f"{a.seed + INDEPENDENT_OFFSET}")
    print(f"{'metric':28s} {'corr':>6s} {'corr(ind)':>9s} {'var paired':>11s} {'var ind':>11s}"
          f" {'ratio':>6s} {'mean diff':>10s} {'n paired':>8s} {'n ind':>8s}")
    for k in KEYS:
        xa = np.array([r.metrics[k] for r in ra])
        xb = np.array([r.metrics[k] for r in rb])
        xi = np.array([r.metrics[k] for r in rb_ind])
        d, di = xb - xa, xi - xa
        corr = float(np.corrcoef(xa, xb)[0, 1])
        corr_i = float(np.corrcoef(xa, xi)[0, 1])
        vp, vi = float(d.var(ddof=1)), float(di.var(ddof=1))
        print(f"{k:28s} {corr:6.2f} {corr_i:9.2f} {vp:11.4g} {vi:11.4g} {vp / vi:6.2f} "
              f"{d.mean():10.4g} {reps_for(math.sqrt(vp), d.mean()):8.1f} "
              f"{reps_for(math.sqrt(vi), d.mean()):8.1f}")


if __name__ == "__main__":
    main()
