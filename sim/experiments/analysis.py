"""Analysis of a sweep's runs table: intervals per design point, paired differences, precision.

Only runs with status "ok" count. Replication k of every point shares its random streams with
replication k of the baseline (common random numbers), so differences are paired by
replication; a paired t interval is used (equal to ``scipy.stats.ttest_rel(...)
.confidence_interval()``), which the issue 4 trial found three times narrower than Welch's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiments.metrics import METRICS
from sim.experiments.results import write_parquet
from sim.experiments.run import mean_ci

SUMMARY_FILE, PAIRED_FILE = "summary.parquet", "paired.parquet"


def _ok(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["status"] == "ok"]


def point_summary(table: pd.DataFrame, axes: Sequence[str] = ()) -> pd.DataFrame:
    """Per design point and metric: runs, mean, 95% interval and relative half-width."""
    rows = []
    ok = _ok(table)
    for point, grp in ok.groupby("point", sort=True):
        first = grp.iloc[0]
        for m in METRICS:
            mean, lo, hi = mean_ci(grp[m].tolist())
            rows.append({"point": int(point), **{k: first[k] for k in axes}, "metric": m,
                         "n": int(grp[m].notna().sum()), "mean": mean, "ci_low": lo,
                         "ci_high": hi, "rel_half_width": _rel_half_width(mean, lo, hi)})
    return pd.DataFrame(rows, columns=["point", *axes, "metric", "n", "mean", "ci_low",
                                       "ci_high", "rel_half_width"])


def _rel_half_width(mean: float, lo: float, hi: float) -> float:
    """Half-width / |mean|: 0 for an exact zero, infinite around a mean of 0, NaN if unknown."""
    if math.isnan(lo) or math.isnan(hi):
        return math.nan
    half = (hi - lo) / 2
    if half == 0:
        return 0.0
    return half / abs(mean) if mean != 0 else math.inf


def paired_differences(table: pd.DataFrame, baseline_point: int,
                       axes: Sequence[str] = ()) -> pd.DataFrame:
    """Per point and metric: the mean paired difference point - baseline and its 95% interval.

    Pairs are runs of the same replication at both points, both "ok" and both defined.
    """
    ok = _ok(table)
    base = ok[ok["point"] == baseline_point].set_index("replication")
    rows = []
    for point, grp in ok.groupby("point", sort=True):
        first = grp.iloc[0]
        g = grp.set_index("replication")
        common = g.index.intersection(base.index)
        for m in METRICS:
            a = base.loc[common, m].to_numpy(float)
            b = g.loc[common, m].to_numpy(float)
            keep = ~(np.isnan(a) | np.isnan(b))
            diff, lo, hi = mean_ci(list(b[keep] - a[keep]))
            ma = float(a[keep].mean()) if keep.any() else math.nan
            rows.append({"point": int(point), **{k: first[k] for k in axes}, "metric": m,
                         "mean_baseline": ma,
                         "mean_point": float(b[keep].mean()) if keep.any() else math.nan,
                         "diff": diff, "ci_low": lo, "ci_high": hi,
                         "rel_change": diff / ma if ma and not math.isnan(ma) else math.nan,
                         "pairs": int(keep.sum())})
    return pd.DataFrame(rows, columns=["point", *axes, "metric", "mean_baseline", "mean_point",
                                       "diff", "ci_low", "ci_high", "rel_change", "pairs"])


def worst_precision(table: pd.DataFrame, key_metrics: Sequence[str]) -> float:
    """The largest relative 95% half-width of the key metrics over all points.

    A metric undefined in every run of a point (e.g. no village beyond 20 km) is left out
    there; a point with fewer than two defined values counts as infinitely imprecise.
    """
    worst = 0.0
    for _, grp in _ok(table).groupby("point"):
        for m in key_metrics:
            x = grp[m].dropna()
            if x.empty:
                continue
            mean, lo, hi = mean_ci(x.tolist())
            r = _rel_half_width(mean, lo, hi)
            worst = max(worst, math.inf if math.isnan(r) else r)
    return worst


def replications_needed(table: pd.DataFrame, key_metrics: Sequence[str], target: float,
                        reps: int, max_reps: int) -> tuple[int, float]:
    """The replications for the next round of ``--until-ci``, and the current worst precision.

    A half-width shrinks as 1/sqrt(n), so n * (worst / target)^2 replications should do; growth
    is capped at doubling per round because the estimate is noisy with few replications
    (assumption), and at ``max_reps``. Returns ``reps`` itself when done.
    """
    worst = worst_precision(table, key_metrics)
    if worst <= target or reps >= max_reps:
        return reps, worst
    want = reps * 2 if math.isinf(worst) else math.ceil(reps * (worst / target) ** 2)
    return min(max_reps, max(reps + 1, min(want, 2 * reps))), worst


def side_correlation(a: Sequence[float], b: Sequence[float]) -> float:
    """Pearson correlation between two sides' per-replication values of one metric.

    Replication k of side A is paired with replication k of side B; pairs with a NaN on either
    side are left out. With common random numbers a positive correlation is what the pairing
    buys: Var(B - A) = Var(A) + Var(B) - 2 Cov(A, B). NaN with fewer than three pairs or a
    side that does not vary.
    """
    xa, xb = np.asarray(a, float), np.asarray(b, float)
    keep = ~(np.isnan(xa) | np.isnan(xb))
    xa, xb = xa[keep], xb[keep]
    if len(xa) < 3 or np.all(xa == xa[0]) or np.all(xb == xb[0]):
        return math.nan
    return float(np.corrcoef(xa, xb)[0, 1])


def write_analysis(out: Path, table: pd.DataFrame, axes: Sequence[str],
                   baseline_point: int | None) -> None:
    """Write ``summary.parquet`` and, with a baseline, ``paired.parquet`` beside runs.parquet."""
    write_parquet(point_summary(table, axes), out / SUMMARY_FILE)
    if baseline_point is not None:
        write_parquet(paired_differences(table, baseline_point, axes), out / PAIRED_FILE)
