"""Choosing the warm-up by a stated procedure: MSER-5 on the daily series of key outputs.

The township starts empty (no open disputes), so the stock of simmering disputes, the calls
it makes and its escalations build up over the first weeks. MSER-5 (White 1997; White, Cobb
and Spratt 2000) picks the truncation point of an output series: average the series in
batches of 5 observations ``Z_1..Z_m`` and choose the number ``d`` of leading batches to drop
that minimises ``MSER(d) = sum_{j>d} (Z_j - mean_{j>d} Z)^2 / (m - d)^2`` (the squared standard
error of the truncated mean), searching only the first half of the series: a minimum at the
edge of that half means the series is too short to tell (Hoad, Robinson and Davies 2010).

Here the procedure runs on the across-replication mean of each daily series (one observation
per day) from runs with no warm-up; the recommended warm-up is the largest truncation over the
series (and over the scenarios given, for a comparison of policies), rounded up to 10 days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.metrics import DISPUTE_CALL_KINDS, Tables
from sim.scenario import Scenario

DAY = 1440.0
BATCH = 5
#: The daily series MSER-5 is applied to, with what each counts.
SERIES: dict[str, str] = {
    "dispute_calls": "calls about disputes (quarrels and fights) per day",
    "open_disputes": "disputes open (begun, not yet settled or faded) at the end of each day",
    "escalations": "disputes turning violent for the first time per day",
}
ROUND_DAYS = 10


def mser(series: Sequence[float], batch: int = BATCH) -> tuple[int, bool]:
    """MSER-``batch`` truncation point of a series.

    Args:
        series: Observations in time order (here one per day).
        batch: Batch size (5: MSER-5).

    Returns:
        The number of leading observations to drop (a multiple of ``batch``), and whether the
        minimum lies strictly inside the searched first half (``False``: the series is too
        short for a reliable truncation, or drifts to its end).

    """
    x = np.asarray(series, float)
    m = len(x) // batch
    if m < 4:
        return 0, False
    z = x[: m * batch].reshape(m, batch).mean(axis=1)
    # suffix sums give every truncated mean and sum of squares in one pass
    rev = z[::-1]
    n = np.arange(1, m + 1)
    s1 = np.cumsum(rev)[::-1]
    s2 = np.cumsum(rev ** 2)[::-1]
    k = n[::-1]  # batches kept after dropping d = 0..m-1
    sse = s2 - s1 ** 2 / k
    stat = sse / k ** 2
    half = m // 2
    d = int(np.argmin(stat[: half + 1]))
    return d * batch, d < half


def daily_series(tab: Tables, days: int | None = None) -> pd.DataFrame:
    """The run's daily series of :data:`SERIES`, from time 0 (warm-up included).

    Args:
        tab: The run's tables.
        days: Days to cover (default: the days up to the end of the measured period).

    """
    n = int(days if days is not None else math.floor(tab.period_end / DAY + 1e-9))
    edges = np.arange(n + 1) * DAY
    c = tab.calls
    t_calls = c.loc[c["kind"].isin(DISPUTE_CALL_KINDS), "t_call"].to_numpy(float)
    d = tab.disputes
    start = d["t_start"].to_numpy(float)
    end = d["t_end"].to_numpy(float)
    end = np.where(np.isnan(end), np.inf, end)
    fight = d["t_first_fight"].to_numpy(float)
    fight = fight[~np.isnan(fight)]
    day_end = edges[1:]
    opened = np.searchsorted(np.sort(start), day_end, side="right")
    closed = np.searchsorted(np.sort(end), day_end, side="right")
    return pd.DataFrame({
        "day": np.arange(n),
        "dispute_calls": np.histogram(t_calls, edges)[0].astype(float),
        "open_disputes": (opened - closed).astype(float),
        "escalations": np.histogram(fight, edges)[0].astype(float),
    })


@dataclass
class WarmupStudy:
    """MSER-5 truncation points of one scenario's daily series."""

    scenario: str
    policy: str
    reps: int
    days: int
    seed: int
    mean_series: pd.DataFrame  # day, then one column per series (mean over replications)
    truncation_days: dict[str, int] = field(default_factory=dict)
    reliable: dict[str, bool] = field(default_factory=dict)
    per_replication: dict[str, list[int]] = field(default_factory=dict)

    @property
    def recommended_days(self) -> int:
        """The largest truncation over the series, rounded up to :data:`ROUND_DAYS`."""
        worst = max(self.truncation_days.values(), default=0)
        return int(math.ceil(worst / ROUND_DAYS) * ROUND_DAYS)

    def levels(self) -> dict[str, tuple[float, float]]:
        """Per series: the mean over the warm-up and over the rest (after the truncation)."""
        out = {}
        for s, d in self.truncation_days.items():
            x = self.mean_series[s].to_numpy(float)
            out[s] = (float(x[:d].mean()) if d else math.nan, float(x[d:].mean()))
        return out

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (the mean daily series included)."""
        return {"scenario": self.scenario, "policy": self.policy, "reps": self.reps,
                "days": self.days, "seed": self.seed, "procedure": f"MSER-{BATCH} on the "
                "across-replication mean daily series (White 1997)",
                "truncation_days": self.truncation_days, "reliable": self.reliable,
                "per_replication_truncation_days": self.per_replication,
                "recommended_warmup_days": self.recommended_days,
                "series": {s: self.mean_series[s].round(4).tolist() for s in SERIES}}


def study(tables: Sequence[Tables], scenario: Scenario, seed: int, days: int) -> WarmupStudy:
    """MSER-5 on the mean daily series of replications run from an empty township."""
    per = [daily_series(t, days) for t in tables]
    mean = pd.concat(per).groupby("day", as_index=False).mean()
    out = WarmupStudy(scenario.name, scenario.policy, len(tables), days, seed, mean)
    for s in SERIES:
        out.truncation_days[s], out.reliable[s] = mser(mean[s])
        out.per_replication[s] = [mser(p[s])[0] for p in per]
    return out


def run_warmup_study(scenario: Scenario, reps: int = 5, days: int = 365,
                     seed: int | None = None, progress: bool = False) -> WarmupStudy:
    """Run ``reps`` replications of ``days`` days from an empty township, with no warm-up.

    Args:
        scenario: The scenario (its ``warmup_days`` and ``follow_up_days`` are set to 0).
        reps: Replications (common seeds with ``run`` and ``compare``).
        days: Days of each run.
        seed: Root seed (default: the scenario's).
        progress: Show a progress bar on stderr.

    """
    from sim.experiments.run import run_replications  # noqa: PLC0415

    scn = scenario.model_copy(update={"warmup_days": 0.0, "follow_up_days": 0.0,
                                      "days": float(days)})
    scn = Scenario.model_validate(scn.model_dump())
    results = run_replications(scn, reps, seed, progress=progress,
                               label=f"warm-up {scn.name}")
    return study([r.tables for r in results], scn, results[0].seed, days)


def format_studies(studies: Sequence[WarmupStudy]) -> str:
    """A plain-text table: truncation per series and scenario, and the recommended warm-up."""
    lines = [f"MSER-{BATCH} truncation points (days) of the mean daily series, runs from an "
             f"empty township with no warm-up"]
    lines.append(f"{'scenario':<24} {'series':<16} {'MSER-5':>7} {'per replication':<24} "
                 f"{'mean before':>11} {'mean after':>10}")
    for st in studies:
        lv = st.levels()
        for s in SERIES:
            reps = ",".join(str(v) for v in st.per_replication[s])
            flag = "" if st.reliable[s] else " (at the search edge: run longer)"
            before, after = lv[s]
            lines.append(f"{st.scenario[:24]:<24} {s:<16} {st.truncation_days[s]:>7} "
                         f"{reps[:24]:<24} {before:>11.2f} {after:>10.2f}{flag}")
    rec = max((st.recommended_days for st in studies), default=0)
    lines.append(f"recommended warm-up: {rec} days (largest truncation, rounded up to "
                 f"{ROUND_DAYS}); {studies[0].reps} replications of {studies[0].days} days, "
                 f"seed {studies[0].seed}")
    lines += [f"  {s}: {text}" for s, text in SERIES.items()]
    return "\n".join(lines)
