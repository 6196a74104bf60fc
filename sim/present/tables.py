"""Plain-text tables for the terminal."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from sim.experiments.analysis import clip_share
from sim.experiments.metrics import METRICS
from sim.experiments.run import RunResult, mean_ci


def _fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def metrics_table(results: Sequence[RunResult]) -> str:
    """Each metric's mean over the replications with its 95% interval."""
    lines = [f"{'metric':<28} {'mean':>10}  95% CI ({len(results)} replication"
             f"{'s' if len(results) != 1 else ''})"]
    for key in METRICS:
        m, lo, hi = mean_ci([r.metrics[key] for r in results])
        lo, hi = clip_share(key, lo, hi)
        ci = f"[{_fmt(lo)}, {_fmt(hi)}]" if not math.isnan(lo) else ""
        lines.append(f"{key:<28} {_fmt(m):>10}  {ci}")
    return "\n".join(lines)


def comparison_table(df: pd.DataFrame, name_a: str, name_b: str) -> str:
    """Both means, the paired difference B - A and its 95% interval, per metric."""
    head = (f"{'metric':<28} {name_a[:16]:>16} {name_b[:16]:>16} {'B - A':>10} "
            f"{'change':>8} {'corr':>6}  paired 95% CI")
    lines = [head, "-" * len(head)]
    for r in df.itertuples():
        ci = f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]" if not math.isnan(r.ci_low) else ""
        change = f"{r.rel_change:+.0%}" if not math.isnan(r.rel_change) else "-"
        corr = getattr(r, "correlation", math.nan)
        corr = f"{corr:+.2f}" if not math.isnan(corr) else "-"
        lines.append(f"{r.metric:<28} {_fmt(r.mean_a):>16} {_fmt(r.mean_b):>16} "
                     f"{_fmt(r.diff):>10} {change:>8} {corr:>6}  {ci}")
    n = int(df["pairs"].max()) if len(df) else 0
    lines.append(f"({n} paired replications with common random numbers; CI from the paired "
                 f"t distribution; corr: correlation of the two sides over replications)")
    return "\n".join(lines)
