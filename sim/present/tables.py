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
    if x == 0:
        return "0"
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
    """Both means, the paired difference B - A, its 95% interval and the sides' correlation."""
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


#: Columns of the resources table: (key of metrics.resources, heading).
_RESOURCE_COLUMNS = (("headcount", "staff"), ("on_duty_hours", "on-duty h"),
                     ("on_call_hours", "on-call h"), ("busy_hours", "busy h"),
                     ("busy_on_scene_hours", "on scene h"), ("jobs", "jobs"))


def resources_table(sides: Sequence[tuple[str, dict[str, dict[str, float]]]]) -> str:
    """Each side's staff, on-duty, on-call and busy hours and jobs per post (run means).

    With their totals, and one line saying whether the comparison is equal-resource (on-duty
    responder-hours within 1%).
    """
    head = f"{'side':<16} {'post':<28}" + "".join(f" {h:>11}" for _, h in _RESOURCE_COLUMNS)
    lines = ["Resources per 365 days (mean per replication, averaged over the whole run; on-duty "
             "hours include call-outs from home)", head, "-" * len(head)]
    totals = []
    for name, res in sides:
        tot = {k: sum((v.get(k) or 0.0) for v in res.values()) for k, _ in _RESOURCE_COLUMNS}
        totals.append((name, tot))
        for post, v in sorted(res.items()):
            lines.append(f"{name[:16]:<16} {post:<28}" + "".join(
                f" {_fmt(v.get(k)):>11}" for k, _ in _RESOURCE_COLUMNS))
        lines.append(f"{name[:16]:<16} {'total':<28}" + "".join(
            f" {_fmt(tot[k]):>11}" for k, _ in _RESOURCE_COLUMNS))
    if len(totals) == 2:
        lines.append(equal_resource_line(totals[0], totals[1]))
    return "\n".join(lines)


def equal_resource_line(a: tuple[str, dict[str, float]], b: tuple[str, dict[str, float]]) -> str:
    """One line saying whether B's on-duty responder-hours are within 1% of A's."""
    (na, ta), (nb, tb) = a, b
    ha, hb = ta["on_duty_hours"], tb["on_duty_hours"]
    rel = hb / ha - 1 if ha else float("nan")
    if not math.isnan(rel) and abs(rel) <= 0.01:
        return (f"Equal-resource: on-duty responder-hours within 1% ({_fmt(ha)} vs {_fmt(hb)}, "
                f"{rel:+.1%}); staff {ta['headcount']:.0f} vs {tb['headcount']:.0f}.")
    return (f"NOT an equal-resource comparison: {nb} has {_fmt(hb)} on-duty responder-hours "
            f"against {_fmt(ha)} for {na} ({rel:+.0%}), plus {_fmt(tb['on_call_hours'])} vs "
            f"{_fmt(ta['on_call_hours'])} on call at home; staff {ta['headcount']:.0f} vs "
            f"{tb['headcount']:.0f}.")
