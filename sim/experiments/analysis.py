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
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.metrics import METRICS, SHARE_METRICS
from sim.experiments.results import write_parquet
from sim.experiments.run import mean_ci, summarize

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
            rel = _rel_half_width(mean, lo, hi)  # of the t interval, before clipping
            lo, hi = clip_share(m, lo, hi)
            rows.append({"point": int(point), **{k: first[k] for k in axes}, "metric": m,
                         "n": int(grp[m].notna().sum()), "mean": mean, "ci_low": lo,
                         "ci_high": hi, "rel_half_width": rel})
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


# ---------------------------------------------------------------- two-sided comparisons

def side_correlations(a_reps: Sequence[dict[str, float]],
                      b_reps: Sequence[dict[str, float]]) -> dict[str, float]:
    """Per metric: Pearson's correlation between the two sides' per-replication values.

    Replication k of one side is paired with replication k of the other. Pairs with a NaN on
    either side are left out; with fewer than three pairs, or a side that does not vary, the
    correlation is NaN.

    Args:
        a_reps: One dict of metric values per replication of side A.
        b_reps: The same for side B, in the same replication order.

    """
    keys = [k for k in (a_reps[0] if a_reps else {}) if b_reps and k in b_reps[0]]
    n = min(len(a_reps), len(b_reps))
    return {k: side_correlation([r.get(k, math.nan) for r in a_reps[:n]],
                                [r.get(k, math.nan) for r in b_reps[:n]]) for k in keys}


def ratio_interval(a: Sequence[float], b: Sequence[float],
                   level: float = 0.95) -> tuple[float, float, float]:
    """Relative change ``mean(b) / mean(a) - 1`` with Fieller's interval for paired data.

    Fieller's theorem (Fieller 1954; for paired means see Franz 2007) gives the set of ratios
    ``R`` with ``(mean_b - R mean_a)^2 <= t^2 Var(mean_b - R mean_a)``, using the paired
    covariance, so the interval accounts for the noise in the denominator instead of dividing
    the difference's interval by a random mean. When ``mean_a`` is not clearly away from 0 the
    set is unbounded and the bounds are NaN.

    Returns:
        The relative change and its interval (NaN where undefined).

    """
    x, y = np.asarray(a, float), np.asarray(b, float)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    n = len(x)
    if n == 0 or x.mean() == 0:
        return math.nan, math.nan, math.nan
    ma, mb = float(x.mean()), float(y.mean())
    rel = mb / ma - 1
    if n < 2:
        return rel, math.nan, math.nan
    from scipy import stats  # noqa: PLC0415

    t2 = float(stats.t.ppf(0.5 + level / 2, n - 1)) ** 2
    cov = np.cov(x, y, ddof=1) / n  # covariance matrix of the two means
    saa, sab, sbb = float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1])
    qa = ma ** 2 - t2 * saa
    qb = ma * mb - t2 * sab
    qc = mb ** 2 - t2 * sbb
    disc = qb ** 2 - qa * qc
    if qa <= 0 or disc < 0:
        return rel, math.nan, math.nan
    root = math.sqrt(disc)
    return rel, (qb - root) / qa - 1, (qb + root) / qa - 1


def clip_share(metric: str, lo: float, hi: float, difference: bool = False) -> tuple[float,
                                                                                    float]:
    """Keep a share's interval within [0, 1] (a difference of shares within [-1, 1])."""
    if metric not in SHARE_METRICS:
        return lo, hi
    floor = -1.0 if difference else 0.0
    return (lo if math.isnan(lo) else min(max(lo, floor), 1.0),
            hi if math.isnan(hi) else min(max(hi, floor), 1.0))


def json_ready(obj: Any) -> Any:
    """``obj`` with NaN as None and NumPy scalars as Python, recursively: valid JSON."""
    if isinstance(obj, dict):
        return {k: json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_ready(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj


def _json_number(x: Any) -> Any:
    if isinstance(x, float | np.floating):
        return None if not math.isfinite(float(x)) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    return x


def comparison_json(ra: Sequence[Any], rb: Sequence[Any], table: pd.DataFrame,
                    sides: tuple[dict[str, Any], dict[str, Any]] | None = None,
                    ) -> dict[str, Any]:
    """The ``compare --json`` object.

    Per metric: both means, the paired difference B - A with its 95% interval, the relative
    change with Fieller's interval on the paired ratio, the correlation between the sides and
    the number of pairs; plus the replications, the seeds and, per side, every key of the
    side's summary that is not a metric (scenario, policy, seed, ``resources`` where a run
    reports it).

    Args:
        ra: Run results of side A (with ``.metrics``, ``.seed``, ``.replication``).
        rb: Run results of side B.
        table: :func:`~sim.experiments.run.paired_comparison` of the two.
        sides: Per-side summaries (default: :func:`~sim.experiments.run.summarize`).

    """
    if sides is None:
        sides = (summarize(ra), summarize(rb))
    corr = side_correlations([r.metrics for r in ra], [r.metrics for r in rb])
    metrics: dict[str, Any] = {}
    for row in table.to_dict(orient="records"):
        key = row["metric"]
        xa = [r.metrics[key] for r in ra]
        xb = [r.metrics[key] for r in rb]
        rel, rlo, rhi = ratio_interval(xa, xb)
        metrics[key] = {k: _json_number(v) for k, v in {
            "mean_a": row["mean_a"], "mean_b": row["mean_b"], "diff": row["diff"],
            "ci_low": row["ci_low"], "ci_high": row["ci_high"], "rel_change": rel,
            "rel_ci_low": rlo, "rel_ci_high": rhi, "correlation": corr.get(key, math.nan),
            "pairs": row["pairs"]}.items()}
    side_keys = [{k: v for k, v in s.items() if k not in METRICS and k != "replications"}
                 for s in sides]
    for s, rs in zip(side_keys, (ra, rb), strict=True):
        extra = getattr(rs[0], "resources", None) if rs else None
        if extra is not None and "resources" not in s:
            s["resources"] = extra
    return {"a": side_keys[0], "b": side_keys[1], "replications": len(ra),
            "seeds": {"root": ra[0].seed if ra else None,
                      "replications": [r.replication for r in ra],
                      "rule": "replication k: numpy SeedSequence(root, spawn_key=(k,)), the same "
                              "for both sides (common random numbers)"},
            "interval": "95%: paired t for differences; Fieller on the paired ratio for "
                        "relative changes; shares clipped to [0, 1]",
            "metrics": metrics}
